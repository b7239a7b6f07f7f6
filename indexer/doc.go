// Package indexer is the search index as the API and the command line see
// it: Open an index directory, Search, Article, Suggest, Related and Scan on
// the generation being served, and Rebuild a new generation from a Source
// and swap it in without interrupting requests. It re-exports the query and
// result model of package engine.
//
// Each part is its own package:
//
//	article      the document contract (Article, Comment, Attachment)
//	textquery    the free-text query parser (pure)
//	engine       one generation: mapping, plan, match, rank, facets, hits
//	highlight    <mark> highlighting of stored text (pure)
//	fold         the text folding shared by indexing, queries, highlighting
//	thesaurus    the query-time thesaurus and its matcher
//	resultcache  the bounded, coalescing result cache of a generation
//	build        the child-process build of a generation
//	schedule     crawl + rebuild on a schedule and on demand, one guard
//	health       extraction health: field shares per source, drops (pure)
//	runlog       the records of crawl and rebuild runs, kept by the crawler's store
//	docstore     a generation's articles by id, outside Bleve
//	dedup        one document reached twice, folded at build (pure)
//
// This package keeps the generations: their directory, lock and CURRENT
// file (recover.go, lock_*.go), opening and verifying one (generation.go),
// the rebuild and swap (index.go), the in-process build (build.go) and the
// result cache wiring (cached.go).
package indexer
