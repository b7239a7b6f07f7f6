package crawler

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/url"

	bolt "go.etcd.io/bbolt"
)

// The frontier of an unfinished pass is kept in the store, per source: the
// queued items (bucket "queue", keyed by an increasing sequence number) and
// every URL queued or fetched in the pass (bucket "seen"). A crawl that is
// killed, cancelled or stopped by MaxPages resumes from it on the next run
// instead of discovering the site again; a pass that empties its queue
// deletes it.
var (
	bucketFrontier = []byte("frontier")
	keyQueue       = []byte("queue")
	keySeen        = []byte("seen")
)

// storedItem is the persisted form of a queued item.
type storedItem struct {
	URL   string   `json:"url"`
	Kind  itemKind `json:"kind,omitempty"`
	Depth int      `json:"depth,omitempty"`
	Start bool     `json:"start,omitempty"`
}

// frontierState is a source's stored frontier.
type frontierState struct {
	items []item
	seen  map[string]bool
	next  uint64 // next sequence number
}

func seqKey(n uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, n)
}

// loadFrontier returns the stored frontier of source (empty when none).
func (s *Store) loadFrontier(source string) (frontierState, error) {
	fs := frontierState{seen: map[string]bool{}}
	err := s.db.View(func(tx *bolt.Tx) error {
		fb := tx.Bucket(bucketFrontier)
		if fb == nil {
			return nil
		}
		sb := fb.Bucket([]byte(source))
		if sb == nil {
			return nil
		}
		if q := sb.Bucket(keyQueue); q != nil {
			if err := q.ForEach(func(k, v []byte) error {
				var si storedItem
				if err := json.Unmarshal(v, &si); err != nil {
					return err
				}
				u, err := url.Parse(si.URL)
				if err != nil {
					return err
				}
				fs.items = append(fs.items, item{u: u, kind: si.Kind, depth: si.Depth, start: si.Start, seq: binary.BigEndian.Uint64(k)})
				fs.next = max(fs.next, binary.BigEndian.Uint64(k)+1)
				return nil
			}); err != nil {
				return err
			}
		}
		if sn := sb.Bucket(keySeen); sn != nil {
			return sn.ForEach(func(k, _ []byte) error {
				fs.seen[string(k)] = true
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return frontierState{}, fmt.Errorf("crawler: store frontier of %s: %w", source, err)
	}
	return fs, nil
}

// updateFrontier removes the items with sequence numbers done, adds add
// (each also marked seen) and marks seen the URLs reached without being
// queued (redirect targets, comment pages), in one transaction.
func (s *Store) updateFrontier(source string, done []uint64, add []item, seen []string) error {
	if len(done) == 0 && len(add) == 0 && len(seen) == 0 {
		return nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		fb, err := tx.CreateBucketIfNotExists(bucketFrontier)
		if err != nil {
			return err
		}
		sb, err := fb.CreateBucketIfNotExists([]byte(source))
		if err != nil {
			return err
		}
		q, err := sb.CreateBucketIfNotExists(keyQueue)
		if err != nil {
			return err
		}
		sn, err := sb.CreateBucketIfNotExists(keySeen)
		if err != nil {
			return err
		}
		for _, n := range done {
			if err := q.Delete(seqKey(n)); err != nil {
				return err
			}
		}
		for _, it := range add {
			v, err := json.Marshal(storedItem{URL: it.u.String(), Kind: it.kind, Depth: it.depth, Start: it.start})
			if err != nil {
				return err
			}
			if err := q.Put(seqKey(it.seq), v); err != nil {
				return err
			}
			if err := sn.Put([]byte(it.u.String()), nil); err != nil {
				return err
			}
		}
		for _, u := range seen {
			if err := sn.Put([]byte(u), nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("crawler: store frontier of %s: %w", source, err)
	}
	return nil
}

// clearFrontier deletes the frontier of source: its pass is complete.
func (s *Store) clearFrontier(source string) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		fb := tx.Bucket(bucketFrontier)
		if fb == nil || fb.Bucket([]byte(source)) == nil {
			return nil
		}
		return fb.DeleteBucket([]byte(source))
	})
	if err != nil {
		return fmt.Errorf("crawler: store frontier of %s: %w", source, err)
	}
	return nil
}

// frontierLen is the number of queued items stored for source.
func (s *Store) frontierLen(source string) int {
	n := 0
	_ = s.db.View(func(tx *bolt.Tx) error {
		if fb := tx.Bucket(bucketFrontier); fb != nil {
			if sb := fb.Bucket([]byte(source)); sb != nil {
				if q := sb.Bucket(keyQueue); q != nil {
					n = q.Stats().KeyN
				}
			}
		}
		return nil
	})
	return n
}
