// Package crawler is the first step of safetysearch: it politely fetches a
// publication hub (an Invision Community 4.x site such as pslhub.org),
// extracts articles, tags and comments from its HTML, and keeps them in a
// durable embedded store that package indexer reads.
//
// Extraction is pure (HTML bytes and page URL in, Page out); fetching,
// politeness, the store and the crawl loop are separate files.
package crawler
