package searchapi

// GET /api/v1/export: the whole result set of a search as CSV, RIS,
// BibTeX or JSON Lines, streamed as the index yields it.

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"

	"github.com/gin-gonic/gin"

	"github.com/safetysearch/safetysearch/indexer"
)

// MaxExport is the most articles one export returns. When a search has
// more, the export holds the first MaxExport in the search's sort order and
// carries X-Export-Truncated: true.
const MaxExport = 5000

// exportTimeoutFactor scales SearchTimeout for an export, which reads up
// to MaxExport whole articles.
const exportTimeoutFactor = 12

// flushEvery is how many articles are written between flushes to the
// client.
const flushEvery = 100

// exportParamNames are the parameters of an export: the search's, without
// paging, facets and highlighting, plus format.
var exportParamNames = map[string]bool{
	"format": false, "bom": false,
	"q": false, "region": true, "audience": true, "topic": true, "type": true,
	"tag": true, "author": true, "from": false, "to": false, "year": true, "sort": false,
	"has_attachment": false,
}

// handleExport serves GET /api/v1/export.
func (s *Server) handleExport(c *gin.Context) {
	raw, err := parseRawQuery(c.Request.URL.RawQuery, s.cfg.MaxQueryValues)
	if err == nil {
		err = checkParams(raw, exportParamNames)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	name := strings.TrimSpace(raw.Get("format"))
	f, ok := lookupExportFormat(name)
	if !ok {
		msg := "is required; one of " + strings.Join(exportFormatNames(), ", ")
		if name != "" {
			msg = fmt.Sprintf("%q is not one of %s", clip(name), strings.Join(exportFormatNames(), ", "))
		}
		s.fail(c, &indexer.ParamError{Param: "format", Msg: msg})
		return
	}
	var opts exportOptions
	switch v := raw.Get("bom"); v {
	case "1", "true":
		opts.BOM = true
	case "", "0", "false":
	default:
		s.fail(c, &indexer.ParamError{Param: "bom", Msg: fmt.Sprintf("%q is not 1 or 0", clip(v))})
		return
	}
	params := cloneValues(raw)
	params.Del("format")
	params.Del("bom")
	q, err := parseSearchParams(params)
	if err != nil {
		s.fail(c, err)
		return
	}
	// The count decides the truncation header before the body starts.
	cq := q
	cq.Page, cq.PerPage, cq.Facets, cq.Highlight = 1, 1, []string{}, false
	res, _, err := s.search(c, cq)
	if err != nil {
		s.fail(c, err)
		return
	}
	q.Page, q.Facets, q.Highlight = 1, []string{}, false
	limit := s.pages.exportLimit

	ctx, cancel := context.WithTimeout(c.Request.Context(), exportTimeoutFactor*s.cfg.SearchTimeout)
	defer cancel()
	h := c.Writer.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Disposition", `attachment; filename="`+exportFilename(q.Text, f.Ext, time.Now())+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Export-Total", strconv.FormatUint(res.Total, 10))
	h.Set("X-Export-Limit", strconv.Itoa(limit))
	h.Set("X-Export-Truncated", strconv.FormatBool(res.Total > uint64(limit)))
	h.Del("ETag") // a stream is not worth revalidating
	c.Status(http.StatusOK)

	w := f.New(c.Writer, opts)
	n := 0
	err = s.searcher.Scan(ctx, q, limit, func(a article.Article) error {
		if err := w.Write(a); err != nil {
			return err
		}
		n++
		if n%flushEvery == 0 {
			if err := w.Flush(); err != nil {
				return err
			}
			c.Writer.Flush()
		}
		return nil
	})
	if err != nil {
		if !c.Writer.Written() {
			h.Del("Content-Disposition")
			h.Del("X-Export-Total")
			h.Del("X-Export-Limit")
			h.Del("X-Export-Truncated")
			s.fail(c, withContextErr(ctx, err))
			return
		}
		// The status is sent: all we can do is stop and say so in the log.
		s.log.WarnContext(ctx, "export stopped", "request_id", requestIDOf(c),
			"format", f.Name, "written", n, "err", err)
		c.Abort()
		return
	}
	if err := w.Flush(); err != nil {
		s.log.WarnContext(ctx, "export flush failed", "request_id", requestIDOf(c), "err", err)
	}
}
