// Package indexer owns the document contract of safetysearch (Article,
// Comment, Attachment), the Bleve index built from the crawler's store, the
// query model used by the API and the command line, and the scheduled,
// zero-downtime rebuild.
//
// Data flows crawl → store → index → API: package crawler produces Articles,
// package indexer indexes and searches them, package searchapi serves them.
//
// This file holds the document types only and must not import Bleve.
package indexer

import (
	"encoding/json"
	"time"
)

// Article is one publication (an IPS Pages record on pslhub) with its tags
// and comments. Its JSON form is the shape of `safetysearch export` and of
// GET /api/v1/articles/{id}: exactly these keys, with published and updated
// omitted when unknown and every list present (never null).
type Article struct {
	ID          string       `json:"id"`     // stable: "<source>:r<record id>"
	URL         string       `json:"url"`    // canonical URL
	Source      string       `json:"source"` // source name, e.g. "pslhub"
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

// Attachment is a file linked from an article.
type Attachment struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// MarshalJSON writes every list as [] rather than null, so consumers of the
// export and of the API never have to special-case a missing list.
func (a Article) MarshalJSON() ([]byte, error) {
	type plain Article
	p := plain(a)
	p.Regions = nonNil(p.Regions)
	p.Audiences = nonNil(p.Audiences)
	p.Topics = nonNil(p.Topics)
	p.Tags = nonNil(p.Tags)
	p.Attachments = nonNil(p.Attachments)
	p.Comments = nonNil(p.Comments)
	return json.Marshal(p)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
