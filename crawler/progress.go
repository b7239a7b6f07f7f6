package crawler

import (
	"sync"
	"time"
)

// Progress is reported after every processed URL (for a progress bar):
// each page, feed and sitemap, then each document of a source's document
// step.
type Progress struct {
	// Done is the number of URLs processed so far in this run.
	Done int
	// Queued is the number of URLs waiting: in the frontiers, and the
	// documents a source's document step has yet to fetch.
	Queued int
	// Errors is the number of failed URLs so far.
	Errors int
	// Documents is how many of Done are documents.
	Documents int
}

// tally is a Run's Summary and its per-source summaries under one lock,
// plus the progress callback.
type tally struct {
	mu       sync.Mutex
	s        Summary
	sources  []*SourceSummary // in the order the sources started
	done     int
	docs     int            // of done
	queued   map[string]int // per source
	progress func(Progress)
}

func newTally(progress func(Progress)) *tally {
	return &tally{s: Summary{Errors: map[ErrorKind]int{}}, queued: map[string]int{}, progress: progress}
}

// update applies f to the run's summary under the lock.
func (t *tally) update(f func(s *Summary)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f(&t.s)
}

// source starts the summary of one source; its counts also go to the
// run's.
func (t *tally) source(name string) *sourceTally {
	t.mu.Lock()
	defer t.mu.Unlock()
	ss := &SourceSummary{Name: name, Summary: Summary{Started: time.Now().UTC(), Errors: map[ErrorKind]int{}}}
	t.sources = append(t.sources, ss)
	return &sourceTally{t: t, s: ss}
}

// step marks one URL processed (a document when doc) and reports
// progress (calls to the callback are serialised).
func (t *tally) step(source string, queued int, doc bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.done++
	if doc {
		t.docs++
	}
	t.queued[source] = queued
	if t.progress == nil {
		return
	}
	q := 0
	for _, n := range t.queued {
		q += n
	}
	t.progress(Progress{Done: t.done, Queued: q, Errors: t.s.ErrorCount(), Documents: t.docs})
}

func (t *tally) summary() Summary {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := copySummary(t.s)
	s.Sources = make([]SourceSummary, len(t.sources))
	for i, ss := range t.sources {
		s.Sources[i] = SourceSummary{Name: ss.Name, Summary: copySummary(ss.Summary)}
	}
	return s
}

func copySummary(s Summary) Summary {
	errs := make(map[ErrorKind]int, len(s.Errors))
	for k, v := range s.Errors {
		errs[k] = v
	}
	s.Errors = errs
	refused := make(map[string]int, len(s.Documents.Refused))
	for k, v := range s.Documents.Refused {
		refused[k] = v
	}
	s.Documents.Refused = refused
	s.Sources = nil
	return s
}

// sourceTally counts for one source: every update goes to the source's
// summary and to the run's.
type sourceTally struct {
	t *tally
	s *SourceSummary
}

func (st *sourceTally) update(f func(s *Summary)) {
	st.t.mu.Lock()
	defer st.t.mu.Unlock()
	f(&st.t.s)
	f(&st.s.Summary)
}

func (st *sourceTally) errorKind(kind ErrorKind) {
	st.update(func(s *Summary) { s.Errors[kind]++ })
}

func (st *sourceTally) step(queued int) {
	st.t.step(st.s.Name, queued, false)
}

// stepDocument marks one document processed, queued more to go.
func (st *sourceTally) stepDocument(queued int) {
	st.t.step(st.s.Name, queued, true)
}

// finish stamps the end of the source's crawl.
func (st *sourceTally) finish() {
	st.t.mu.Lock()
	defer st.t.mu.Unlock()
	st.s.Finished = time.Now().UTC()
}
