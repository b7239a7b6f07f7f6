package indexer

// Status of the serving index, read by the API's status and readiness
// routes. The schedule and its runs report their own status (package
// schedule). No Bleve here.

import (
	"errors"
	"time"
)

// ErrRunning is returned when a rebuild is asked for while one runs.
var ErrRunning = errors.New("indexer: a rebuild is already running")

// Status describes the serving index.
type Status struct {
	Ready      bool      `json:"ready"`      // a generation is loaded and answering
	Generation string    `json:"generation"` // "" when none
	Documents  uint64    `json:"documents"`
	BuiltAt    time.Time `json:"built_at,omitzero"`
}
