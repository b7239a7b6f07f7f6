// Package article is the document contract of safetysearch: Article,
// Comment and Attachment and their JSON form. The crawler produces them, the
// indexer indexes them, the API serves them.
//
// It is a leaf: standard library only, nothing of ours and no search engine,
// so that the crawler links none of the engine (enforced by depguard and by
// TestImportRules in cmd/safetysearch).
package article

import (
	"encoding/json"
	"time"
)

// Article is one publication (an IPS Pages record on pslhub) with its tags
// and comments. Its JSON form is the shape of `safetysearch export` and of
// GET /api/v1/articles/{id}: exactly these keys, with published and updated
// omitted when unknown and every list present (never null).
type Article struct {
	ID     string `json:"id"`     // stable: "<source>:r<record id>"
	URL    string `json:"url"`    // canonical URL
	Source string `json:"source"` // source name, e.g. "pslhub"
	// Publisher is the organisation that published the article, as the
	// source's configuration names it (e.g. "Patient Safety Learning",
	// "HSSIB"); "" in stores written before sources named one, where
	// readers use Source.
	Publisher   string       `json:"publisher"`
	Title       string       `json:"title"`
	Author      string       `json:"author"`
	Published   time.Time    `json:"published,omitzero"` // UTC
	Updated     time.Time    `json:"updated,omitzero"`   // UTC
	Category    string       `json:"category"`
	ContentType string       `json:"content_type"`
	Regions     []string     `json:"regions"`
	Audiences   []string     `json:"audiences"`
	Topics      []string     `json:"topics"`
	Tags        []string     `json:"tags"` // raw, page order
	Summary     string       `json:"summary"`
	Body        string       `json:"body"`
	Reactions   int          `json:"reactions"`
	Attachments []Attachment `json:"attachments"`
	Comments    []Comment    `json:"comments"`
	FetchedAt   time.Time    `json:"fetched_at"` // UTC
	// AlsoPublished lists the copies of this article (the same canonical
	// URL, the same or nearly the same body) from other sources or URLs
	// that the index build folded into it. The build sets it on the article
	// it keeps; the store never holds it, so exports of the store omit it.
	AlsoPublished []Duplicate `json:"also_published,omitempty"`
}

// Duplicate names one copy of an article folded into another at index
// build.
type Duplicate struct {
	ID        string `json:"id"`
	URL       string `json:"url"`
	Source    string `json:"source"`
	Publisher string `json:"publisher"` // as PublisherName: never ""
	Title     string `json:"title"`
}

// PublisherName is the article's publisher, or its source name in stores
// written before sources named one.
func (a Article) PublisherName() string {
	if a.Publisher != "" {
		return a.Publisher
	}
	return a.Source
}

// Comment is one comment on an article, in page order across comment pages.
type Comment struct {
	ID        string    `json:"id"`
	Author    string    `json:"author"`
	Published time.Time `json:"published,omitzero"` // UTC
	Body      string    `json:"body"`               // plain text, without the "Edited … by …" line
	EditedBy  string    `json:"edited_by"`
	Reactions int       `json:"reactions"`
}

// Attachment is a file attached to an article, or a document linked from
// its body on the same source (Linked).
type Attachment struct {
	Name string `json:"name"`
	URL  string `json:"url"`
	// Linked is true for a document linked from the article's body rather
	// than attached to the record.
	Linked bool `json:"linked,omitempty"`
	// Document is what the crawler made of the file; nil when it was not
	// fetched (documents off for the source, or not a document type).
	Document *Document `json:"document,omitempty"`
}

// Document statuses (Document.Status).
const (
	// DocExtracted: the text of every page was read (a page may be empty).
	DocExtracted = "extracted"
	// DocRefused: the document was fetched but not read, for a reason that
	// a retry will not change while the file is unchanged (encrypted,
	// image-only, damaged, too large, too many pages, timed out).
	DocRefused = "refused"
	// DocFailed: the document could not be fetched (HTTP error, network);
	// the next crawl tries again.
	DocFailed = "failed"
)

// Document is the fetched file behind an Attachment and its text, page by
// page.
type Document struct {
	// ContentType is the media type served, e.g. "application/pdf".
	ContentType string `json:"content_type"`
	// Bytes is the size of the file; SHA256 its content hash (hex).
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
	// Status is DocExtracted, DocRefused or DocFailed; Reason names a
	// refusal or failure (e.g. "encrypted", "image_only", "http 404").
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
	// PageCount is the number of pages of an extracted document.
	PageCount int `json:"page_count"`
	// Pages is the text of each page, Pages[0] being page 1. Views that
	// were not asked for the text leave it out (nil).
	Pages []string `json:"pages,omitempty"`
	// FetchedAt is when the file was last fetched or confirmed unchanged.
	FetchedAt time.Time `json:"fetched_at,omitzero"`
}

// MarshalJSON writes every list as [] rather than null, so consumers of the
// export and of the API never have to special-case a missing list.
func (a Article) MarshalJSON() ([]byte, error) {
	type plain Article
	p := plain(a)
	p.Regions = NonNil(p.Regions)
	p.Audiences = NonNil(p.Audiences)
	p.Topics = NonNil(p.Topics)
	p.Tags = NonNil(p.Tags)
	p.Attachments = NonNil(p.Attachments)
	p.Comments = NonNil(p.Comments)
	return json.Marshal(p)
}

// NonNil returns s, or an empty slice when s is nil: JSON lists are [] rather than null.
func NonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
