package searchapi

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// FuzzSearchParams sends arbitrary query strings to GET /api/v1/search on a
// real index: the server must never panic or answer 5xx, and every answer
// must match the OpenAPI document.
func FuzzSearchParams(f *testing.F) {
	for _, seed := range []string{
		"", "q=falls", "q=%22unclosed", "q=title:", "q=a+OR+OR+b", "q=-x", "q=wor*", "q=w*",
		"region=UK&region=England&type=Blogs", "from=2024-01-01&to=2023-01-01", "from=0001-01-01",
		"year=1000&year=9999", "page=10&per_page=100", "page=11&per_page=100", "facets=,,,", "facets=tag,author&facet_size=100",
		"sort=newest&highlight=0", "q=%ff", "%zz", "q=a&q=b", "regoin=x", "q=" + string(make([]byte, 600)),
		"q=sepsis+%22never+event%22+-falls&topic=x&tag=y&author=z", "q=%E2%80%99s+(a)+[b]+{c}+~d+^e+/f/",
		"q=title:%22%22", "q=*", "q=OR", "q=::::", "q=region:uk+type:blogs",
	} {
		f.Add(seed)
	}
	ginTestMode.Do(func() { gin.SetMode(gin.TestMode) })
	ix := openIndex(f, sampleArticles(f))
	cfg := testConfig()
	cfg.SearchTimeout = 5 * time.Second
	srv, err := New(cfg, ix, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		f.Fatal(err)
	}
	sp := loadSpec(f)
	f.Fuzz(func(t *testing.T, raw string) {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/search", nil)
		req.URL.RawQuery = raw
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("?%s → %d\n%s", raw, rec.Code, rec.Body.Bytes())
		}
		if err := sp.check(req, rec.Code, rec.Header(), rec.Body.Bytes()); err != nil {
			t.Fatal(err)
		}
	})
}
