package engine

// This file is where a generation keeps its articles: a document store
// (package docstore) next to the Bleve index in the generation's
// directory, written by Fill and read by id. Bleve stores only what a page
// of hits reads for every hit (fCard, fAttachmentPages): zap compresses a
// document's stored fields as one block, so the whole article stored there
// was decompressed by every hit that only needed its card.

import (
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/docstore"
)

// ArticleStoreFile is the name of the article store inside a generation's
// directory. An article is stored as the JSON of the Article without the
// page text of its documents (withoutPageText).
const ArticleStoreFile = "articles.ssdocs"

func articleStorePath(dir string) string { return filepath.Join(dir, ArticleStoreFile) }

// openArticles opens the article store of the generation in dir and checks
// it holds one article per document of the index: a store that is
// missing, truncated or from another build is refused.
func openArticles(dir string, docs uint64) (*docstore.Reader, error) {
	r, err := docstore.Open(articleStorePath(dir))
	if err != nil {
		return nil, fmt.Errorf("indexer: article store: %w", err)
	}
	if uint64(r.Len()) != docs {
		_ = r.Close()
		return nil, fmt.Errorf("indexer: article store %s holds %d articles, the index %d", articleStorePath(dir), r.Len(), docs)
	}
	return r, nil
}

// rawArticle returns the stored JSON of article id; found is false when
// the generation holds no such article.
func (e *Engine) rawArticle(id string) (raw []byte, found bool, err error) {
	raw, found, err = e.articles.Get(id)
	if err != nil {
		return nil, found, fmt.Errorf("indexer: article %s: %w", id, err)
	}
	return raw, found, nil
}

// storedArticle decodes the stored article of a document of the index;
// its absence is an error (the store and the index disagree).
func (e *Engine) storedArticle(id string) (article.Article, error) {
	var a article.Article
	if err := e.decodeStored(id, &a); err != nil {
		return article.Article{}, err
	}
	return a, nil
}

// decodeStored decodes the stored JSON of article id into v, which may
// declare only the fields its caller reads.
func (e *Engine) decodeStored(id string, v any) error {
	raw, found, err := e.rawArticle(id)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("indexer: article %s: stored document missing", id)
	}
	return decodeRaw(id, raw, v)
}

// decodeRaw decodes the stored JSON raw of article id into v.
func decodeRaw(id string, raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("indexer: article %s: decode: %w", id, err)
	}
	return nil
}
