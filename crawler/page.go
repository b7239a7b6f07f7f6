package crawler

import (
	"errors"

	"github.com/safetysearch/safetysearch/indexer/article"
)

// ErrNotArticle is returned by Extract for a record page whose markup has
// none of the expected parts: it is reported with its URL, never stored.
var ErrNotArticle = errors.New("crawler: record page has none of the expected article parts")

// Page is what Extract finds in one HTML page.
type Page struct {
	// Canonical is the page's rel=canonical URL (absolute), or "" if none.
	Canonical string
	// UntrustedCanonical is a rel=canonical URL that was not followed: on
	// another host, or naming another record than the page's URL.
	UntrustedCanonical string `json:",omitempty"`
	// Article is set for a record page: the article with the comments of
	// this comment page only. Nil for listings, tag pages, profiles…
	Article *article.Article
	// CommentPages are the absolute URLs of the record's other comment pages
	// found in its pagination (empty when the comments fit one page).
	CommentPages []string
	// Degraded says why the page could only be read in part (nesting
	// deeper than the HTML parser accepts); "" when it was read whole.
	Degraded string `json:",omitempty"`
	// Links are the absolute URLs of the links on the page (deduplicated,
	// fragment dropped, not yet normalised or scope-checked).
	Links []string
}
