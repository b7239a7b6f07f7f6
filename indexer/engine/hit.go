package engine

// This file is the highlight step of a search: the match locations of the
// page's hits only, and each hit built from its article (article store)
// with the highlights (package highlight) of its title, body and comments,
// or from its card alone without highlights.

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/highlight"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// hit turns a Bleve match into a Hit, with highlights when asked. pages
// is the attachment page table of a match located inside documents (see
// storedPages), nil otherwise.
func (e *Engine) hit(h *search.DocumentMatch, marked bool, pages []docPage) (Hit, error) {
	hit := Hit{
		Score:      h.Score,
		Highlights: Highlights{Title: []string{}, Body: []string{}, Comments: []string{}},
		Documents:  []DocumentHit{},
	}
	commentSpans := spansByArray(h.Locations[fComments])
	hit.MatchedComments = len(commentSpans)
	if !marked {
		// The hit needs no body or comment text: its card is enough.
		c, err := decodeCard(h)
		if err != nil {
			return Hit{}, err
		}
		hit.ID, hit.URL, hit.Title, hit.Published, hit.Author, hit.Type = c.ID, c.URL, c.Title, c.Published, c.Author, c.ContentType
		hit.Regions, hit.Audiences, hit.Topics, hit.Tags = article.NonNil(c.Regions), article.NonNil(c.Audiences), article.NonNil(c.Topics), article.NonNil(c.Tags)
		hit.CommentCount = c.Comments
		if len(pages) > 0 {
			hit.Documents = documentHits(article.Article{Attachments: c.Attachments}, pages, spansByArray(h.Locations[fAttachment]), false, e.fragSize)
		}
		hit.Publisher = article.Article{Source: c.Source, Publisher: c.Publisher}.PublisherName()
		hit.AlsoPublished = article.NonNil(c.AlsoPublished)
		return hit, nil
	}
	a, err := e.storedArticle(h.ID)
	if err != nil {
		return Hit{}, err
	}
	hit.ID, hit.URL, hit.Title, hit.Published, hit.Author, hit.Type = a.ID, a.URL, a.Title, a.Published, a.Author, a.ContentType
	hit.Regions, hit.Audiences, hit.Topics, hit.Tags = article.NonNil(a.Regions), article.NonNil(a.Audiences), article.NonNil(a.Topics), article.NonNil(a.Tags)
	hit.CommentCount = len(a.Comments)
	hit.Publisher, hit.AlsoPublished = a.PublisherName(), article.NonNil(a.AlsoPublished)
	if sp := spansByArray(h.Locations[fTitle])[0]; len(sp) > 0 {
		hit.Highlights.Title = []string{highlight.MarkAll(a.Title, sp)}
	}
	// The body is the element textBody of fText (offsets relative to it).
	if sp := spansByArray(h.Locations[fText])[textBody]; len(sp) > 0 {
		hit.Highlights.Body = highlight.Fragments(a.Body, sp, e.fragSize, maxBodyFragments)
	} else if sp := spansByArray(h.Locations[fSummary])[0]; len(sp) > 0 {
		hit.Highlights.Body = highlight.Fragments(a.Summary, sp, e.fragSize, maxBodyFragments)
	}
	if len(pages) > 0 {
		hit.Documents = documentHits(a, pages, spansByArray(h.Locations[fAttachment]), true, e.fragSize)
	}
	positions := make([]int, 0, len(commentSpans))
	for p := range commentSpans {
		positions = append(positions, p)
	}
	sort.Ints(positions)
	for _, p := range positions {
		if len(hit.Highlights.Comments) == maxCommentFragments {
			break
		}
		if p < len(a.Comments) {
			hit.Highlights.Comments = append(hit.Highlights.Comments, highlight.Fragments(a.Comments[p].Body, commentSpans[p], e.fragSize, 1)...)
		}
	}
	return hit, nil
}

// decodeCard reads the stored card (fCard) of a hit.
func decodeCard(h *search.DocumentMatch) (card, error) {
	raw, _ := h.Fields[fCard].(string)
	if raw == "" {
		return card{}, fmt.Errorf("indexer: article %s: stored card missing", h.ID)
	}
	var c card
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return card{}, fmt.Errorf("indexer: article %s: decode card: %w", h.ID, err)
	}
	return c, nil
}

// Highlight limits: body (or summary) fragments per hit, comments shown.
const (
	maxBodyFragments    = 2
	maxCommentFragments = 3
)

// spansByArray groups the match locations of one field by array position
// (comment index; 0 for single-valued fields), in the folded text's offsets.
func spansByArray(tlm search.TermLocationMap) map[int][]highlight.Span {
	out := map[int][]highlight.Span{}
	for _, locs := range tlm {
		for _, l := range locs {
			p := 0
			if len(l.ArrayPositions) > 0 {
				p = int(l.ArrayPositions[0])
			}
			out[p] = append(out[p], highlight.Span{Start: int(l.Start), End: int(l.End)})
		}
	}
	return out
}

// locate sets the match locations of hits from the per-field query q,
// searched among those hits only.
func (e *Engine) locate(ctx context.Context, q query.Query, hits search.DocumentMatchCollection) error {
	if len(hits) == 0 {
		return nil
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	req := bleve.NewSearchRequestOptions(query.NewConjunctionQuery([]query.Query{query.NewDocIDQuery(ids), q}), len(ids), 0, false)
	req.IncludeLocations = true
	// Phrases check only these documents (phraseQuery).
	res, err := e.run(context.WithValue(ctx, locateDocsKey{}, ids), req)
	if err != nil {
		return err
	}
	locs := make(map[string]search.FieldTermLocationMap, len(res.Hits))
	for _, h := range res.Hits {
		locs[h.ID] = h.Locations
	}
	for _, h := range hits {
		h.Locations = locs[h.ID]
	}
	return nil
}

// hitsToLocate returns the hits of a page whose match locations are used:
// all of them with highlights; without, only the articles with comments,
// whose matched comments are counted (Hit.MatchedComments), and those with
// attachments, whose matched pages are listed (Hit.Documents): the figures
// of a hit without highlights that come from locations. Locating costs a
// search, which a page of articles without either skips.
func hitsToLocate(hits search.DocumentMatchCollection, highlight bool) search.DocumentMatchCollection {
	if highlight {
		return hits
	}
	var out search.DocumentMatchCollection
	for _, h := range hits {
		// A hit whose card cannot be read is located as before; hit()
		// reports the problem.
		if c, err := decodeCard(h); err != nil || c.Comments > 0 || len(c.Attachments) > 0 {
			out = append(out, h)
		}
	}
	return out
}

// pagesOfHits reads the attachment page tables of the hits located inside
// documents (see storedPages), by id.
func (e *Engine) pagesOfHits(ctx context.Context, hits search.DocumentMatchCollection) (map[string][]docPage, error) {
	var ids []string
	for _, h := range hits {
		if len(h.Locations[fAttachment]) > 0 {
			ids = append(ids, h.ID)
		}
	}
	return e.storedPages(ctx, ids)
}
