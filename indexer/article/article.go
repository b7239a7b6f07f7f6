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
