package indexer

import (
	"encoding/json"

	"github.com/blevesearch/bleve/v2/search"
)

// hitsToLocate returns the hits of a page whose match locations are used:
// all of them with highlights; without, only the articles with comments,
// whose matched comments are counted (Hit.MatchedComments, the one figure
// of a hit without highlights that comes from locations). Locating costs a
// search, which a page of articles without comments skips.
func hitsToLocate(hits search.DocumentMatchCollection, highlight bool) search.DocumentMatchCollection {
	if highlight {
		return hits
	}
	var out search.DocumentMatchCollection
	for _, h := range hits {
		raw, _ := h.Fields[fArticle].(string)
		var d struct {
			Comments []struct{} `json:"comments"`
		}
		// A hit whose stored article cannot be read is located as before;
		// hit() reports the problem.
		if raw == "" || json.Unmarshal([]byte(raw), &d) != nil || len(d.Comments) > 0 {
			out = append(out, h)
		}
	}
	return out
}
