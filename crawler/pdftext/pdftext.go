package pdftext

import (
	"context"
	"errors"
	"time"
)

// Document is the text of one PDF, one entry per page in page order.
type Document struct {
	// PageCount is the number of pages in the file; it is set even when the
	// extraction is refused for having too many pages.
	PageCount int
	Pages     []Page
}

// Page is the text of one page; Number counts from 1, as in a #page= link.
type Page struct {
	Number int
	Text   string
}

// Limits bound the work spent on one document. Zero fields take the defaults
// of DefaultLimits.
type Limits struct {
	// MaxBytes caps the size of the file; a larger one is not read past the cap.
	MaxBytes int64
	// MaxPages refuses documents with more pages than this.
	MaxPages int
	// MaxObjects refuses files with more indirect objects than this, counted
	// before PDFium parses them.
	MaxObjects int
	// Timeout is the wall time allowed for one document, on top of the context.
	Timeout time.Duration
}

// DefaultLimits are generous for reports and board papers and still small
// enough that one hostile file costs at most seconds and one instance's memory.
func DefaultLimits() Limits {
	return Limits{
		MaxBytes:   50 << 20,
		MaxPages:   2000,
		MaxObjects: 1 << 20,
		Timeout:    2 * time.Minute,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxPages <= 0 {
		l.MaxPages = d.MaxPages
	}
	if l.MaxObjects <= 0 {
		l.MaxObjects = d.MaxObjects
	}
	if l.Timeout <= 0 {
		l.Timeout = d.Timeout
	}
	return l
}

// The refusals. Extract wraps them with the detail (sizes, PDFium's error), so
// test them with errors.Is or StatusOf.
var (
	ErrEncrypted    = errors.New("pdftext: encrypted (a password is needed to read it)")
	ErrDamaged      = errors.New("pdftext: damaged or not a PDF")
	ErrImageOnly    = errors.New("pdftext: no text layer (scanned or image-only; no OCR)")
	ErrTooLarge     = errors.New("pdftext: too large")
	ErrTooManyPages = errors.New("pdftext: too many pages")
	ErrTimedOut     = errors.New("pdftext: timed out")
)

// Status names the outcome of an extraction, for the crawler to store and count.
type Status string

// The statuses, one per refusal, plus StatusOK and StatusError (the extractor
// itself failed: not the document's fault, worth retrying).
const (
	StatusOK           Status = "ok"
	StatusEncrypted    Status = "encrypted"
	StatusDamaged      Status = "damaged"
	StatusImageOnly    Status = "image_only"
	StatusTooLarge     Status = "too_large"
	StatusTooManyPages Status = "too_many_pages"
	StatusTimedOut     Status = "timed_out"
	StatusError        Status = "error"
)

// StatusOf maps an error of Extract to its status; nil is StatusOK.
func StatusOf(err error) Status {
	switch {
	case err == nil:
		return StatusOK
	case errors.Is(err, ErrEncrypted):
		return StatusEncrypted
	case errors.Is(err, ErrDamaged):
		return StatusDamaged
	case errors.Is(err, ErrImageOnly):
		return StatusImageOnly
	case errors.Is(err, ErrTooLarge):
		return StatusTooLarge
	case errors.Is(err, ErrTooManyPages):
		return StatusTooManyPages
	case errors.Is(err, ErrTimedOut), errors.Is(err, context.DeadlineExceeded):
		return StatusTimedOut
	default:
		return StatusError
	}
}
