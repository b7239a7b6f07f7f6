package crawler

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketSources holds per source name what a run needs from the runs
// before it: the time of the last finished full pass of a feed or sitemap
// source.
var bucketSources = []byte("sources")

type sourceRecord struct {
	LastFullPass time.Time `json:"last_full_pass,omitzero"`
}

// lastFullPass is when the last full pass of source started (zero: never).
func (s *Store) lastFullPass(source string) (time.Time, error) {
	var rec sourceRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSources)
		if b == nil {
			return nil
		}
		if v := b.Get([]byte(source)); v != nil {
			return json.Unmarshal(v, &rec)
		}
		return nil
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("crawler: store: source %s: %w", source, err)
	}
	return rec.LastFullPass, nil
}

// setLastFullPass records a finished full pass of source that started at t.
func (s *Store) setLastFullPass(source string, t time.Time) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketSources)
		if err != nil {
			return err
		}
		var rec sourceRecord
		if v := b.Get([]byte(source)); v != nil {
			if err := json.Unmarshal(v, &rec); err != nil {
				return err
			}
		}
		rec.LastFullPass = t.UTC()
		v, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		return b.Put([]byte(source), v)
	})
	if err != nil {
		return fmt.Errorf("crawler: store: record full pass of %s: %w", source, err)
	}
	return nil
}
