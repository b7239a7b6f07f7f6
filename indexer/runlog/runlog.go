// Package runlog is the record of crawl and rebuild runs: what the
// crawler's store keeps across restarts and the scheduler's status shows.
// It is one definition for both sides of the crawler → indexer boundary
// (crawler may import it: standard library only).
package runlog

import "time"

// Outcomes of a finished run.
const (
	OutcomeOK       = "ok"
	OutcomeFailed   = "failed"
	OutcomeCanceled = "canceled"
)

// History is the kept runs, oldest first.
type History struct {
	Sources []SourceHistory `json:"sources"`
	Index   []IndexRun      `json:"index"`
}

// SourceHistory is the kept crawls of one source, oldest first.
type SourceHistory struct {
	Source string      `json:"source"`
	Runs   []SourceRun `json:"runs"`
}

// SourceRun is one source's part of one crawl. Outcome is one of the
// Outcome constants; Error says why when it is not ok.
type SourceRun struct {
	Source      string    `json:"source"`
	Started     time.Time `json:"started"`
	Duration    float64   `json:"duration_seconds"`
	Fetched     int       `json:"fetched"`
	NotModified int       `json:"not_modified"`
	New         int       `json:"new"`
	Changed     int       `json:"changed"`
	Removed     int       `json:"removed"`
	Errors      int       `json:"errors"`
	// The document step: documents fetched, extracted, unchanged (304 or
	// same content hash) and refused by reason.
	DocumentsFetched   int            `json:"documents_fetched,omitempty"`
	DocumentsExtracted int            `json:"documents_extracted,omitempty"`
	DocumentsUnchanged int            `json:"documents_unchanged,omitempty"`
	DocumentsRefused   map[string]int `json:"documents_refused,omitempty"`
	Outcome            string         `json:"outcome"`
	Error              string         `json:"error,omitempty"`
}

// IndexRun is one rebuild: the documents indexed and the generation
// built, or the error. The crawler does not rebuild: whoever does records
// it in the crawler's store, beside the crawl history.
type IndexRun struct {
	Started    time.Time `json:"started"`
	Duration   float64   `json:"duration_seconds"`
	Documents  int       `json:"documents"`
	Generation string    `json:"generation,omitempty"`
	Outcome    string    `json:"outcome"`
	Error      string    `json:"error,omitempty"`
}
