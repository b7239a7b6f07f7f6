package crawler

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"

	bolt "go.etcd.io/bbolt"
)

// DocumentExtractor reads the text of a document page by page.
// *pdftext.Extractor is one; tests and cmd supply it.
type DocumentExtractor interface {
	// ExtractPages returns the text of every page, page 1 first. It refuses
	// files over maxBytes or with more than maxPages pages, and gives up
	// after timeout.
	ExtractPages(ctx context.Context, r io.Reader, maxBytes int64, maxPages int, timeout time.Duration) ([]string, error)
	// RefusalReason names why err refused the document (e.g. "encrypted",
	// "image_only"), or "" when the extractor itself failed and a retry
	// may succeed.
	RefusalReason(err error) string
}

// Reasons of refused documents given by the crawler itself (the
// extractor gives the others).
const (
	ReasonTooLarge = "too_large"
	ReasonNotPDF   = "not_pdf"
)

const acceptDocument = "application/pdf,*/*;q=0.5"

// documents is the document step of a source: after its pages, the
// attachments of its stored articles (and, in DocumentsLinked mode, the
// same-source PDFs linked from their bodies) are fetched with the pages'
// politeness, robots rules, MaxPages budget and conditional requests, and
// read when new or changed. A failed or refused document is recorded on
// its Attachment and never blocks or loses the article. Documents are read
// one at a time, in this source's goroutine.
func (s *sourceRun) documents(ctx context.Context) {
	if s.src.Documents == DocumentsOff || s.c.cfg.Extractor == nil || ctx.Err() != nil {
		return
	}
	arts, err := s.c.store.sourceAttachments(s.src.Name)
	if err != nil {
		s.countErr("", err)
		return
	}
	// The documents to fetch, for the progress reported after each one.
	pending := map[string]bool{}
	for _, sa := range arts {
		for _, at := range sa.Attachments {
			if u := s.documentURL(at); u != nil {
				pending[u.String()] = true
			}
		}
	}
	done := map[string]docResult{} // one fetch per document URL and run
	for _, sa := range arts {
		if ctx.Err() != nil {
			return
		}
		id := sa.ID
		a, err := s.c.store.Get(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			s.countErr(id, err)
			continue
		}
		states := map[string]urlState{}
		changed, stop := false, false
		for i := range a.Attachments {
			att := &a.Attachments[i]
			u := s.documentURL(*att)
			if u == nil {
				continue
			}
			k := u.String()
			res, ok := done[k]
			if !ok {
				res, stop = s.document(ctx, u, att.Document)
				if stop {
					break
				}
				done[k] = res
				delete(pending, k)
				s.tally.stepDocument(len(pending))
				if res.state != nil {
					states[k] = *res.state
				}
			}
			if res.doc != att.Document {
				att.Document = res.doc
				changed = true
			}
		}
		c := pageCommit{States: states}
		if changed {
			c.Article = &a
		}
		if len(c.States) > 0 || c.Article != nil {
			if _, err := s.c.store.commit(c); err != nil {
				s.countErr(a.URL, err)
			}
		}
		if stop {
			return
		}
	}
}

// documentURL is the URL to fetch for att, or nil when the source's mode
// leaves it out, it is on another host, or its name says it is no
// document (an image, a video).
func (s *sourceRun) documentURL(att article.Attachment) *url.URL {
	if att.Linked && s.src.Documents != DocumentsLinked {
		return nil
	}
	u, err := NormalizeURL(att.URL, nil)
	if err != nil || hostKey(u) != s.scope.Host {
		return nil
	}
	for _, name := range []string{u.Path, att.Name} {
		mt, _, _ := strings.Cut(mime.TypeByExtension(strings.ToLower(path.Ext(name))), ";")
		if strings.HasPrefix(mt, "image/") || strings.HasPrefix(mt, "video/") || strings.HasPrefix(mt, "audio/") {
			return nil
		}
	}
	return u
}

// docResult is what one document fetch gives: the Document to keep on the
// attachment (possibly prev itself) and the URL state to store (nil: none).
type docResult struct {
	doc   *article.Document
	state *urlState
}

// document fetches u and reads it when it is new or changed; prev is what
// the attachment holds. stop is true when the run must end the step (ctx
// done, MaxPages reached); nothing is recorded then.
func (s *sourceRun) document(ctx context.Context, u *url.URL, prev *article.Document) (res docResult, stop bool) {
	k := u.String()
	if !s.host.robots.Allowed(u) {
		s.tally.update(func(sm *Summary) { sm.SkippedRobots++ })
		return docResult{doc: prev}, false
	}
	st, known, err := s.c.store.state(k)
	if err != nil {
		s.countErr(k, err)
		return docResult{doc: prev}, false
	}
	usable := prev != nil && prev.Status != article.DocFailed
	hdr := http.Header{"Accept": {acceptDocument}}
	if usable && known && st.Status == http.StatusOK {
		if st.ETag != "" {
			hdr.Set("If-None-Match", st.ETag)
		}
		if st.LastModified != "" {
			hdr.Set("If-Modified-Since", st.LastModified)
		}
	}
	resp, err := s.fetchFollow(ctx, item{u: u, kind: kindDocument}, hdr)
	if ctx.Err() != nil || errors.Is(err, errPageBudget) {
		return docResult{}, true
	}
	now := time.Now().UTC()
	if err == nil && resp.Status != http.StatusOK && resp.Status != http.StatusNotModified {
		err = statusError(resp)
	}
	if err != nil {
		return s.documentFailed(k, prev, st, err, now), false
	}
	if resp.Status == http.StatusNotModified {
		s.tally.update(func(sm *Summary) { sm.Documents.Unchanged++ })
		st.LastFetch, st.Failures, st.LastError = now, 0, ""
		return docResult{doc: confirmed(prev, usable, now), state: &st}, false
	}
	s.tally.update(func(sm *Summary) { sm.Documents.Fetched++ })
	sum := sha256.Sum256(resp.Body)
	hash := hex.EncodeToString(sum[:])
	ns := &urlState{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"),
		Status: resp.Status, LastFetch: now, ContentHash: hash}
	if usable && prev.SHA256 == hash {
		s.tally.update(func(sm *Summary) { sm.Documents.Unchanged++ })
		return docResult{doc: confirmed(prev, true, now), state: ns}, false
	}
	mt, _, _ := mime.ParseMediaType(resp.ContentType)
	doc := &article.Document{ContentType: mt, Bytes: int64(len(resp.Body)), SHA256: hash, FetchedAt: now}
	if !isPDF(mt, resp.Body) {
		s.refuse(k, doc, ReasonNotPDF, fmt.Errorf("served as %q without a PDF header", resp.ContentType))
		return docResult{doc: doc, state: ns}, false
	}
	cfg := s.c.cfg
	pages, err := cfg.Extractor.ExtractPages(ctx, bytes.NewReader(resp.Body), cfg.MaxDocumentBytes, cfg.MaxDocumentPages, cfg.DocumentTimeout)
	if ctx.Err() != nil {
		return docResult{}, true
	}
	if err != nil {
		if reason := cfg.Extractor.RefusalReason(err); reason != "" {
			s.refuse(k, doc, reason, err)
			return docResult{doc: doc, state: ns}, false
		}
		// The extractor failed, not the file: keep no validators so the
		// next run fetches and reads it again.
		ns.ETag, ns.LastModified, ns.ContentHash = "", "", ""
		ns.Failures = st.Failures
		return s.documentFailed(k, prev, *ns, err, now), false
	}
	doc.Status, doc.PageCount, doc.Pages = article.DocExtracted, len(pages), pages
	s.tally.update(func(sm *Summary) { sm.Documents.Extracted++ })
	s.log.Debug("document read", "url", k, "pages", len(pages), "bytes", doc.Bytes)
	return docResult{doc: doc, state: ns}, false
}

// confirmed is prev found unchanged at now: a copy with FetchedAt (last
// fetched or confirmed unchanged) moved to now, so the stored article says
// the document was checked. A 304 to an unconditional request (usable
// false) confirms nothing.
func confirmed(prev *article.Document, usable bool, now time.Time) *article.Document {
	if !usable {
		return prev
	}
	d := *prev
	d.FetchedAt = now
	return &d
}

// refuse marks doc refused for reason and counts it.
func (s *sourceRun) refuse(u string, doc *article.Document, reason string, err error) {
	doc.Status, doc.Reason = article.DocRefused, reason
	s.tally.update(func(sm *Summary) {
		if sm.Documents.Refused == nil {
			sm.Documents.Refused = map[string]int{}
		}
		sm.Documents.Refused[reason]++
	})
	s.log.Info("document not read", "url", u, "reason", reason, "err", err)
}

// documentFailed records a document that could not be fetched or read. A
// body over MaxDocumentBytes is the file's fault and refused; otherwise an
// earlier good reading is kept unless the file is gone (404/410), and the
// next run tries again.
func (s *sourceRun) documentFailed(u string, prev *article.Document, st urlState, err error, now time.Time) docResult {
	var fe *FetchError
	isFE := errors.As(err, &fe)
	if isFE && fe.Kind == KindTooLarge {
		doc := &article.Document{FetchedAt: now}
		s.refuse(u, doc, ReasonTooLarge, err)
		st.ETag, st.LastModified, st.LastFetch = "", "", now
		return docResult{doc: doc, state: &st}
	}
	s.tally.update(func(sm *Summary) { sm.Documents.Failed++ })
	s.log.Warn("document not fetched", "url", u, "err", err)
	reason := "error"
	gone := false
	if isFE {
		reason = string(fe.Kind)
		if fe.Status != 0 {
			reason = fmt.Sprintf("http %d", fe.Status)
			gone = fe.Status == http.StatusNotFound || fe.Status == http.StatusGone
		}
	}
	st.Failures++
	st.LastError = err.Error()
	st.LastFetch = now
	if isFE && fe.Status != 0 {
		st.Status = fe.Status
	}
	if prev != nil && prev.Status != article.DocFailed && !gone {
		return docResult{doc: prev, state: &st}
	}
	return docResult{doc: &article.Document{Status: article.DocFailed, Reason: reason, FetchedAt: now}, state: &st}
}

// isPDF reports a PDF by its media type or its header.
func isPDF(mediaType string, body []byte) bool {
	return mediaType == "application/pdf" || bytes.Contains(body[:min(len(body), 1024)], []byte("%PDF-"))
}

// storedAttachments is a stored article's id and its attachments without
// their documents.
type storedAttachments struct {
	ID          string
	Attachments []article.Attachment
}

// sourceAttachments returns the stored articles of source, each with the
// names and URLs of its attachments (their documents are not decoded).
func (s *Store) sourceAttachments(source string) ([]storedAttachments, error) {
	var out []storedAttachments
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketArticles).ForEach(func(k, v []byte) error {
			var a struct {
				Source      string `json:"source"`
				Attachments []struct {
					Name   string `json:"name"`
					URL    string `json:"url"`
					Linked bool   `json:"linked"`
				} `json:"attachments"`
			}
			if err := json.Unmarshal(v, &a); err != nil {
				return err
			}
			if a.Source != source {
				return nil
			}
			sa := storedAttachments{ID: string(k)}
			for _, at := range a.Attachments {
				sa.Attachments = append(sa.Attachments, article.Attachment{Name: at.Name, URL: at.URL, Linked: at.Linked})
			}
			out = append(out, sa)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("crawler: store: articles of %s: %w", source, err)
	}
	return out, nil
}
