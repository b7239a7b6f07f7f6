package crawler

import "sync"

// Progress is reported after every processed URL (for a progress bar).
type Progress struct {
	// Done is the number of URLs processed so far in this run.
	Done int
	// Queued is the number of URLs waiting in the frontiers.
	Queued int
	// Errors is the number of failed URLs so far.
	Errors int
}

// tally is a Run's Summary under a lock, plus the progress callback.
type tally struct {
	mu       sync.Mutex
	s        Summary
	done     int
	queued   map[string]int // per source
	progress func(Progress)
}

func newTally(progress func(Progress)) *tally {
	return &tally{s: Summary{Errors: map[ErrorKind]int{}}, queued: map[string]int{}, progress: progress}
}

// update applies f to the summary under the lock.
func (t *tally) update(f func(s *Summary)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f(&t.s)
}

func (t *tally) errorKind(kind ErrorKind) {
	t.update(func(s *Summary) { s.Errors[kind]++ })
}

// step marks one URL processed and reports progress (calls to the
// callback are serialised).
func (t *tally) step(source string, queued int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.done++
	t.queued[source] = queued
	if t.progress == nil {
		return
	}
	q := 0
	for _, n := range t.queued {
		q += n
	}
	t.progress(Progress{Done: t.done, Queued: q, Errors: t.s.ErrorCount()})
}

func (t *tally) summary() Summary {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.s
	s.Errors = make(map[ErrorKind]int, len(t.s.Errors))
	for k, v := range t.s.Errors {
		s.Errors[k] = v
	}
	return s
}
