package engine

// This file is the whole Bleve mapping of an index generation: one document
// type ("article"), static, with only the features each field needs.

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
)

// SchemaVersion is the version of the mapping and of the document projection.
// It is stored inside every index generation (SetInternal); an index built
// with another version is not searched (ErrSchemaMismatch) but rebuilt.
//
// Version 2 added the combined full-text field (fText). Version 3 made fText
// an array [title, summary, body] with term vectors and dropped the separate
// body field: the body, most of an article's text, is analyzed and inverted
// once instead of twice (build throughput); a version-2 index is rebuilt.
// Version 4 added the stored hit card (fCard), the text of attached
// documents (fAttachment, page by page, with fAttachmentPages and
// fHasAttachment), the publisher keyword field (the publisher facet, with
// the publishers of the duplicates folded into an article) and the
// duplicate statistics of the build. Version 5 moved the whole article
// out of Bleve's stored fields into the generation's article store
// (articles.go): a version-4 generation has no store and is rebuilt.
const SchemaVersion = 5

// ErrSchemaMismatch is returned by Open when an index generation was
// built with another SchemaVersion (or carries none).
var ErrSchemaMismatch = errors.New("indexer: index schema version differs from this build")

// Analyzer names defined in the mapping.
const (
	// analyzerText: unicode tokenizer, English possessive, lower case,
	// English stop words, Porter stemmer. Apostrophes (’ ' ＇) and accents are
	// folded to ASCII before Bleve sees the text (see fold.Text in
	// document.go), so that the analyzer needs no globally registered custom
	// filter and token offsets stay valid for highlighting.
	analyzerText = "ss_text"
	// analyzerWords: unicode tokenizer + lower case, no stemming and no stop
	// words; feeds the "did you mean" dictionary with real words.
	analyzerWords = "ss_words"
)

// Document type and field names of the index.
const (
	docType = "article"

	fTitle      = "title"
	fSummary    = "summary"
	fComments   = "comments"
	fTagsText   = "tags_text"
	fAuthorText = "author_text"
	fSpell      = "spell"
	// fText is the array [title, summary, body] (textArray) in one field,
	// with term vectors. Long natural-language questions are ranked on it as
	// one bag of words (see feedback.go), which scores better than a sum over
	// fields; it is also the body's only field (phrases, highlighting: the
	// locations of array position textBody). What Bleve v2.6.3 / zapx v17
	// do with an array field (checked in their source):
	//   - field length and term frequencies are the sums over the elements
	//     (zapx section_inverted_text_index.go, process: reusableFieldLens
	//     += AnalyzedLength(), TokenFrequencies.MergeAll adds frequencies),
	//     so BM25 scores fText exactly as the one string
	//     title+"\n"+summary+"\n"+body (combinedText);
	//   - each element is analyzed on its own (positions restart at 1 and
	//     offsets are relative to the element), and every location carries
	//     the element's index as ArrayPositions[0] (mapping walkDocument
	//     appends the slice index; zapx stores it with the location);
	//   - a phrase does not cross elements: the phrase searcher
	//     (findPhrasePaths) requires equal ArrayPositions for consecutive
	//     terms, so "word-ending-the-title word-starting-the-body" is no
	//     phrase match.
	fText = "text"
	// fAttachment is the text of the extracted documents of an article's
	// attachments, one array element per non-empty page, with term vectors
	// (phrases, page-level hits). A location's ArrayPositions[0] is the
	// element; fAttachmentPages says which attachment and page it is.
	fAttachment = "attachment"
	// fAttachmentPages is the JSON of the elements of fAttachment (their
	// attachment, page and original text), stored and not indexed: the
	// stored article leaves the page text out, and only hits that matched
	// in a document read it.
	fAttachmentPages = "attachment_pages"
	// fHasAttachment is "true" for an article with at least one attachment
	// (attached or linked), else "false" (the has_attachment filter).
	fHasAttachment = "has_attachment"

	fRegion       = "region"
	fAudience     = "audience"
	fTopic        = "topic"
	fType         = "type"
	fTag          = "tag"
	fAuthor       = "author"
	fSource       = "source"
	fPublisher    = "publisher"
	fYear         = "year"
	fPublished    = "published"
	fUpdated      = "updated"
	fCommentCount = "comment_count"
	// fCard is what a hit without highlights shows (card, as JSON); stored,
	// not indexed. A page of hits decodes it instead of the whole article.
	fCard = "card"
)

// Keys of the values stored inside an index generation.
var (
	internalSchemaKey = []byte("safetysearch:schema_version")
	internalLabelsKey = []byte("safetysearch:facet_labels")
	internalStatsKey  = []byte("safetysearch:build_stats")
)

// facetFields maps a facet name to its keyword field.
var facetFields = map[string]string{
	FacetRegion:   fRegion,
	FacetAudience: fAudience,
	FacetTopic:    fTopic,
	FacetType:     fType,
	FacetYear:     fYear,
	FacetTag:      fTag,
	FacetAuthor:   fAuthor,

	FacetPublisher: fPublisher,
}

// Scoring models (Bleve's names).
const (
	ScoringBM25  = index.BM25Scoring  // "bm25", the default
	ScoringTFIDF = index.TFIDFScoring // "tf-idf"
)

// ScoringModel validates a scoring model name; "" is ScoringBM25.
func ScoringModel(s string) (string, error) {
	switch s {
	case "":
		return ScoringBM25, nil
	case ScoringBM25, ScoringTFIDF:
		return s, nil
	}
	return "", fmt.Errorf("indexer: Config.Scoring %q is not a scoring model; use %q (default) or %q", s, ScoringBM25, ScoringTFIDF)
}

// BuildMapping returns the index mapping used for every generation (with
// BM25 scoring). It is exported for tools and benchmarks; buildMapping is
// the implementation.
func BuildMapping() (mapping.IndexMapping, error) { return buildMapping(ScoringBM25) }

// buildMapping returns the mapping with the given scoring model (a value
// accepted by ScoringModel).
func buildMapping(scoring string) (mapping.IndexMapping, error) {
	model, err := ScoringModel(scoring)
	if err != nil {
		return nil, err
	}
	im := bleve.NewIndexMapping()
	im.ScoringModel = model
	im.TypeField = "_type"
	im.DefaultType = docType
	im.DefaultAnalyzer = analyzerText
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	im.DefaultMapping = bleve.NewDocumentDisabledMapping()

	if err := im.AddCustomAnalyzer(analyzerText, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []any{en.PossessiveName, lowercase.Name, en.StopName, porter.Name},
	}); err != nil {
		return nil, fmt.Errorf("indexer: mapping: %w", err)
	}
	if err := im.AddCustomAnalyzer(analyzerWords, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []any{en.PossessiveName, lowercase.Name},
	}); err != nil {
		return nil, fmt.Errorf("indexer: mapping: %w", err)
	}

	dm := bleve.NewDocumentStaticMapping()
	for _, f := range []string{fTitle, fSummary, fText, fComments, fTagsText, fAuthorText, fAttachment} {
		dm.AddFieldMappingsAt(f, textField(analyzerText))
	}
	spell := textField(analyzerWords)
	spell.IncludeTermVectors = false
	dm.AddFieldMappingsAt(fSpell, spell)
	for _, f := range []string{fRegion, fAudience, fTopic, fType, fTag, fAuthor, fSource, fYear, fHasAttachment, fPublisher} {
		dm.AddFieldMappingsAt(f, keywordField())
	}
	for _, f := range []string{fPublished, fUpdated} {
		dt := bleve.NewDateTimeFieldMapping()
		dt.Store = false
		dt.IncludeInAll = false
		dt.DocValues = true
		dm.AddFieldMappingsAt(f, dt)
	}
	num := bleve.NewNumericFieldMapping()
	num.Store = false
	num.IncludeInAll = false
	num.DocValues = true
	dm.AddFieldMappingsAt(fCommentCount, num)

	dm.AddFieldMappingsAt(fCard, storedField())
	dm.AddFieldMappingsAt(fAttachmentPages, storedField())

	im.AddDocumentMapping(docType, dm)
	if err := im.Validate(); err != nil {
		return nil, fmt.Errorf("indexer: mapping: %w", err)
	}
	return im, nil
}

// textField is an analyzed, searchable field with positions and offsets
// (phrases, match locations for highlighting and comment counting). The text
// is not stored by Bleve: the article JSON carries it.
func textField(analyzer string) *mapping.FieldMapping {
	f := bleve.NewTextFieldMapping()
	f.Analyzer = analyzer
	f.Store = false
	f.Index = true
	f.IncludeTermVectors = true
	f.IncludeInAll = false
	f.DocValues = false
	return f
}

// keywordField holds normalised (folded, lower-case) values for filters,
// facets and field queries.
func keywordField() *mapping.FieldMapping {
	f := bleve.NewKeywordFieldMapping()
	f.Store = false
	f.IncludeTermVectors = false
	f.IncludeInAll = false
	f.DocValues = true
	return f
}

// storedField is a value kept whole for reading back, not searchable.
func storedField() *mapping.FieldMapping {
	f := bleve.NewTextFieldMapping()
	f.Analyzer = keyword.Name
	f.Index = false
	f.Store = true
	f.IncludeTermVectors = false
	f.IncludeInAll = false
	f.DocValues = false
	return f
}

// createIndex makes a new on-disk scorch index at dir with the BM25 mapping
// and records SchemaVersion inside it.
func createIndex(dir string) (bleve.Index, error) { return CreateIndex(dir, ScoringBM25) }

// CreateIndex makes a new on-disk scorch index at dir with the mapping of
// the scoring model (ScoringBM25 or ScoringTFIDF) and records SchemaVersion
// inside it.
func CreateIndex(dir, scoring string) (bleve.Index, error) {
	im, err := buildMapping(scoring)
	if err != nil {
		return nil, err
	}
	var idx bleve.Index
	err = Safely(func() error {
		var err error
		idx, err = bleve.NewUsing(dir, im, scorch.Name, scorch.Name, map[string]any{"bolt_timeout": "5s"})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("indexer: create index %s: %w", dir, err)
	}
	if err := Safely(func() error {
		return idx.SetInternal(internalSchemaKey, []byte(strconv.Itoa(SchemaVersion)))
	}); err != nil {
		_ = idx.Close()
		return nil, fmt.Errorf("indexer: create index %s: record schema: %w", dir, err)
	}
	return idx, nil
}

// storedSchemaVersion reads the schema version recorded in idx; 0 when none.
func storedSchemaVersion(idx bleve.Index) (int, error) {
	var raw []byte
	if err := Safely(func() error {
		var err error
		raw, err = idx.GetInternal(internalSchemaKey)
		return err
	}); err != nil {
		return 0, fmt.Errorf("indexer: read schema version: %w", err)
	}
	if len(raw) == 0 {
		return 0, nil
	}
	v, err := strconv.Atoi(string(raw))
	if err != nil {
		return 0, fmt.Errorf("indexer: read schema version %q: %w", raw, err)
	}
	return v, nil
}
