package searchapi

// Templates and static assets of the HTML pages, embedded in the binary:
// no CDN, no build step.

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"strings"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pageNames are the page templates; each defines "content" and is rendered
// inside "layout".
var pageNames = []string{"search", "article", "status", "error"}

// pageTemplates holds one parsed template set per page.
type pageTemplates struct {
	sets map[string]*template.Template
}

func templateFuncs(static map[string]staticDoc) template.FuncMap {
	return template.FuncMap{
		// asset is the URL of an embedded static file, versioned by its
		// content so it can be cached for long.
		"asset": func(path string) string {
			if d, ok := static[path]; ok {
				return "/static" + path + "?v=" + assetVersion(d)
			}
			return "/static" + path
		},
		"date": func(t time.Time) string { return t.UTC().Format("2 January 2006") },
		"isodate": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format("2006-01-02")
		},
		"datetime": func(t time.Time) string { return t.UTC().Format("2 January 2006, 15:04 UTC") },
		"rfc3339":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"lower":    strings.ToLower,
		"plural": func(n any, one, many string) string {
			if fmt.Sprint(n) == "1" {
				return one
			}
			return many
		},
	}
}

// assetVersion is the short content hash in a static file's URL.
func assetVersion(d staticDoc) string {
	v := strings.Trim(d.etag, `"`)
	return v[:min(len(v), 12)]
}

// parsePageTemplates parses the embedded templates.
func parsePageTemplates(static map[string]staticDoc) (*pageTemplates, error) {
	pt := &pageTemplates{sets: map[string]*template.Template{}}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(templateFuncs(static)).ParseFS(templateFS,
			"templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("searchapi: parse template %s: %w", name, err)
		}
		pt.sets[name] = t
	}
	return pt, nil
}

// render executes a page into a buffer, so a template error can still
// become a clean error response instead of half a page.
func (pt *pageTemplates) render(name string, data any) ([]byte, error) {
	t, ok := pt.sets[name]
	if !ok {
		return nil, fmt.Errorf("searchapi: no page template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return nil, fmt.Errorf("searchapi: render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// loadStatic reads the embedded static files, keyed by their path under
// /static.
func loadStatic() (map[string]staticDoc, error) {
	out := map[string]staticDoc{}
	err := fs.WalkDir(staticFS, "static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(path)
		if err != nil {
			return err
		}
		ct := "application/octet-stream"
		switch {
		case strings.HasSuffix(path, ".css"):
			ct = "text/css; charset=utf-8"
		case strings.HasSuffix(path, ".js"):
			ct = "text/javascript; charset=utf-8"
		case strings.HasSuffix(path, ".svg"):
			ct = "image/svg+xml"
		}
		out["/"+strings.TrimPrefix(path, "static/")] = newStaticDoc(b, ct)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("searchapi: static assets: %w", err)
	}
	return out, nil
}
