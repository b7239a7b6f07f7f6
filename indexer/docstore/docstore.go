// Package docstore is a write-once file of documents by id: each document a
// snappy-compressed record, appended in any order, and at the end a table
// of id → (offset, length, CRC-32C) sorted by id, loaded into memory when
// the file is opened. A reader reads a record with one ReadAt.
//
// An index generation keeps its articles here instead of in Bleve's stored
// fields, where zap compresses all the stored fields of a document as one
// blob: reading the small hit card of a document then decompressed the
// whole article too.
//
// Layout (integers little-endian):
//
//	header  "SSDOCS1\n"
//	records snappy block-format data, back to back
//	table   per document, ascending by id: uvarint id length, id,
//	        uvarint offset, uvarint length, uint32 CRC-32C of the record
//	footer  uint64 table offset, uint32 document count,
//	        uint32 CRC-32C of the table, "SSDOCEND"
package docstore

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/golang/snappy"
)

const (
	headerMagic = "SSDOCS1\n"
	footerMagic = "SSDOCEND"
	footerSize  = 8 + 4 + 4 + len(footerMagic)
	// maxRecord bounds one compressed record (its length is a uint32 in
	// memory); a larger length in the table is corruption, not a document.
	maxRecord = 1 << 30
)

// ErrCorrupt is wrapped by every error about a file or record that is not
// what the writer wrote: truncated, damaged or not a document store.
var ErrCorrupt = errors.New("docstore: corrupt")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// entry locates one record in the file.
type entry struct {
	off uint64
	n   uint32
	crc uint32
}

// Writer appends documents to a new file. It is not safe for concurrent use.
type Writer struct {
	path  string
	f     *os.File
	w     *bufio.Writer
	off   uint64
	buf   []byte // compression buffer, reused
	ids   []string
	ents  []entry
	err   error // the first write error; later calls return it
	ended bool
}

// Create creates a new file at path (it must not exist) for a Writer.
func Create(path string) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("docstore: create %s: %w", path, err)
	}
	w := &Writer{path: path, f: f, w: bufio.NewWriterSize(f, 1<<20)}
	if _, err := w.w.WriteString(headerMagic); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("docstore: write %s: %w", path, err)
	}
	w.off = uint64(len(headerMagic))
	return w, nil
}

// Add appends the document doc under id. Ids must be unique (Close checks).
func (w *Writer) Add(id string, doc []byte) error {
	if w.err != nil {
		return w.err
	}
	if w.ended {
		return fmt.Errorf("docstore: add %s to %s: writer closed", id, w.path)
	}
	w.buf = snappy.Encode(w.buf[:cap(w.buf)], doc)
	if len(w.buf) > maxRecord {
		return fmt.Errorf("docstore: add %s to %s: %d bytes compressed, limit %d", id, w.path, len(w.buf), maxRecord)
	}
	if _, err := w.w.Write(w.buf); err != nil {
		w.err = fmt.Errorf("docstore: write %s to %s: %w", id, w.path, err)
		return w.err
	}
	w.ids = append(w.ids, id)
	w.ents = append(w.ents, entry{off: w.off, n: uint32(len(w.buf)), crc: crc32.Checksum(w.buf, castagnoli)})
	w.off += uint64(len(w.buf))
	return nil
}

// Len is the number of documents added.
func (w *Writer) Len() int { return len(w.ids) }

// Close writes the table and the footer, fsyncs the file and its directory
// and closes it: once Close returns nil the file is complete and durable.
// On an error the file is closed and left incomplete (Open refuses it).
func (w *Writer) Close() error {
	if w.ended {
		return w.err
	}
	w.ended = true
	err := w.err
	if err == nil {
		err = w.finish()
	}
	if cerr := w.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("docstore: close %s: %w", w.path, cerr)
	}
	if err == nil {
		err = syncDir(filepath.Dir(w.path))
	}
	w.err = err
	return err
}

// Discard closes an unfinished file and removes it, for a build that
// failed: nothing is synced.
func (w *Writer) Discard() error {
	if w.ended {
		return nil
	}
	w.ended = true
	err := w.f.Close()
	if rerr := os.Remove(w.path); err == nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("docstore: discard %s: %w", w.path, err)
	}
	return nil
}

func (w *Writer) finish() error {
	order := make([]int, len(w.ids))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(w.ids[a], w.ids[b]) })
	var table []byte
	for k, i := range order {
		if k > 0 && w.ids[order[k-1]] == w.ids[i] {
			return fmt.Errorf("docstore: %s: document %s added twice", w.path, w.ids[i])
		}
		e := w.ents[i]
		table = binary.AppendUvarint(table, uint64(len(w.ids[i])))
		table = append(table, w.ids[i]...)
		table = binary.AppendUvarint(table, e.off)
		table = binary.AppendUvarint(table, uint64(e.n))
		table = binary.LittleEndian.AppendUint32(table, e.crc)
	}
	footer := binary.LittleEndian.AppendUint64(nil, w.off)
	footer = binary.LittleEndian.AppendUint32(footer, uint32(len(w.ids)))
	footer = binary.LittleEndian.AppendUint32(footer, crc32.Checksum(table, castagnoli))
	footer = append(footer, footerMagic...)
	if _, err := w.w.Write(table); err != nil {
		return fmt.Errorf("docstore: write table of %s: %w", w.path, err)
	}
	if _, err := w.w.Write(footer); err != nil {
		return fmt.Errorf("docstore: write footer of %s: %w", w.path, err)
	}
	if err := w.w.Flush(); err != nil {
		return fmt.Errorf("docstore: write %s: %w", w.path, err)
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("docstore: sync %s: %w", w.path, err)
	}
	return nil
}

// syncDir fsyncs a directory so that a file created in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("docstore: sync %s: %w", dir, err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("docstore: sync %s: %w", dir, err)
	}
	return nil
}

// Reader reads the documents of a complete file. It is safe for concurrent
// use; Close must not run concurrently with Get.
type Reader struct {
	path string
	f    *os.File
	// The table: ids holds every id back to back in ascending order, the
	// i-th ending at idEnd[i]; one string and two slices instead of a map
	// of strings keep a large table to three allocations.
	ids   string
	idEnd []uint32
	ents  []entry
}

// Open opens a file written by a Writer and loads its table. A missing,
// truncated or damaged file is an error (wrapping ErrCorrupt unless the
// file could not be read at all).
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("docstore: open %s: %w", path, err)
	}
	r := &Reader{path: path, f: f}
	if err := r.load(); err != nil {
		_ = f.Close()
		return nil, err
	}
	return r, nil
}

func (r *Reader) corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrCorrupt, r.path, fmt.Sprintf(format, args...))
}

func (r *Reader) load() error {
	fi, err := r.f.Stat()
	if err != nil {
		return fmt.Errorf("docstore: open %s: %w", r.path, err)
	}
	size := fi.Size()
	if size < int64(len(headerMagic)+footerSize) {
		return r.corrupt("%d bytes: truncated or not a document store", size)
	}
	head := make([]byte, len(headerMagic))
	if _, err := r.f.ReadAt(head, 0); err != nil {
		return fmt.Errorf("docstore: read %s: %w", r.path, err)
	}
	if string(head) != headerMagic {
		return r.corrupt("not a document store (header %q)", head)
	}
	foot := make([]byte, footerSize)
	if _, err := r.f.ReadAt(foot, size-int64(footerSize)); err != nil {
		return fmt.Errorf("docstore: read %s: %w", r.path, err)
	}
	if string(foot[16:]) != footerMagic {
		return r.corrupt("no end marker: truncated or incomplete")
	}
	tableOff := binary.LittleEndian.Uint64(foot[0:8])
	count := binary.LittleEndian.Uint32(foot[8:12])
	tableCRC := binary.LittleEndian.Uint32(foot[12:16])
	tableEnd := uint64(size) - uint64(footerSize)
	if tableOff < uint64(len(headerMagic)) || tableOff > tableEnd {
		return r.corrupt("table offset %d outside the file of %d bytes", tableOff, size)
	}
	table := make([]byte, tableEnd-tableOff)
	if _, err := r.f.ReadAt(table, int64(tableOff)); err != nil {
		return fmt.Errorf("docstore: read table of %s: %w", r.path, err)
	}
	if crc32.Checksum(table, castagnoli) != tableCRC {
		return r.corrupt("table checksum mismatch")
	}
	// Each table row takes at least 7 bytes: a count larger than that
	// allows is corruption, not a reason to allocate.
	if uint64(count) > uint64(len(table))/7 {
		return r.corrupt("%d documents cannot fit a table of %d bytes", count, len(table))
	}
	ids := make([]byte, 0, len(table))
	r.idEnd = make([]uint32, 0, count)
	r.ents = make([]entry, 0, count)
	p := table
	uvarint := func(what string) (uint64, error) {
		v, n := binary.Uvarint(p)
		if n <= 0 {
			return 0, r.corrupt("table row %d: bad %s", len(r.ents), what)
		}
		p = p[n:]
		return v, nil
	}
	var prev []byte
	for range count {
		n, err := uvarint("id length")
		if err != nil {
			return err
		}
		if n > uint64(len(p)) {
			return r.corrupt("table row %d: id overruns the table", len(r.ents))
		}
		id := p[:n]
		p = p[n:]
		if len(r.ents) > 0 && string(prev) >= string(id) {
			return r.corrupt("table row %d: id %q not after %q", len(r.ents), id, prev)
		}
		off, err := uvarint("offset")
		if err != nil {
			return err
		}
		length, err := uvarint("length")
		if err != nil {
			return err
		}
		if len(p) < 4 {
			return r.corrupt("table row %d: checksum overruns the table", len(r.ents))
		}
		crc := binary.LittleEndian.Uint32(p)
		p = p[4:]
		if off < uint64(len(headerMagic)) || off > tableOff || length > tableOff-off || length > maxRecord {
			return r.corrupt("document %s: record at %d+%d outside the records", id, off, length)
		}
		prev = id
		ids = append(ids, id...)
		r.idEnd = append(r.idEnd, uint32(len(ids)))
		r.ents = append(r.ents, entry{off: off, n: uint32(length), crc: crc})
	}
	if len(p) != 0 {
		return r.corrupt("%d bytes after the last table row", len(p))
	}
	r.ids = string(ids)
	return nil
}

// Len is the number of documents in the file.
func (r *Reader) Len() int { return len(r.ents) }

func (r *Reader) idAt(i int) string {
	start := uint32(0)
	if i > 0 {
		start = r.idEnd[i-1]
	}
	return r.ids[start:r.idEnd[i]]
}

// Get returns the document stored under id; found is false when the file
// holds none. A record that fails its checksum or does not decompress is an
// error wrapping ErrCorrupt naming the file and the id.
func (r *Reader) Get(id string) (doc []byte, found bool, err error) {
	i := sort.Search(len(r.ents), func(i int) bool { return r.idAt(i) >= id })
	if i == len(r.ents) || r.idAt(i) != id {
		return nil, false, nil
	}
	e := r.ents[i]
	rec := make([]byte, e.n)
	if _, err := r.f.ReadAt(rec, int64(e.off)); err != nil {
		return nil, true, fmt.Errorf("docstore: read document %s from %s: %w", id, r.path, err)
	}
	if crc32.Checksum(rec, castagnoli) != e.crc {
		return nil, true, r.corrupt("document %s: checksum mismatch", id)
	}
	doc, err = snappy.Decode(nil, rec)
	if err != nil {
		return nil, true, r.corrupt("document %s: decompress: %v", id, err)
	}
	return doc, true, nil
}

// Close closes the file.
func (r *Reader) Close() error {
	if err := r.f.Close(); err != nil {
		return fmt.Errorf("docstore: close %s: %w", r.path, err)
	}
	return nil
}
