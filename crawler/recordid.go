package crawler

import (
	"net/url"
	"regexp"
	"strings"
)

// recordIDPattern matches the last path segment of an IPS Pages record URL,
// "…/{record furl}-r{ID}/", optionally followed by a comment page "page/N/".
var recordIDPattern = regexp.MustCompile(`-r([0-9]+)/?$`)

// commentPagePattern matches a trailing comment (or listing) page suffix.
var commentPagePattern = regexp.MustCompile(`/page/[0-9]+/?$`)

// RecordID returns the record id of an IPS Pages record URL: the digits of
// the trailing "-r<digits>/" segment (a trailing "page/N/" of a comment page
// is ignored). It works on the decoded path, so percent-encoded slugs such
// as "…doesn%E2%80%99t-…-r14316/" are handled. ok is false for any URL that
// is not a record URL (listings, tag pages, profiles…).
func RecordID(u *url.URL) (string, bool) {
	if u == nil {
		return "", false
	}
	p := commentPagePattern.ReplaceAllString(u.Path, "/")
	m := recordIDPattern.FindStringSubmatch(p)
	if m == nil {
		return "", false
	}
	// The id is the number after the last "-r": the slug may itself
	// contain "-r" followed by text, never by digits and the end.
	id := strings.TrimLeft(m[1], "0")
	if id == "" {
		return "", false
	}
	return id, true
}

// ArticleID is the stable id of an article: "<source>:r<record id>", the
// form documented on article.Article.ID.
func ArticleID(source, recordID string) string {
	return source + ":r" + recordID
}

// recordURLString is u reduced to the record's page-1 URL: query and
// fragment dropped and a trailing "page/N/" removed. The path keeps the
// site's percent-encoding (EscapedPath).
func recordURLString(u *url.URL) string {
	p := u.EscapedPath()
	if loc := commentPagePattern.FindStringIndex(p); loc != nil {
		p = p[:loc[0]+1]
	}
	if p == "" {
		p = "/"
	}
	return u.Scheme + "://" + u.Host + p
}
