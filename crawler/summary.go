package crawler

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Summary counts what one Run did.
type Summary struct {
	Started, Finished time.Time
	// Fetched counts 2xx answers (pages, comment pages, sitemaps).
	Fetched int
	// NotModified counts 304 answers to conditional GETs.
	NotModified int
	// New, Changed and Unchanged count stored articles by outcome;
	// Unchanged articles (same content hash) were not rewritten.
	New, Changed, Unchanged int
	// Removed counts articles deleted after two consecutive 404/410 crawls.
	Removed int
	// Duplicates counts pages whose article was already handled in this
	// run (same record reached by another URL).
	Duplicates int
	// SkippedUnchanged counts pages of feed and sitemap sources not
	// fetched because the feed's date or the sitemap's lastmod is not
	// newer than the stored page's last fetch.
	SkippedUnchanged int
	// SkippedRobots counts URLs robots.txt disallowed.
	SkippedRobots int
	// OutOfScope counts distinct same-host URLs outside the source's scope
	// (other prefixes, IPS non-content URLs) that were not fetched.
	OutOfScope int
	// UntrustedCanonicals counts pages whose rel=canonical named another
	// host or another record and was ignored.
	UntrustedCanonicals int
	// HostPauses counts pauses of a whole host (Retry-After or back-off);
	// RetryAfterCapped counts Retry-After values above MaxRetryAfter.
	HostPauses, RetryAfterCapped int
	// MaxPagesReached counts sources cut off by MaxPages.
	MaxPagesReached int
	// QueueDropped counts URLs not queued because the frontier was full;
	// LinksDropped counts in-scope links beyond MaxLinksPerPage.
	QueueDropped, LinksDropped int
	// CommentPagesCapped counts records whose comment pages were cut by
	// MaxCommentPages or MaxPages; SitemapsDropped counts sitemaps beyond
	// MaxSitemaps.
	CommentPagesCapped, SitemapsDropped int
	// Resumed counts sources that went on from a frontier stored by an
	// earlier, unfinished run.
	Resumed int
	// Errors counts failed URLs by kind (Kind* constants).
	Errors map[ErrorKind]int
	// Documents counts the document step (attachments, linked PDFs).
	Documents DocumentCounts
	// Sources is the same per source, in the order they started; empty in
	// a source's own summary.
	Sources []SourceSummary
}

// SourceSummary counts what one Run did for one source.
type SourceSummary struct {
	Name string
	Summary
}

// DocumentCounts counts what the document step of a Run did.
type DocumentCounts struct {
	// Fetched counts documents downloaded (2xx answers).
	Fetched int
	// Extracted counts documents whose text was read; Unchanged counts
	// documents answered 304 or fetched with the stored content hash,
	// which are not read again.
	Extracted, Unchanged int
	// Refused counts documents fetched but not read, by reason
	// (e.g. "encrypted", "image_only", "too_large", "not_pdf").
	Refused map[string]int
	// Failed counts documents that could not be fetched or read for a
	// reason that is not the file's (HTTP error, network, extractor).
	Failed int
}

// RefusedCount is the total of Refused.
func (d DocumentCounts) RefusedCount() int {
	n := 0
	for _, v := range d.Refused {
		n += v
	}
	return n
}

// ErrorCount is the total of Errors.
func (s Summary) ErrorCount() int {
	n := 0
	for _, v := range s.Errors {
		n += v
	}
	return n
}

// Counts returns the summary as a flat map (the scheduler's status):
// fetched, not_modified, new, changed, unchanged, removed, duplicates,
// skipped_unchanged, skipped_robots, out_of_scope, host_pauses, retry_after_capped,
// max_pages_reached, untrusted_canonicals, queue_dropped, links_dropped,
// comment_pages_capped, sitemaps_dropped, resumed, errors (total) and
// errors_<kind> per error kind, documents_fetched, documents_extracted,
// documents_unchanged, documents_failed, documents_refused (total) and
// documents_refused_<reason> per reason.
func (s Summary) Counts() map[string]int {
	m := map[string]int{
		"fetched":              s.Fetched,
		"not_modified":         s.NotModified,
		"new":                  s.New,
		"changed":              s.Changed,
		"unchanged":            s.Unchanged,
		"removed":              s.Removed,
		"duplicates":           s.Duplicates,
		"skipped_unchanged":    s.SkippedUnchanged,
		"skipped_robots":       s.SkippedRobots,
		"out_of_scope":         s.OutOfScope,
		"host_pauses":          s.HostPauses,
		"retry_after_capped":   s.RetryAfterCapped,
		"max_pages_reached":    s.MaxPagesReached,
		"untrusted_canonicals": s.UntrustedCanonicals,
		"queue_dropped":        s.QueueDropped,
		"links_dropped":        s.LinksDropped,
		"comment_pages_capped": s.CommentPagesCapped,
		"sitemaps_dropped":     s.SitemapsDropped,
		"resumed":              s.Resumed,
		"errors":               s.ErrorCount(),
		"documents_fetched":    s.Documents.Fetched,
		"documents_extracted":  s.Documents.Extracted,
		"documents_unchanged":  s.Documents.Unchanged,
		"documents_failed":     s.Documents.Failed,
		"documents_refused":    s.Documents.RefusedCount(),
	}
	for k, v := range s.Errors {
		m["errors_"+string(k)] = v
	}
	for k, v := range s.Documents.Refused {
		m["documents_refused_"+k] = v
	}
	return m
}

// String is a readable multi-line summary for the command line.
func (s Summary) String() string {
	var b strings.Builder
	d := s.Finished.Sub(s.Started).Round(100 * time.Millisecond)
	fmt.Fprintf(&b, "crawl finished in %s\n", d)
	for _, l := range []struct {
		label string
		n     int
	}{
		{"fetched", s.Fetched}, {"not modified", s.NotModified}, {"new", s.New}, {"changed", s.Changed},
		{"unchanged", s.Unchanged}, {"removed", s.Removed}, {"duplicates", s.Duplicates},
		{"skipped (unchanged)", s.SkippedUnchanged}, {"skipped (robots)", s.SkippedRobots}, {"out of scope", s.OutOfScope},
		{"canonicals ignored", s.UntrustedCanonicals},
	} {
		fmt.Fprintf(&b, "  %-22s %d\n", l.label+":", l.n)
	}
	if s.HostPauses > 0 || s.RetryAfterCapped > 0 {
		fmt.Fprintf(&b, "  %-22s %d (Retry-After capped: %d)\n", "host pauses:", s.HostPauses, s.RetryAfterCapped)
	}
	if s.QueueDropped+s.LinksDropped+s.CommentPagesCapped+s.SitemapsDropped > 0 {
		fmt.Fprintf(&b, "  %-22s queue full %d, links %d, sitemaps %d, records with comments cut %d\n", "dropped (limits):",
			s.QueueDropped, s.LinksDropped, s.SitemapsDropped, s.CommentPagesCapped)
	}
	if d := s.Documents; d.Fetched+d.Unchanged+d.Failed+d.RefusedCount() > 0 {
		fmt.Fprintf(&b, "  %-22s fetched %d, extracted %d, unchanged %d, failed %d, refused %d\n", "documents:",
			d.Fetched, d.Extracted, d.Unchanged, d.Failed, d.RefusedCount())
		reasons := make([]string, 0, len(d.Refused))
		for k := range d.Refused {
			reasons = append(reasons, k)
		}
		slices.Sort(reasons)
		for _, k := range reasons {
			fmt.Fprintf(&b, "    %-20s %d\n", "refused, "+k+":", d.Refused[k])
		}
	}
	if s.Resumed > 0 {
		fmt.Fprintf(&b, "  %-22s %d source(s)\n", "resumed:", s.Resumed)
	}
	if s.MaxPagesReached > 0 {
		fmt.Fprintf(&b, "  %-22s %d source(s)\n", "stopped (MaxPages):", s.MaxPagesReached)
	}
	fmt.Fprintf(&b, "  %-22s %d", "errors:", s.ErrorCount())
	kinds := make([]ErrorKind, 0, len(s.Errors))
	for k := range s.Errors {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		fmt.Fprintf(&b, "\n    %-20s %d", string(k)+":", s.Errors[k])
	}
	b.WriteByte('\n')
	return b.String()
}
