package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/safetysearch/safetysearch/indexer/article"
)

// sliceStore is an articleStore over a slice the test's crawl replaces.
type sliceStore struct{ arts []article.Article }

func (s *sliceStore) Each(_ context.Context, fn func(article.Article) error) error {
	for _, a := range s.arts {
		if err := fn(a); err != nil {
			return err
		}
	}
	return nil
}

// TestWithHealthCheckWarnsOfDrops: a crawl after which the authors are
// gone (a redesign) logs a warning naming the source and field, and the
// crawl's own result and error pass through.
func TestWithHealthCheckWarnsOfDrops(t *testing.T) {
	st := &sliceStore{arts: []article.Article{
		{Source: "hub", Title: "A", Author: "Ann", Body: "x"},
		{Source: "hub", Title: "B", Author: "Bob", Body: "y"},
	}}
	var logBuf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logBuf, nil))
	crawlErr := errors.New("one page failed")
	n, err := withHealthCheck(context.Background(), st, logger, func() (int, error) {
		st.arts = append([]article.Article{}, st.arts...)
		for i := range st.arts {
			st.arts[i].Author = ""
		}
		st.arts = append(st.arts, article.Article{Source: "hub", Title: "C", Body: "z"})
		return 7, crawlErr
	})
	if n != 7 || !errors.Is(err, crawlErr) {
		t.Errorf("result %d, %v", n, err)
	}
	log := logBuf.String()
	if !strings.Contains(log, "extraction health dropped") || !strings.Contains(log, "source=hub field=author") {
		t.Errorf("log lacks the author drop:\n%s", log)
	}
	if strings.Contains(log, "field=title") || strings.Contains(log, "field=body") {
		t.Errorf("log warns of a field that did not drop:\n%s", log)
	}

	logBuf.Reset()
	if _, err := withHealthCheck(context.Background(), st, logger, func() (int, error) { return 0, nil }); err != nil || strings.Contains(logBuf.String(), "dropped") {
		t.Errorf("unchanged store: %v\n%s", err, logBuf.String())
	}
}
