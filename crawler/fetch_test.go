package crawler

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestToUTF8(t *testing.T) {
	late := "<html><head>" + strings.Repeat("<!-- padding -->", 100) + "<meta charset=\"iso-8859-15\"></head><body>\xa4 caf\xe9</body></html>"
	cases := []struct {
		name, body, ctype, want string
	}{
		{"utf-8 kept", "<p>café “q”</p>", "text/html", "<p>café “q”</p>"},
		{"bom stripped", "\xef\xbb\xbf<p>é</p>", "text/html; charset=utf-8", "<p>é</p>"},
		{"header charset", "<p>caf\xe9 \x93q\x94</p>", "text/html; charset=windows-1252", "<p>café “q”</p>"},
		{"late meta beats the 1024-byte prescan", late, "text/html", strings.Replace(strings.Replace(late, "\xa4", "€", 1), "\xe9", "é", 1)},
		{"http-equiv meta", "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"><p>\x93x\x94</p>", "", "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"><p>“x”</p>"},
		{"no declaration: windows-1252 sniffed", "<p>na\xefve</p>", "text/html", "<p>naïve</p>"},
		{"utf-8 declared but invalid", "<meta charset=utf-8><p>caf\xe9</p>", "text/html; charset=utf-8", "<meta charset=utf-8><p>café</p>"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := toUTF8([]byte(c.body), c.ctype)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Errorf("toUTF8 = %q\nwant %q", got, c.want)
			}
		})
	}
	if _, err := toUTF8([]byte("caf\xe9"), "text/html; charset=klingon"); err == nil {
		t.Error("unknown charset accepted")
	}
}

func TestIsHTML(t *testing.T) {
	for ct, want := range map[string]bool{
		"text/html":                         true,
		"text/html; charset=utf-8":          true,
		"application/xhtml+xml":             true,
		"TEXT/HTML; charset=ISO-8859-1":     true,
		"application/pdf":                   false,
		"application/json":                  false,
		"text/plain":                        false,
		"text/xml":                          false,
		"application/octet-stream; foo=bar": false,
	} {
		if got := isHTML(ct, []byte("<html><body>x</body></html>")); got != want {
			t.Errorf("isHTML(%q) = %v", ct, got)
		}
	}
	if !isHTML("", []byte("<!DOCTYPE html><html>")) || isHTML("", []byte("%PDF-1.4")) {
		t.Error("sniffing without Content-Type is wrong")
	}
}

func TestFetcherGet(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			w.Header().Set("ETag", `"v1"`)
			if r.Header.Get("If-None-Match") == `"v1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Write([]byte("<html>ua=" + r.Header.Get("User-Agent") + "</html>"))
		case "/redirect":
			http.Redirect(w, r, "/ok", http.StatusMovedPermanently)
		case "/big":
			w.Write([]byte(strings.Repeat("x", 2000)))
		case "/slow":
			time.Sleep(300 * time.Millisecond)
		}
	}))
	defer srv.Close()
	f := newFetcher(Config{UserAgent: "safetysearch/test (+https://example.org)", MaxBodyBytes: 1000, Timeout: 100 * time.Millisecond, AllowPrivateNetworks: true})
	ctx := context.Background()
	u := func(p string) *url.URL { v, _ := url.Parse(srv.URL + p); return v }

	r, err := f.get(ctx, u("/ok"), nil, 0)
	if err != nil || r.Status != 200 || string(r.Body) != "<html>ua=safetysearch/test (+https://example.org)</html>" {
		t.Fatalf("get /ok = %+v, %v", r, err)
	}
	r, err = f.get(ctx, u("/ok"), http.Header{"If-None-Match": {`"v1"`}}, 0)
	if err != nil || r.Status != http.StatusNotModified {
		t.Fatalf("conditional get = %+v, %v", r, err)
	}
	r, err = f.get(ctx, u("/redirect"), nil, 0)
	if err != nil || r.Status != http.StatusMovedPermanently || r.Header.Get("Location") != "/ok" {
		t.Fatalf("redirect must not be followed by the client: %+v, %v", r, err)
	}
	var fe *FetchError
	if _, err = f.get(ctx, u("/big"), nil, 0); !errors.As(err, &fe) || fe.Kind != KindTooLarge || !strings.Contains(err.Error(), "body exceeds 1000 bytes") {
		t.Fatalf("big body: %v", err)
	}
	if _, err = f.get(ctx, u("/slow"), nil, 0); !errors.As(err, &fe) || fe.Kind != KindTimeout {
		t.Fatalf("slow answer: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err = f.get(cctx, u("/ok"), nil, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled ctx: %v", err)
	}
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	du, _ := url.Parse(dead.URL + "/")
	if _, err = f.get(ctx, du, nil, 0); !errors.As(err, &fe) || fe.Kind != KindConnection {
		t.Fatalf("refused connection: %v", err)
	}
}
