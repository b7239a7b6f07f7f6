package pdftext

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/klippa-app/go-pdfium"
	pdfiumerrors "github.com/klippa-app/go-pdfium/errors"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// Config sizes an Extractor. Zero fields take the defaults.
type Config struct {
	// Workers is how many documents are extracted at once, each in its own
	// PDFium instance; more callers wait for a free one. Default 1.
	Workers int
	// MemoryLimit caps the WebAssembly memory of each instance, so a
	// decompression bomb fails inside PDFium instead of taking the process.
	// Default 512 MiB; it must leave room for the largest file (Limits.MaxBytes).
	MemoryLimit int64
}

const wasmPage = 64 << 10

func (c Config) withDefaults() Config {
	if c.Workers <= 0 {
		c.Workers = 1
	}
	if c.MemoryLimit <= 0 {
		c.MemoryLimit = 512 << 20
	}
	return c
}

// Extractor extracts PDF text with PDFium. It starts PDFium (a second or two to
// compile the module) on first use and reuses it; it is safe for concurrent use.
// Close releases it.
type Extractor struct {
	cfg Config

	mu     sync.Mutex
	pool   pdfium.Pool
	closed bool
}

// New returns an Extractor; PDFium is not started until the first Extract.
func New(cfg Config) *Extractor {
	return &Extractor{cfg: cfg.withDefaults()}
}

// Start starts PDFium now rather than on the first document, e.g. to pay the
// start-up cost before a crawl's clock runs.
func (e *Extractor) Start(ctx context.Context) error {
	_, err := e.start(ctx)
	return err
}

func (e *Extractor) start(ctx context.Context) (pdfium.Pool, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, errors.New("pdftext: extractor is closed")
	}
	if e.pool != nil {
		return e.pool, nil
	}
	rc := wazero.NewRuntimeConfig().
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
		WithCloseOnContextDone(true). // lets a deadline stop a runaway call
		WithMemoryLimitPages(uint32(e.cfg.MemoryLimit / wasmPage))
	pool, err := webassembly.Init(webassembly.Config{
		Context:       context.WithoutCancel(ctx),
		MinIdle:       0,
		MaxIdle:       e.cfg.Workers,
		MaxTotal:      e.cfg.Workers,
		RuntimeConfig: rc,
		FSConfig:      wazero.NewFSConfig(), // no host files: documents come in as bytes
		Stdout:        io.Discard,
		Stderr:        io.Discard,
		// A fresh instance per document: wasm memory never shrinks, and nothing
		// one hostile file did to PDFium's state can reach the next.
		ReuseWorkers: false,
	})
	if err != nil {
		return nil, fmt.Errorf("pdftext: start PDFium: %w", err)
	}
	e.pool = pool
	return pool, nil
}

// Close stops PDFium; Extract fails afterwards. Call it once the Extract calls
// in flight have returned: it ends their instances under them.
func (e *Extractor) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closed = true
	if e.pool == nil {
		return nil
	}
	err := e.pool.Close()
	e.pool = nil
	return err
}

// Extract reads one PDF from r and returns its text page by page. A refusal is
// one of the Err* errors, wrapped with its detail; the Document then carries
// what is known (PageCount, and the empty pages of an image-only file).
func (e *Extractor) Extract(ctx context.Context, r io.Reader, lim Limits) (Document, error) {
	lim = lim.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()

	data, err := readCapped(r, lim.MaxBytes)
	if err != nil {
		return Document{}, err
	}
	if err := precheck(data, lim); err != nil {
		return Document{}, err
	}
	pool, err := e.start(ctx)
	if err != nil {
		return Document{}, err
	}
	inst, err := pool.GetInstanceWithContext(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return Document{}, interrupted(ctx, lim, "waiting for a PDFium instance")
		}
		return Document{}, fmt.Errorf("pdftext: PDFium instance: %w", err)
	}

	type result struct {
		doc Document
		err error
	}
	done := make(chan result, 1)
	go func() {
		doc, err := extract(ctx, inst, data, lim)
		done <- result{doc, err}
	}()
	select {
	case res := <-done:
		if errors.Is(res.err, errInstance) {
			_ = inst.Kill() // its memory or state is suspect: do not hand it back
		} else {
			_ = inst.Close()
		}
		return res.doc, res.err
	case <-ctx.Done():
		// Kill interrupts the call in flight (WithCloseOnContextDone); wait
		// for the goroutine so nothing outlives Extract.
		_ = inst.Kill()
		res := <-done
		return res.doc, interrupted(ctx, lim, "extracting")
	}
}

// interrupted tells the document's deadline (the document's fault: timed out)
// from the caller's cancellation (shutdown: not the document's fault).
func interrupted(ctx context.Context, lim Limits, doing string) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w after %s, %s: %w", ErrTimedOut, lim.Timeout, doing, ctx.Err())
	}
	return fmt.Errorf("pdftext: %s: %w", doing, ctx.Err())
}

func readCapped(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("pdftext: read: %w", err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	return data, nil
}

// precheck refuses, before PDFium sees them, files that are not PDFs and files
// with more objects than the limit (each costs PDFium memory and time).
func precheck(data []byte, lim Limits) error {
	head := data[:min(len(data), 1024)]
	if !bytes.Contains(head, []byte("%PDF-")) {
		return fmt.Errorf("%w: no %%PDF- header", ErrDamaged)
	}
	if n := bytes.Count(data, []byte("endobj")); n > lim.MaxObjects {
		return fmt.Errorf("%w: %d objects, more than %d", ErrTooLarge, n, lim.MaxObjects)
	}
	return nil
}

// errInstance marks a failure of the PDFium instance itself (a trap, memory
// exhausted): the document is refused and the instance is discarded.
var errInstance = errors.New("PDFium instance failed")

func extract(ctx context.Context, inst pdfium.Pdfium, data []byte, lim Limits) (Document, error) {
	opened, err := inst.OpenDocument(&requests.OpenDocument{File: &data})
	if err != nil {
		return Document{}, openError(err)
	}
	docRef := opened.Document
	defer func() { _, _ = inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: docRef}) }()

	count, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: docRef})
	if err != nil {
		return Document{}, fmt.Errorf("%w: page count: %w", ErrDamaged, err)
	}
	doc := Document{PageCount: count.PageCount}
	if count.PageCount > lim.MaxPages {
		return doc, fmt.Errorf("%w: %d pages, more than %d", ErrTooManyPages, count.PageCount, lim.MaxPages)
	}
	var pages [][]string
	for i := range count.PageCount {
		if ctx.Err() != nil {
			return doc, interrupted(ctx, lim, fmt.Sprintf("at page %d", i+1))
		}
		gs, err := pageGlyphs(inst, docRef, i)
		if err != nil {
			return doc, fmt.Errorf("page %d of %d: %w", i+1, count.PageCount, err)
		}
		pages = append(pages, pageLines(gs))
	}
	return assemble(doc, dropRunning(pages))
}

// maxPageGlyphs refuses pages with more characters than any real page: a
// hostile page would otherwise cost Go memory outside PDFium's cap.
const maxPageGlyphs = 200_000

// maxTextBytes bounds the text kept per document for the same reason.
const maxTextBytes = 64 << 20

func pageGlyphs(inst pdfium.Pdfium, docRef references.FPDF_DOCUMENT, index int) ([]glyph, error) {
	page, err := inst.FPDF_LoadPage(&requests.FPDF_LoadPage{Document: docRef, Index: index})
	if err != nil {
		return nil, instanceOr(ErrDamaged, err)
	}
	defer func() { _, _ = inst.FPDF_ClosePage(&requests.FPDF_ClosePage{Page: page.Page}) }()
	text, err := inst.FPDFText_LoadPage(&requests.FPDFText_LoadPage{Page: requests.Page{ByReference: &page.Page}})
	if err != nil {
		return nil, instanceOr(ErrDamaged, err)
	}
	defer func() { _, _ = inst.FPDFText_ClosePage(&requests.FPDFText_ClosePage{TextPage: text.TextPage}) }()
	n, err := inst.FPDFText_CountChars(&requests.FPDFText_CountChars{TextPage: text.TextPage})
	if err != nil {
		return nil, instanceOr(ErrDamaged, err)
	}
	if n.Count > maxPageGlyphs {
		return nil, fmt.Errorf("%w: %d characters on one page, more than %d", ErrTooLarge, n.Count, maxPageGlyphs)
	}
	gs := make([]glyph, 0, n.Count)
	for i := range n.Count {
		u, err := inst.FPDFText_GetUnicode(&requests.FPDFText_GetUnicode{TextPage: text.TextPage, Index: i})
		if err != nil {
			return nil, instanceOr(ErrDamaged, err)
		}
		box, err := inst.FPDFText_GetCharBox(&requests.FPDFText_GetCharBox{TextPage: text.TextPage, Index: i})
		if err != nil {
			return nil, instanceOr(ErrDamaged, err)
		}
		gs = append(gs, glyph{r: rune(u.Unicode), left: box.Left, bottom: box.Bottom, right: box.Right, top: box.Top})
	}
	return gs, nil
}

// assemble numbers the pages and refuses documents with no text at all.
func assemble(doc Document, pages [][]string) (Document, error) {
	size := 0
	doc.Pages = make([]Page, len(pages))
	for i, lines := range pages {
		text := joinLines(lines)
		size += len(text)
		if size > maxTextBytes {
			return Document{PageCount: doc.PageCount}, fmt.Errorf("%w: more than %d bytes of text", ErrTooLarge, maxTextBytes)
		}
		doc.Pages[i] = Page{Number: i + 1, Text: text}
	}
	if size == 0 {
		return doc, fmt.Errorf("%w: %d pages without a character", ErrImageOnly, doc.PageCount)
	}
	return doc, nil
}

func joinLines(lines []string) string {
	var b bytes.Buffer
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l)
	}
	return b.String()
}

// openError maps PDFium's open failures to refusals.
func openError(err error) error {
	switch {
	case errors.Is(err, pdfiumerrors.ErrPassword), errors.Is(err, pdfiumerrors.ErrSecurity):
		return fmt.Errorf("%w: %w", ErrEncrypted, err)
	case errors.Is(err, pdfiumerrors.ErrFormat), errors.Is(err, pdfiumerrors.ErrFile),
		errors.Is(err, pdfiumerrors.ErrUnknown), errors.Is(err, pdfiumerrors.ErrPage):
		return fmt.Errorf("%w: %w", ErrDamaged, err)
	}
	return instanceOr(ErrDamaged, err)
}

// instanceOr tells PDFium's own errors (the document's fault) from failures of
// the WebAssembly instance, such as memory exhausted by a decompression bomb.
func instanceOr(docErr, err error) error {
	for _, known := range []error{pdfiumerrors.ErrUnknown, pdfiumerrors.ErrFile, pdfiumerrors.ErrFormat,
		pdfiumerrors.ErrPassword, pdfiumerrors.ErrSecurity, pdfiumerrors.ErrPage, pdfiumerrors.ErrUnexpected} {
		if errors.Is(err, known) {
			return fmt.Errorf("%w: %w", docErr, err)
		}
	}
	// Only the first line: a trap's message goes on with a wasm stack trace.
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return fmt.Errorf("%w: PDFium ran out of memory or trapped (%w): %s", ErrTooLarge, errInstance, msg)
}
