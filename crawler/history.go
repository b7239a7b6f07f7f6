package crawler

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/safetysearch/safetysearch/indexer/health"
	"github.com/safetysearch/safetysearch/indexer/runlog"
)

// HistoryRuns is how many runs the store keeps per source (and of the
// index): enough to see a site that started failing or a crawl that slowed
// down, small enough to draw as one chart.
const HistoryRuns = 30

// The run history is kept in bucket "history": one nested bucket per
// series ("source:<name>" per source, "index" for rebuilds, "health" for
// the extraction health measured after each crawl), keyed by the run's
// start in big-endian nanoseconds so that a cursor walks it in time order.
var (
	bucketHistory = []byte("history")
	seriesIndex   = "index"
	seriesHealth  = "health"
)

func sourceSeries(name string) string { return "source:" + name }

// sourceRuns turns a Run's per-source summaries into history records;
// srcErrs are the sources' errors, ctxErr the Run context's.
func sourceRuns(sum Summary, srcErrs map[string]error, ctxErr error) []runlog.SourceRun {
	runs := make([]runlog.SourceRun, 0, len(sum.Sources))
	for _, ss := range sum.Sources {
		r := runlog.SourceRun{
			Source:      ss.Name,
			Started:     ss.Started,
			Duration:    ss.Finished.Sub(ss.Started).Seconds(),
			Fetched:     ss.Fetched,
			NotModified: ss.NotModified,
			New:         ss.New,
			Changed:     ss.Changed,
			Removed:     ss.Removed,
			Errors:      ss.ErrorCount(),
			Outcome:     runlog.OutcomeOK,

			DocumentsFetched:   ss.Documents.Fetched,
			DocumentsExtracted: ss.Documents.Extracted,
			DocumentsUnchanged: ss.Documents.Unchanged,
		}
		if len(ss.Documents.Refused) > 0 {
			r.DocumentsRefused = ss.Documents.Refused
		}
		switch err := srcErrs[ss.Name]; {
		case ctxErr != nil:
			r.Outcome, r.Error = runlog.OutcomeCanceled, ctxErr.Error()
		case err != nil:
			r.Outcome, r.Error = runlog.OutcomeFailed, err.Error()
		case ss.Fetched == 0 && ss.NotModified == 0 && ss.ErrorCount() > 0:
			r.Outcome, r.Error = runlog.OutcomeFailed, fmt.Sprintf("every fetch failed (%d errors)", ss.ErrorCount())
		}
		runs = append(runs, r)
	}
	return runs
}

// AppendSourceRuns adds crawl records to the history, keeping the last
// HistoryRuns per source.
func (s *Store) AppendSourceRuns(ctx context.Context, runs ...runlog.SourceRun) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, r := range runs {
			if err := appendHistory(tx, sourceSeries(r.Source), r.Started, r); err != nil {
				return fmt.Errorf("crawler: history of %s: %w", r.Source, err)
			}
		}
		return nil
	})
}

// AppendIndexRun adds a rebuild record to the history, keeping the last
// HistoryRuns.
func (s *Store) AppendIndexRun(ctx context.Context, r runlog.IndexRun) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := appendHistory(tx, seriesIndex, r.Started, r); err != nil {
			return fmt.Errorf("crawler: index history: %w", err)
		}
		return nil
	})
}

// AppendHealth adds the extraction health measured after a crawl to the
// history, keeping the last HistoryRuns, so that the next crawl (perhaps
// after a restart) compares with it.
func (s *Store) AppendHealth(ctx context.Context, r health.Report) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := appendHistory(tx, seriesHealth, r.MeasuredAt, r); err != nil {
			return fmt.Errorf("crawler: health history: %w", err)
		}
		return nil
	})
}

// LastHealth returns the latest extraction health kept by AppendHealth;
// false when none is.
func (s *Store) LastHealth(ctx context.Context) (health.Report, bool, error) {
	if err := ctx.Err(); err != nil {
		return health.Report{}, false, err
	}
	var (
		r     health.Report
		found bool
	)
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketHistory)
		if b != nil {
			b = b.Bucket([]byte(seriesHealth))
		}
		if b == nil {
			return nil
		}
		_, v := b.Cursor().Last()
		if v == nil {
			return nil
		}
		found = true
		return json.Unmarshal(v, &r)
	})
	if err != nil {
		return health.Report{}, false, fmt.Errorf("crawler: read health history: %w", err)
	}
	return r, found, nil
}

// appendHistory puts v in series under its start time and deletes the
// oldest records beyond HistoryRuns.
func appendHistory(tx *bolt.Tx, series string, started time.Time, v any) error {
	hb, err := tx.CreateBucketIfNotExists(bucketHistory)
	if err != nil {
		return err
	}
	b, err := hb.CreateBucketIfNotExists([]byte(series))
	if err != nil {
		return err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	key := binary.BigEndian.AppendUint64(nil, uint64(started.UnixNano()))
	// Two records started in the same nanosecond keep both.
	for b.Get(key) != nil {
		binary.BigEndian.PutUint64(key, binary.BigEndian.Uint64(key)+1)
	}
	if err := b.Put(key, data); err != nil {
		return err
	}
	n := 0
	c := b.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		n++
	}
	for k, _ := c.First(); k != nil && n > HistoryRuns; k, _ = c.First() {
		if err := c.Delete(); err != nil {
			return err
		}
		n--
	}
	return nil
}

// History returns the kept crawl runs of every source (sorted by source
// name) and of the index, oldest first. A read-only store without history
// returns none.
func (s *Store) History(ctx context.Context) ([]runlog.SourceHistory, []runlog.IndexRun, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	var (
		sources []runlog.SourceHistory
		index   []runlog.IndexRun
	)
	err := s.db.View(func(tx *bolt.Tx) error {
		hb := tx.Bucket(bucketHistory)
		if hb == nil {
			return nil
		}
		return hb.ForEachBucket(func(name []byte) error {
			b := hb.Bucket(name)
			if string(name) == seriesIndex {
				return b.ForEach(func(_, v []byte) error {
					var r runlog.IndexRun
					if err := json.Unmarshal(v, &r); err != nil {
						return err
					}
					index = append(index, r)
					return nil
				})
			}
			src, ok := strings.CutPrefix(string(name), "source:")
			if !ok {
				return nil
			}
			h := runlog.SourceHistory{Source: src}
			if err := b.ForEach(func(_, v []byte) error {
				var r runlog.SourceRun
				if err := json.Unmarshal(v, &r); err != nil {
					return err
				}
				h.Runs = append(h.Runs, r)
				return nil
			}); err != nil {
				return err
			}
			sources = append(sources, h)
			return nil
		})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("crawler: read history: %w", err)
	}
	slices.SortFunc(sources, func(a, b runlog.SourceHistory) int { return strings.Compare(a.Source, b.Source) })
	return sources, index, nil
}
