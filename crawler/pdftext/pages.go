package pdftext

import (
	"context"
	"io"
	"time"
)

// ExtractPages is Extract with the limits given one by one, returning the
// text of every page (page 1 first): the crawler's DocumentExtractor. The
// object cap keeps its default.
func (e *Extractor) ExtractPages(ctx context.Context, r io.Reader, maxBytes int64, maxPages int, timeout time.Duration) ([]string, error) {
	doc, err := e.Extract(ctx, r, Limits{MaxBytes: maxBytes, MaxPages: maxPages, Timeout: timeout})
	if err != nil {
		return nil, err
	}
	pages := make([]string, len(doc.Pages))
	for i, p := range doc.Pages {
		pages[i] = p.Text
	}
	return pages, nil
}

// RefusalReason is StatusOf for a refusal (the document's fault), or ""
// when the extractor failed or the caller gave up (worth retrying).
func (e *Extractor) RefusalReason(err error) string {
	switch st := StatusOf(err); st {
	case StatusOK, StatusError:
		return ""
	default:
		return string(st)
	}
}
