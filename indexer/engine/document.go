package engine

// This file projects an Article onto the Bleve document of the mapping and
// fills a fresh index generation in bounded batches.

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/docstore"
	"github.com/safetysearch/safetysearch/indexer/fold"

	"github.com/blevesearch/bleve/v2"
)

// Batch bounds for Fill: a batch is executed when it reaches either.
// batchWriterCount batches are in memory at once, so the build's peak memory
// is about batchWriterCount times these; smaller batches mean more merges.
const (
	batchMaxDocs  = 250
	batchMaxBytes = 4 << 20
)

// projectArticle is the Bleve document of an Article. It returns the
// document, the article's JSON for the article store (see articles.go) and
// a size estimate in bytes for batch bounding.
// Publishers and sources of duplicates folded into a are in also: a filter
// on either finds the article that stands for them.
func projectArticle(a article.Article, also groupPublishers) (map[string]any, []byte, int, error) {
	raw, err := json.Marshal(withoutPageText(a))
	if err != nil {
		return nil, nil, 0, fmt.Errorf("indexer: encode article %s: %w", a.ID, err)
	}
	comments := make([]string, 0, len(a.Comments))
	for _, c := range a.Comments {
		comments = append(comments, fold.Text(c.Body))
	}
	tagsText := make([]string, 0, len(a.Tags))
	for _, t := range a.Tags {
		tagsText = append(tagsText, fold.Text(t))
	}
	spell := make([]string, 0, 2+len(a.Tags)+len(a.Topics))
	spell = append(spell, fold.Text(a.Title), fold.Text(a.Summary))
	spell = append(spell, tagsText...)
	for _, t := range a.Topics {
		spell = append(spell, fold.Text(t))
	}
	rawCard, err := json.Marshal(cardOf(a))
	if err != nil {
		return nil, nil, 0, fmt.Errorf("indexer: encode card of article %s: %w", a.ID, err)
	}
	title, summary, body := fold.Text(a.Title), fold.Text(a.Summary), fold.Text(a.Body)
	doc := map[string]any{
		"_type":        docType,
		fText:          textArray(title, summary, body),
		fTitle:         title,
		fSummary:       summary,
		fComments:      comments,
		fTagsText:      tagsText,
		fAuthorText:    fold.Text(a.Author),
		fSpell:         spell,
		fRegion:        keys(a.Regions),
		fAudience:      keys(a.Audiences),
		fTopic:         keys(a.Topics),
		fType:          keys([]string{a.ContentType}),
		fTag:           keys(a.Tags),
		fAuthor:        keys([]string{a.Author}),
		fSource:        keys(append([]string{a.Source}, also.sources...)),
		fPublisher:     keys(append([]string{a.PublisherName()}, also.publishers...)),
		fCommentCount:  float64(len(a.Comments)),
		fHasAttachment: hasAttachmentValue(len(a.Attachments) > 0),
		fCard:          string(rawCard),
	}
	size := len(raw) * 2
	if pages := attachmentPages(a); len(pages) > 0 {
		texts := make([]string, len(pages))
		for i, p := range pages {
			texts[i] = fold.Text(p.Text)
		}
		table, err := json.Marshal(pages)
		if err != nil {
			return nil, nil, 0, fmt.Errorf("indexer: encode attachment pages of %s: %w", a.ID, err)
		}
		doc[fAttachment] = texts
		doc[fAttachmentPages] = string(table)
		size += len(table) * 2
	}
	if !a.Published.IsZero() {
		doc[fPublished] = a.Published.UTC()
		doc[fYear] = strconv.Itoa(a.Published.UTC().Year())
	}
	if !a.Updated.IsZero() {
		doc[fUpdated] = a.Updated.UTC()
	}
	return doc, raw, size, nil
}

// card is the part of an article that a hit without highlights shows,
// stored in Bleve (fCard): the whole article, in the article store, carries
// the body, comments and attachments, which such a hit does not read.
type card struct {
	ID          string    `json:"id"`
	URL         string    `json:"url"`
	Title       string    `json:"title"`
	Author      string    `json:"author"`
	Published   time.Time `json:"published,omitzero"`
	ContentType string    `json:"content_type"`
	Regions     []string  `json:"regions"`
	Audiences   []string  `json:"audiences"`
	Topics      []string  `json:"topics"`
	Tags        []string  `json:"tags"`
	Comments    int       `json:"comments"`
	Source      string    `json:"source"`
	Publisher   string    `json:"publisher,omitempty"`
	// AlsoPublished are the duplicates folded into the article.
	AlsoPublished []article.Duplicate `json:"also_published,omitempty"`
	// Attachments are the names and URLs a hit matched in a document
	// lists (Hit.Documents), without the documents.
	Attachments []article.Attachment `json:"attachments,omitempty"`
}

func cardOf(a article.Article) card {
	return card{
		ID: a.ID, URL: a.URL, Title: a.Title, Author: a.Author, Published: a.Published,
		ContentType: a.ContentType, Regions: a.Regions, Audiences: a.Audiences, Topics: a.Topics, Tags: a.Tags,
		Comments: len(a.Comments), Attachments: cardAttachments(a.Attachments),
		Source: a.Source, Publisher: a.Publisher, AlsoPublished: a.AlsoPublished,
	}
}

func cardAttachments(as []article.Attachment) []article.Attachment {
	if len(as) == 0 {
		return nil
	}
	out := make([]article.Attachment, len(as))
	for i, at := range as {
		out[i] = article.Attachment{Name: at.Name, URL: at.URL, Linked: at.Linked}
	}
	return out
}

// Array positions of the elements of fText (see textArray).
const (
	textTitle   = 0
	textSummary = 1
	textBody    = 2
)

// textArray is the value of the combined field fText: title, summary and
// body as the array elements textTitle, textSummary, textBody. Each element
// is analyzed on its own, so its match offsets are relative to it.
func textArray(title, summary, body string) []string {
	return []string{textTitle: title, textSummary: summary, textBody: body}
}

// combinedText is title, summary and body on separate lines: analyzed, it
// gives the same terms and counts as the field fText (the elements of
// textArray), which is what pseudo-relevance feedback analyzes of its
// feedback articles.
func combinedText(title, summary, body string) string {
	return title + "\n" + summary + "\n" + body
}

// keys normalises keyword values, dropping empty ones and duplicates.
func keys(vals []string) []string {
	out := make([]string, 0, len(vals))
	seen := make(map[string]bool, len(vals))
	for _, v := range vals {
		k := fold.Key(v)
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, k)
	}
	return out
}

// labelCounter collects, per facet, the published spellings of each
// normalised value and how often each was seen.
type labelCounter map[string]map[string]map[string]int

func (lc labelCounter) add(facet string, vals ...string) {
	m := lc[facet]
	if m == nil {
		m = map[string]map[string]int{}
		lc[facet] = m
	}
	for _, v := range vals {
		v = strings.Join(strings.Fields(v), " ")
		k := fold.Key(v)
		if k == "" {
			continue
		}
		if m[k] == nil {
			m[k] = map[string]int{}
		}
		m[k][v]++
	}
}

// labels picks, for every value, its most frequent published spelling
// (ties: the lexically smallest), giving facet → key → label.
func (lc labelCounter) labels() map[string]map[string]string {
	out := make(map[string]map[string]string, len(lc))
	for facet, m := range lc {
		lm := make(map[string]string, len(m))
		for k, spellings := range m {
			cands := make([]string, 0, len(spellings))
			for s := range spellings {
				cands = append(cands, s)
			}
			sort.Slice(cands, func(i, j int) bool {
				if spellings[cands[i]] != spellings[cands[j]] {
					return spellings[cands[i]] > spellings[cands[j]]
				}
				return cands[i] < cands[j]
			})
			lm[k] = cands[0]
		}
		out[facet] = lm
	}
	return out
}

func (lc labelCounter) addArticle(a article.Article) {
	lc.add(FacetRegion, a.Regions...)
	lc.add(FacetAudience, a.Audiences...)
	lc.add(FacetTopic, a.Topics...)
	lc.add(FacetType, a.ContentType)
	lc.add(FacetTag, a.Tags...)
	lc.add(FacetAuthor, a.Author)
	lc.add(FacetPublisher, a.PublisherName())
	if !a.Published.IsZero() {
		lc.add(FacetYear, strconv.Itoa(a.Published.UTC().Year()))
	}
}

// Fill indexes every article produced by each, in batches bounded by
// documents and bytes executed by batchWriterCount concurrent writers (see
// batchwriters.go), writes the articles to the article store in dir, the
// generation's directory that holds idx (see articles.go), then stores the
// facet label dictionaries and the duplicate statistics (BuildStats) inside
// the index. The article store is complete and synced when Fill returns
// without error. Articles that are one document (package dedup) are indexed
// once: see foldDuplicates. It returns the number of documents indexed. It
// checks ctx between articles and batches and returns the first error;
// after one, no further batch is executed and the article store is
// removed. The documents' internal order in the index then depends on
// which batch finished first: result order must not rely on it (see
// sortOrder).
func Fill(ctx context.Context, idx bleve.Index, dir string, each func(fn func(article.Article) error) error) (int, error) {
	sp, err := spoolArticles(ctx, each)
	if err != nil {
		return 0, err
	}
	defer sp.remove()
	folded := foldDuplicates(sp.metas)
	store, err := docstore.Create(articleStorePath(dir))
	if err != nil {
		return 0, fmt.Errorf("indexer: article store: %w", err)
	}
	n, err := fill(ctx, idx, sp, folded, store)
	if err != nil {
		_ = store.Discard()
		return n, err
	}
	if err := store.Close(); err != nil {
		return n, fmt.Errorf("indexer: article store: %w", err)
	}
	return n, nil
}

// fill is Fill once the articles are spooled and the store is created.
func fill(ctx context.Context, idx bleve.Index, sp *spool, folded folding, store *docstore.Writer) (int, error) {
	labels := labelCounter{}
	writers := newBatchWriters(ctx, idx, batchWriterCount)
	batch, err := writers.get()
	if err != nil {
		_, err := writers.close()
		return 0, err
	}
	pending, pendingBytes := 0, 0

	flush := func() error {
		if pending == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("indexer: fill index: %w", err)
		}
		if err := writers.put(batch, pending); err != nil {
			return err
		}
		pending, pendingBytes = 0, 0
		var err error
		batch, err = writers.get()
		return err
	}

	err = sp.each(ctx, func(i int, a article.Article) error {
		g, inGroup := folded.groupOf[i]
		if inGroup && g.rep != i {
			return nil
		}
		var also groupPublishers
		if inGroup {
			a.AlsoPublished = g.also
			also = g.publishers
		}
		doc, raw, size, err := projectArticle(a, also)
		if err != nil {
			return err
		}
		if err := Safely(func() error { return batch.Index(a.ID, doc) }); err != nil {
			return fmt.Errorf("indexer: add %s to batch: %w", a.ID, err)
		}
		if err := store.Add(a.ID, raw); err != nil {
			return fmt.Errorf("indexer: article store: %w", err)
		}
		labels.addArticle(a)
		for _, d := range a.AlsoPublished {
			labels.add(FacetPublisher, d.Publisher)
		}
		pending++
		pendingBytes += size
		if pending >= batchMaxDocs || pendingBytes >= batchMaxBytes {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		writers.fail(err) // the first error wins: a writer's may be earlier
	}
	total, err := writers.close()
	if err != nil {
		return total, err
	}
	raw, err := json.Marshal(labels.labels())
	if err != nil {
		return total, fmt.Errorf("indexer: encode facet labels: %w", err)
	}
	if err := Safely(func() error { return idx.SetInternal(internalLabelsKey, raw) }); err != nil {
		return total, fmt.Errorf("indexer: store facet labels: %w", err)
	}
	stats, err := json.Marshal(folded.stats)
	if err != nil {
		return total, fmt.Errorf("indexer: encode build stats: %w", err)
	}
	if err := Safely(func() error { return idx.SetInternal(internalStatsKey, stats) }); err != nil {
		return total, fmt.Errorf("indexer: store build stats: %w", err)
	}
	return total, nil
}
