package docstore

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// writeDocs writes docs (id → document) in the order of ids and returns
// the file's path.
func writeDocs(t testing.TB, ids []string, docs map[string][]byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "docs")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if err := w.Add(id, docs[id]); err != nil {
			t.Fatal(err)
		}
	}
	if w.Len() != len(ids) {
		t.Fatalf("Len %d, want %d", w.Len(), len(ids))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// corpus is n documents of varied sizes (empty, small, compressible,
// incompressible) under ids added in a shuffled order.
func corpus(n int) ([]string, map[string][]byte) {
	rng := rand.New(rand.NewPCG(1, 2))
	docs := make(map[string][]byte, n)
	ids := make([]string, 0, n)
	for i := range n {
		id := fmt.Sprintf("src:%d", i)
		var doc []byte
		switch i % 4 {
		case 0:
			doc = []byte{}
		case 1:
			doc = []byte(`{"id":"` + id + `"}`)
		case 2:
			doc = bytes.Repeat([]byte("patient safety "), 1+rng.IntN(500))
		default:
			doc = make([]byte, rng.IntN(5000))
			for j := range doc {
				doc[j] = byte(rng.Uint32())
			}
		}
		docs[id] = doc
		ids = append(ids, id)
	}
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	return ids, docs
}

func TestRoundTrip(t *testing.T) {
	ids, docs := corpus(1000)
	path := writeDocs(t, ids, docs)
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	if r.Len() != len(ids) {
		t.Fatalf("Len %d, want %d", r.Len(), len(ids))
	}
	for id, want := range docs {
		got, found, err := r.Get(id)
		if err != nil || !found || !bytes.Equal(got, want) {
			t.Fatalf("Get(%s): %d bytes, %v, %v; want %d bytes", id, len(got), found, err, len(want))
		}
	}
	for _, id := range []string{"", "src:", "src:1000", "src:99x", "zzz", "a"} {
		if _, found, err := r.Get(id); found || err != nil {
			t.Errorf("Get(%q) of an absent id: %v, %v", id, found, err)
		}
	}
}

func TestEmptyStore(t *testing.T) {
	r, err := Open(writeDocs(t, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	if _, found, err := r.Get("x"); r.Len() != 0 || found || err != nil {
		t.Errorf("empty store: %d, %v, %v", r.Len(), found, err)
	}
}

func TestConcurrentGets(t *testing.T) {
	ids, docs := corpus(200)
	r, err := Open(writeDocs(t, ids, docs))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		wg.Go(func() {
			for k := range ids {
				id := ids[(k+g*50)%len(ids)]
				got, found, err := r.Get(id)
				if err != nil || !found || !bytes.Equal(got, docs[id]) {
					errs <- fmt.Errorf("Get(%s): %v, %v", id, found, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestTruncatedRefused: a file cut anywhere (a build killed while writing,
// a short copy) is refused at Open with ErrCorrupt naming the file.
func TestTruncatedRefused(t *testing.T) {
	ids, docs := corpus(20)
	path := writeDocs(t, ids, docs)
	full, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "cut")
	for n := 0; n < len(full); n += 1 + n/16 {
		if err := os.WriteFile(cut, full[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Open(cut)
		if err == nil {
			_ = r.Close()
			t.Fatalf("a file cut to %d of %d bytes opened", n, len(full))
		}
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), cut) {
			t.Fatalf("cut to %d: %v", n, err)
		}
	}
}

// TestUnfinishedRefused: a writer that was never closed (or discarded)
// leaves no usable file.
func TestUnfinishedRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "docs")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Add("a", []byte("alpha")); err != nil {
		t.Fatal(err)
	}
	if err := w.w.Flush(); err != nil { // as if the process died here
		t.Fatal(err)
	}
	if _, err := Open(path); !errors.Is(err, ErrCorrupt) {
		t.Errorf("unfinished file: %v", err)
	}
	if err := w.Discard(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("discarded file still there: %v", err)
	}
	if _, err := Open(path); err == nil || errors.Is(err, ErrCorrupt) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// TestCorruptRecord: a damaged record fails Get with ErrCorrupt naming the
// file and the id; the other records still read.
func TestCorruptRecord(t *testing.T) {
	docs := map[string][]byte{"a": []byte("alpha alpha alpha"), "b": []byte("bravo bravo bravo"), "c": []byte("charlie")}
	ids := []string{"a", "b", "c"}
	path := writeDocs(t, ids, docs)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r0, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	off := r0.ents[1].off // "b"
	_ = r0.Close()
	raw[off+1] ^= 0xff
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	_, found, err := r.Get("b")
	if !found || !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "document b") {
		t.Errorf("damaged record: %v, %v", found, err)
	}
	for _, id := range []string{"a", "c"} {
		if got, _, err := r.Get(id); err != nil || !bytes.Equal(got, docs[id]) {
			t.Errorf("Get(%s) next to a damaged record: %q, %v", id, got, err)
		}
	}
}

// TestCorruptTable: a damaged table or header is refused at Open.
func TestCorruptTable(t *testing.T) {
	ids, docs := corpus(10)
	path := writeDocs(t, ids, docs)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r0, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var recEnd uint64
	for _, e := range r0.ents {
		recEnd = max(recEnd, e.off+uint64(e.n))
	}
	_ = r0.Close()
	for name, pos := range map[string]int{
		"header":       0,
		"table":        int(recEnd) + 2,
		"table offset": len(raw) - footerSize,
		"count":        len(raw) - footerSize + 8,
		"end marker":   len(raw) - 1,
	} {
		bad := bytes.Clone(raw)
		bad[pos] ^= 0x5a
		p := filepath.Join(t.TempDir(), "bad")
		if err := os.WriteFile(p, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		if r, err := Open(p); !errors.Is(err, ErrCorrupt) {
			if r != nil {
				_ = r.Close()
			}
			t.Errorf("%s damaged: %v", name, err)
		}
	}
}

func TestDuplicateID(t *testing.T) {
	path := filepath.Join(t.TempDir(), "docs")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"x", "y", "x"} {
		if err := w.Add(id, []byte(id)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err == nil || !strings.Contains(err.Error(), "document x added twice") {
		t.Errorf("duplicate id: %v", err)
	}
	if _, err := Open(path); !errors.Is(err, ErrCorrupt) {
		t.Errorf("file of a failed Close: %v", err)
	}
	if err := w.Add("z", nil); err == nil {
		t.Error("Add after Close succeeded")
	}
	if _, err := Create(path); err == nil {
		t.Error("Create over an existing file succeeded")
	}
}
