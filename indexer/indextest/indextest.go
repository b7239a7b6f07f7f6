// Package indextest holds test helpers for code that rebuilds an index:
// in-memory sources (one that blocks until released), small deterministic
// articles, a goroutine-safe test logger and a poll-until helper. It imports
// nothing of ours but the document contract, so that the indexer's own
// packages can use it in their tests.
package indextest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
)

// SliceSource is an in-memory rebuild source.
type SliceSource []article.Article

// Count returns the number of articles.
func (s SliceSource) Count(ctx context.Context) (int, error) { return len(s), ctx.Err() }

// Each calls fn for every article, stopping at the first error.
func (s SliceSource) Each(ctx context.Context, fn func(article.Article) error) error {
	for _, a := range s {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(a); err != nil {
			return err
		}
	}
	return nil
}

var lifecycleTopics = []string{"Sepsis", "Falls", "Medication safety", "PSIRF", "VTE"}

// LifecycleArticle is a small, deterministic article number i.
func LifecycleArticle(i int) article.Article {
	topic := lifecycleTopics[i%len(lifecycleTopics)]
	return article.Article{
		ID:          fmt.Sprintf("life:r%d", i),
		URL:         fmt.Sprintf("https://example.org/r%d", i),
		Source:      "life",
		Title:       fmt.Sprintf("%s learning note %d", topic, i),
		Author:      "Author " + string(rune('A'+i%7)),
		Published:   time.Date(2020+i%5, time.Month(1+i%12), 1+i%28, 12, 0, 0, 0, time.UTC),
		ContentType: "Reports and articles",
		Regions:     []string{"UK"},
		Audiences:   []string{"Everyone"},
		Topics:      []string{topic},
		Tags:        []string{"UK", topic},
		Summary:     "A summary about " + topic + " in hospitals.",
		Body:        strings.Repeat("Patients and staff learned how "+topic+" incidents happen on wards. ", 5+i%11),
	}
}

// LifecycleArticles is articles 0 … n-1.
func LifecycleArticles(n int) SliceSource {
	out := make(SliceSource, n)
	for i := range out {
		out[i] = LifecycleArticle(i)
	}
	return out
}

// LogBuffer is a goroutine-safe sink for a test logger.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Logger is a debug-level text logger writing to the returned buffer.
func Logger(t testing.TB) (*slog.Logger, *LogBuffer) {
	t.Helper()
	b := &LogBuffer{}
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

// WaitFor polls cond until it holds or ten seconds pass.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// GatedSource is a source whose Each waits for Release (or its context)
// before yielding its articles, so that a test can look at a rebuild while
// it runs. Started is closed when Each begins. Use it once.
type GatedSource struct {
	SliceSource
	Started chan struct{}
	release chan struct{}
	once    sync.Once
}

// NewGatedSource is a GatedSource of arts.
func NewGatedSource(arts []article.Article) *GatedSource {
	return &GatedSource{SliceSource: arts, Started: make(chan struct{}), release: make(chan struct{})}
}

// Each waits for Release, then yields the articles.
func (g *GatedSource) Each(ctx context.Context, fn func(article.Article) error) error {
	close(g.Started)
	select {
	case <-g.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return g.SliceSource.Each(ctx, fn)
}

// Release lets Each go on.
func (g *GatedSource) Release() { g.once.Do(func() { close(g.release) }) }
