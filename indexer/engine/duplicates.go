package engine

// This file is the duplicate step of a build: the articles are read once
// into a spool file while their signatures are collected, the groups of
// articles that are one document are found (package dedup), and the build
// then indexes one article per group carrying the others (AlsoPublished).
// The spool exists because a build's source is a stream (the child process
// reads it from a pipe) and the groups are known only after the last
// article.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/dedup"
)

// BuildStats counts what a build did with duplicates. Its JSON form is
// stored inside the generation.
type BuildStats struct {
	Articles int `json:"articles"` // read from the source
	// DuplicateGroups is the number of groups of two or more articles that
	// are one document; Folded the articles not indexed because another of
	// their group stands for them.
	DuplicateGroups int `json:"duplicate_groups"`
	Folded          int `json:"folded"`
}

// articleMeta is what the grouping keeps of each spooled article.
type articleMeta struct {
	dup       article.Duplicate
	published time.Time
	sig       dedup.Signature
}

// spool is the articles of a build in a temporary file, in source order,
// with their metadata in memory.
type spool struct {
	f     *os.File
	metas []articleMeta
}

// spoolArticles reads every article of each into a temporary file,
// refusing an article without ID or an ID produced twice.
func spoolArticles(ctx context.Context, each func(fn func(article.Article) error) error) (*spool, error) {
	f, err := os.CreateTemp("", "safetysearch-build-*.jsonl")
	if err != nil {
		return nil, fmt.Errorf("indexer: build spool: %w", err)
	}
	sp := &spool{f: f}
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	seen := map[string]bool{}
	err = each(func(a article.Article) error {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("indexer: fill index: %w", err)
		}
		if a.ID == "" {
			return fmt.Errorf("indexer: article without id (url %q)", a.URL)
		}
		if seen[a.ID] {
			return fmt.Errorf("indexer: article %s produced twice", a.ID)
		}
		seen[a.ID] = true
		if err := enc.Encode(a); err != nil {
			return fmt.Errorf("indexer: build spool: write %s: %w", a.ID, err)
		}
		sp.metas = append(sp.metas, articleMeta{
			dup:       article.Duplicate{ID: a.ID, URL: a.URL, Source: a.Source, Publisher: a.PublisherName(), Title: a.Title},
			published: a.Published,
			sig:       dedup.Sign(a.Source, a.URL, a.Body),
		})
		return nil
	})
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		sp.remove()
		return nil, err
	}
	return sp, nil
}

// each calls fn with every spooled article and its position, in order.
func (sp *spool) each(ctx context.Context, fn func(i int, a article.Article) error) error {
	if _, err := sp.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("indexer: build spool: %w", err)
	}
	dec := json.NewDecoder(bufio.NewReaderSize(sp.f, 1<<20))
	for i := 0; ; i++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("indexer: fill index: %w", err)
		}
		var a article.Article
		if err := dec.Decode(&a); err != nil {
			if errors.Is(err, io.EOF) && i == len(sp.metas) {
				return nil
			}
			return fmt.Errorf("indexer: build spool: read article %d of %d: %w", i+1, len(sp.metas), err)
		}
		if err := fn(i, a); err != nil {
			return err
		}
	}
}

func (sp *spool) remove() {
	_ = sp.f.Close()
	_ = os.Remove(sp.f.Name())
}

// groupPublishers are the publishers and sources of the duplicates folded
// into an article, indexed on it so that their filters find it.
type groupPublishers struct {
	publishers, sources []string
}

// foldGroup is one group of duplicates: the position of the article that
// stands for it and what it carries of the others.
type foldGroup struct {
	rep        int
	also       []article.Duplicate
	publishers groupPublishers
}

// folding is the outcome of grouping a build's articles.
type folding struct {
	groupOf map[int]*foldGroup // position → its group, for grouped articles only
	stats   BuildStats
}

// foldDuplicates groups the articles that are one document and chooses
// the article that stands for each group: the earliest published (an
// article without a date after every dated one), then the smallest ID, so
// that the choice depends on the articles only, not on the order the
// source yields them. The others are listed in the same order.
func foldDuplicates(metas []articleMeta) folding {
	sigs := make([]dedup.Signature, len(metas))
	for i, m := range metas {
		sigs[i] = m.sig
	}
	out := folding{groupOf: map[int]*foldGroup{}, stats: BuildStats{Articles: len(metas)}}
	for _, members := range dedup.Group(sigs) {
		sort.Slice(members, func(a, b int) bool { return earlier(metas[members[a]], metas[members[b]]) })
		g := &foldGroup{rep: members[0], also: make([]article.Duplicate, 0, len(members)-1)}
		for _, i := range members {
			out.groupOf[i] = g
			if i == g.rep {
				continue
			}
			g.also = append(g.also, metas[i].dup)
			g.publishers.publishers = append(g.publishers.publishers, metas[i].dup.Publisher)
			g.publishers.sources = append(g.publishers.sources, metas[i].dup.Source)
		}
		out.stats.DuplicateGroups++
		out.stats.Folded += len(members) - 1
	}
	return out
}

// earlier orders the articles of a group: dated before undated, earlier
// date first, then ID.
func earlier(a, b articleMeta) bool {
	az, bz := a.published.IsZero(), b.published.IsZero()
	if az != bz {
		return bz
	}
	if !a.published.Equal(b.published) {
		return a.published.Before(b.published)
	}
	return a.dup.ID < b.dup.ID
}

// BuildStats reads the duplicate statistics the build stored in the
// generation; zero when it stored none.
func (e *Engine) BuildStats() (BuildStats, error) {
	var st BuildStats
	err := Safely(func() error {
		raw, err := e.idx.GetInternal(internalStatsKey)
		if err != nil || len(raw) == 0 {
			return err
		}
		return json.Unmarshal(raw, &st)
	})
	if err != nil {
		return BuildStats{}, fmt.Errorf("indexer: read build stats: %w", err)
	}
	return st, nil
}
