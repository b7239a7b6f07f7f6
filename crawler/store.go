package crawler

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// DefaultLockTimeout is how long OpenStore waits for another process's
// lock before failing (bbolt's own default waits forever).
const DefaultLockTimeout = time.Second

// ErrNotFound is returned by Get for an id the store does not hold.
var ErrNotFound = errors.New("crawler: article not found")

var (
	bucketURLs     = []byte("urls")
	bucketArticles = []byte("articles")
)

// StoreOptions configures OpenStore.
type StoreOptions struct {
	// LockTimeout bounds the wait for the file lock (default 1s).
	LockTimeout time.Duration
	// ReadOnly opens the store with a shared lock (readers only); the file
	// must exist.
	ReadOnly bool
}

// Store is the crawler's durable state in one bbolt file: per URL its
// validators and fetch history (bucket "urls"), per article id the
// extracted article as JSON (bucket "articles"), per source the frontier
// of an unfinished pass (bucket "frontier", see frontier.go), and the last
// runs per source and of the index (bucket "history", see history.go).
// Every page is committed in one transaction, so a crawl killed at any
// point leaves whole pages.
// Store implements the indexer's Source (Count, Each) and Get.
type Store struct {
	db       *bolt.DB
	path     string
	pidPath  string
	readOnly bool
}

// urlState is what the store keeps per normalised URL.
type urlState struct {
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	Status       int       `json:"status"`
	Failures     int       `json:"failures,omitempty"` // consecutive failed fetches
	Gone         int       `json:"gone,omitempty"`     // consecutive crawls answering 404/410
	GoneRun      string    `json:"gone_run,omitempty"` // run that last counted Gone
	LastFetch    time.Time `json:"last_fetch"`
	LastError    string    `json:"last_error,omitempty"`
	ArticleID    string    `json:"article_id,omitempty"`
	ContentHash  string    `json:"content_hash,omitempty"`
	Links        []string  `json:"links,omitempty"` // kept for listings, reused on 304
}

// OpenStore opens (creating if needed) the store file at path. When
// another process holds it, OpenStore fails after opts.LockTimeout with an
// error naming the file and, from "<path>.pid", that process's id.
func OpenStore(path string, opts StoreOptions) (*Store, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = DefaultLockTimeout
	}
	if !opts.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("crawler: store: %w", err)
		}
	}
	pidPath := path + ".pid"
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout, ReadOnly: opts.ReadOnly})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, lockedError(path, pidPath, opts.LockTimeout)
		}
		return nil, fmt.Errorf("crawler: open store %s: %w", path, err)
	}
	s := &Store{db: db, path: path, pidPath: pidPath, readOnly: opts.ReadOnly}
	if opts.ReadOnly {
		return s, nil
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketURLs, bucketArticles} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("crawler: init store %s: %w", path, err)
	}
	// Best effort: the pid only improves the "in use" message.
	_ = os.WriteFile(pidPath, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644)
	return s, nil
}

func lockedError(path, pidPath string, waited time.Duration) error {
	if b, err := os.ReadFile(pidPath); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 {
			return fmt.Errorf("crawler: store %s is in use by process %d (see %s; is another safetysearch crawl or serve running?): lock not released within %s",
				path, pid, pidPath, waited)
		}
	}
	return fmt.Errorf("crawler: store %s is locked by another process (is another safetysearch crawl or serve running?): lock not released within %s",
		path, waited)
}

// Path is the store file.
func (s *Store) Path() string { return s.path }

// Close releases the store and its lock.
func (s *Store) Close() error {
	if !s.readOnly {
		if b, err := os.ReadFile(s.pidPath); err == nil && strings.TrimSpace(string(b)) == strconv.Itoa(os.Getpid()) {
			_ = os.Remove(s.pidPath)
		}
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("crawler: close store %s: %w", s.path, err)
	}
	return nil
}

// Count returns the number of stored articles.
func (s *Store) Count(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketArticles); b != nil {
			n = b.Stats().KeyN
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("crawler: store count: %w", err)
	}
	return n, nil
}

// eachBatch is how many articles Each reads per read transaction, so a
// slow consumer never pins one long transaction.
const eachBatch = 64

// Each calls fn for every stored article in id order, stopping at the
// first error (returned as is) or when ctx is done.
func (s *Store) Each(ctx context.Context, fn func(article.Article) error) error {
	var after []byte
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var batch []article.Article
		var last []byte
		err := s.db.View(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketArticles)
			if b == nil {
				return nil
			}
			c := b.Cursor()
			var k, v []byte
			if after == nil {
				k, v = c.First()
			} else {
				k, v = c.Seek(after)
				if k != nil && bytes.Equal(k, after) {
					k, v = c.Next()
				}
			}
			for ; k != nil && len(batch) < eachBatch; k, v = c.Next() {
				var a article.Article
				if err := json.Unmarshal(v, &a); err != nil {
					return fmt.Errorf("article %q: %w", k, err)
				}
				batch = append(batch, a)
				last = append(last[:0], k...)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("crawler: store each: %w", err)
		}
		for _, a := range batch {
			if err := fn(a); err != nil {
				return err
			}
		}
		if len(batch) < eachBatch {
			return nil
		}
		after = last
	}
}

// Get returns the article with the given id, or ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (article.Article, error) {
	var a article.Article
	if err := ctx.Err(); err != nil {
		return a, err
	}
	found := false
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketArticles)
		if b == nil {
			return nil
		}
		v := b.Get([]byte(id))
		if v == nil {
			return nil
		}
		found = true
		return json.Unmarshal(v, &a)
	})
	if err != nil {
		return a, fmt.Errorf("crawler: store get %q: %w", id, err)
	}
	if !found {
		return a, fmt.Errorf("crawler: article %q: %w", id, ErrNotFound)
	}
	return a, nil
}

// articleHash is the SHA-256 of the article's JSON without FetchedAt: it
// changes only when the content does. A document's FetchedAt is content
// here, so that confirming a document unchanged stores the article.
func articleHash(a article.Article) string {
	a.FetchedAt = time.Time{}
	b, err := json.Marshal(a)
	if err != nil {
		// Article holds only strings, ints, times and slices of those.
		panic(fmt.Sprintf("crawler: marshal article: %v", err))
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// state returns the stored state of url (ok false when never seen).
func (s *Store) state(url string) (urlState, bool, error) {
	var st urlState
	found := false
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketURLs).Get([]byte(url))
		if v == nil {
			return nil
		}
		found = true
		return json.Unmarshal(v, &st)
	})
	if err != nil {
		return st, false, fmt.Errorf("crawler: store state %s: %w", url, err)
	}
	return st, found, nil
}

// hasArticle reports whether id is stored.
func (s *Store) hasArticle(id string) bool {
	ok := false
	_ = s.db.View(func(tx *bolt.Tx) error {
		ok = tx.Bucket(bucketArticles).Get([]byte(id)) != nil
		return nil
	})
	return ok
}

// Outcomes of committing a page.
type commitOutcome int

const (
	outcomeNone commitOutcome = iota
	outcomeNew
	outcomeChanged
	outcomeUnchanged
)

// pageCommit is everything one crawled page changes, written in one
// transaction: URL states and, for a record, its article.
type pageCommit struct {
	States  map[string]urlState
	Article *article.Article
}

// keepDocuments is a freshly extracted a with the documents that prev, the
// stored version, read for the same attachment URLs: a page fetched again
// carries only the attachments' names and URLs, and dropping what the
// document step read would count the page as changed and fetch and read
// every document again without conditional requests.
func keepDocuments(a, prev article.Article) *article.Article {
	docs := map[string]*article.Document{}
	for _, att := range prev.Attachments {
		if att.Document != nil {
			docs[att.URL] = att.Document
		}
	}
	if len(docs) == 0 {
		return &a
	}
	a.Attachments = slices.Clone(a.Attachments)
	for i := range a.Attachments {
		if a.Attachments[i].Document == nil {
			a.Attachments[i].Document = docs[a.Attachments[i].URL]
		}
	}
	return &a
}

// commit writes c atomically. An article whose content hash equals the
// stored one is not rewritten.
func (s *Store) commit(c pageCommit) (commitOutcome, error) {
	out := outcomeNone
	err := s.db.Update(func(tx *bolt.Tx) error {
		out = outcomeNone
		ub, ab := tx.Bucket(bucketURLs), tx.Bucket(bucketArticles)
		hash := ""
		if c.Article != nil {
			if c.Article.ID == "" {
				return errors.New("article without id")
			}
			key := []byte(c.Article.ID)
			out = outcomeNew
			old := ab.Get(key)
			var prev article.Article
			known := old != nil && json.Unmarshal(old, &prev) == nil
			if known {
				c.Article = keepDocuments(*c.Article, prev)
			}
			hash = articleHash(*c.Article)
			if old != nil {
				if known && articleHash(prev) == hash {
					out = outcomeUnchanged
				} else {
					out = outcomeChanged
				}
			}
			if out != outcomeUnchanged {
				v, err := json.Marshal(c.Article)
				if err != nil {
					return err
				}
				if err := ab.Put(key, v); err != nil {
					return err
				}
			}
		}
		for u, st := range c.States {
			if c.Article != nil && st.ArticleID == c.Article.ID {
				st.ContentHash = hash
			}
			v, err := json.Marshal(st)
			if err != nil {
				return err
			}
			if err := ub.Put([]byte(u), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return outcomeNone, fmt.Errorf("crawler: store commit: %w", err)
	}
	return out, nil
}

// markGone records a 404/410 answer for url in run runID (counted once per
// run). When url answered so on two consecutive crawls and it is the
// canonical URL of a stored article, the article is removed (removed
// true). The state update and the removal are one transaction.
func (s *Store) markGone(url, runID string, status int, now time.Time) (removed bool, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		removed = false
		ub, ab := tx.Bucket(bucketURLs), tx.Bucket(bucketArticles)
		var st urlState
		if v := ub.Get([]byte(url)); v != nil {
			if err := json.Unmarshal(v, &st); err != nil {
				return err
			}
		}
		if st.GoneRun != runID {
			st.Gone++
			st.GoneRun = runID
		}
		st.Status = status
		st.LastFetch = now
		st.LastError = "HTTP " + strconv.Itoa(status)
		st.ETag, st.LastModified = "", ""
		if st.Gone >= 2 && st.ArticleID != "" {
			if v := ab.Get([]byte(st.ArticleID)); v != nil {
				var a article.Article
				if err := json.Unmarshal(v, &a); err != nil {
					return err
				}
				if cu, err := NormalizeURL(a.URL, nil); err == nil && cu.String() == url {
					if err := ab.Delete([]byte(st.ArticleID)); err != nil {
						return err
					}
					removed = true
				}
			}
		}
		v, err := json.Marshal(st)
		if err != nil {
			return err
		}
		return ub.Put([]byte(url), v)
	})
	if err != nil {
		return false, fmt.Errorf("crawler: store gone %s: %w", url, err)
	}
	return removed, nil
}

// putState writes one URL state.
func (s *Store) putState(url string, st urlState) error {
	_, err := s.commit(pageCommit{States: map[string]urlState{url: st}})
	return err
}

// articleURLs returns the canonical URLs of the stored articles of source.
func (s *Store) articleURLs(source string) ([]string, error) {
	var out []string
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketArticles).ForEach(func(_, v []byte) error {
			var a struct {
				URL    string `json:"url"`
				Source string `json:"source"`
			}
			if err := json.Unmarshal(v, &a); err != nil {
				return err
			}
			if a.Source == source && a.URL != "" {
				out = append(out, a.URL)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("crawler: store article URLs: %w", err)
	}
	return out, nil
}
