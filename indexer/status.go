package indexer

// Status types of the index and of the scheduled crawl + rebuild. Read by the
// API's status and readiness routes. No Bleve here.

import (
	"errors"
	"time"
)

// ErrRunning is returned when a crawl + rebuild is asked for while one runs.
var ErrRunning = errors.New("indexer: a crawl and rebuild is already running")

// Status describes the serving index and the schedule.
type Status struct {
	Ready      bool      `json:"ready"`      // a generation is loaded and answering
	Generation string    `json:"generation"` // "" when none
	Documents  uint64    `json:"documents"`
	BuiltAt    time.Time `json:"built_at,omitzero"`
	Schedule   string    `json:"schedule"` // cron spec, or "off"
	Running    bool      `json:"running"`
	Next       time.Time `json:"next_run,omitzero"` // zero when the schedule is off
	Last       *Run      `json:"last_run,omitempty"`
}

// Run is one crawl + rebuild, scheduled or asked for.
type Run struct {
	Trigger  string         `json:"trigger"` // "schedule", "manual" or "startup"
	Started  time.Time      `json:"started"`
	Ended    time.Time      `json:"ended,omitzero"`
	Outcome  string         `json:"outcome"` // "running", "ok", "failed" or "canceled"
	Counts   map[string]int `json:"counts"`  // crawl summary and index counts
	Errors   []string       `json:"errors"`
	Duration float64        `json:"duration_seconds"`
}
