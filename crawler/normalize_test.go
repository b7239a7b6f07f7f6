package crawler

import (
	"net/url"
	"testing"
)

func mustNormalize(t testing.TB, raw string) *url.URL {
	t.Helper()
	u, err := NormalizeURL(raw, nil)
	if err != nil {
		t.Fatalf("NormalizeURL(%q): %v", raw, err)
	}
	return u
}

func TestNormalizeURL(t *testing.T) {
	base, _ := url.Parse("https://www.pslhub.org/learn/patient-safety-learning/")
	cases := []struct {
		name, in, want string
	}{
		{"lower scheme and host", "HTTPS://WWW.PSLHUB.ORG/learn/", "https://www.pslhub.org/learn/"},
		{"path case kept", "https://www.pslhub.org/Learn/A/", "https://www.pslhub.org/Learn/A/"},
		{"default https port", "https://www.pslhub.org:443/learn/", "https://www.pslhub.org/learn/"},
		{"default http port", "http://example.org:80/x", "http://example.org/x"},
		{"other port kept", "http://127.0.0.1:8080/x", "http://127.0.0.1:8080/x"},
		{"fragment dropped", "https://www.pslhub.org/learn/x-r1/#comments", "https://www.pslhub.org/learn/x-r1/"},
		{"empty path", "https://www.pslhub.org", "https://www.pslhub.org/"},
		{"dot segments", "https://www.pslhub.org/learn/a/./b/../c/", "https://www.pslhub.org/learn/a/c/"},
		{"dot segments at end", "https://www.pslhub.org/learn/a/..", "https://www.pslhub.org/learn/"},
		{"too many dot-dots", "https://www.pslhub.org/../../x", "https://www.pslhub.org/x"},
		{"relative", "../other-r5/", "https://www.pslhub.org/learn/other-r5/"},
		{"relative dot", "./child/", "https://www.pslhub.org/learn/patient-safety-learning/child/"},
		{"absolute path", "/learn/x/", "https://www.pslhub.org/learn/x/"},
		{"scheme relative", "//www.pslhub.org/learn/", "https://www.pslhub.org/learn/"},
		{"utm stripped", "https://www.pslhub.org/learn/x-r1/?utm_source=n&utm_medium=e", "https://www.pslhub.org/learn/x-r1/"},
		{"tracking stripped keeps rest", "https://www.pslhub.org/learn/?fbclid=1&page=2&gclid=3&mc_cid=a&mc_eid=b&_ga=x&ref_src=tw", "https://www.pslhub.org/learn/?page=2"},
		{"hubspot stripped", "https://www.pslhub.org/learn/x-r1/?_hsenc=p2&_hsmi=99&__hstc=1", "https://www.pslhub.org/learn/x-r1/"},
		{"upper-case tracking key", "https://www.pslhub.org/learn/?UTM_Source=x&FBCLID=y", "https://www.pslhub.org/learn/"},
		{"empty query dropped", "https://www.pslhub.org/learn/?", "https://www.pslhub.org/learn/"},
		{"query sorted", "https://www.pslhub.org/learn/?page=2&d=1", "https://www.pslhub.org/learn/?d=1&page=2"},
		{"empty params dropped", "https://www.pslhub.org/learn/?&&page=2&", "https://www.pslhub.org/learn/?page=2"},
		{"ips paging kept", "https://www.pslhub.org/learn/medication/page/4/", "https://www.pslhub.org/learn/medication/page/4/"},
		{"hex upper-cased", "https://www.pslhub.org/learn/doesn%e2%80%99t-r1/", "https://www.pslhub.org/learn/doesn%E2%80%99t-r1/"},
		{"encoded quote kept", "https://www.pslhub.org/learn/doesn%E2%80%99t-r1/", "https://www.pslhub.org/learn/doesn%E2%80%99t-r1/"},
		{"raw quote encoded", "https://www.pslhub.org/learn/doesn’t-r1/", "https://www.pslhub.org/learn/doesn%E2%80%99t-r1/"},
		{"unreserved decoded", "https://www.pslhub.org/%7Euser/%41bc-%2D", "https://www.pslhub.org/~user/Abc--"},
		{"encoded slash kept", "https://www.pslhub.org/a%2fb", "https://www.pslhub.org/a%2Fb"},
		{"space encoded", "https://www.pslhub.org/a b", "https://www.pslhub.org/a%20b"},
		{"query encoding", "https://www.pslhub.org/learn/?q=a%2cb%7e", "https://www.pslhub.org/learn/?q=a%2Cb~"},
		{"userinfo dropped", "https://user:pw@www.pslhub.org/learn/", "https://www.pslhub.org/learn/"},
		{"trailing dot host", "https://www.pslhub.org./learn/", "https://www.pslhub.org/learn/"},
		{"ipv6", "http://[::1]:8080/x", "http://[::1]:8080/x"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := NormalizeURL(c.in, base)
			if err != nil {
				t.Fatalf("NormalizeURL(%q): %v", c.in, err)
			}
			if got.String() != c.want {
				t.Errorf("NormalizeURL(%q) = %q, want %q", c.in, got.String(), c.want)
			}
			again, err := NormalizeURL(got.String(), nil)
			if err != nil || again.String() != got.String() {
				t.Errorf("not idempotent: %q → %q (%v)", got, again, err)
			}
		})
	}
}

func TestNormalizeURLErrors(t *testing.T) {
	for _, in := range []string{"", "  ", "mailto:a@b.org", "javascript:void(0)", "/relative/without/base", "ftp://x.org/", "http://%zz/", "http:///nohost", "HTTP://.", "https://www.pslhub.org/100%/x"} {
		if u, err := NormalizeURL(in, nil); err == nil {
			t.Errorf("NormalizeURL(%q) = %q, want an error", in, u)
		}
	}
}

func TestScopeCheck(t *testing.T) {
	s := Scope{Host: "www.pslhub.org", AllowPrefixes: []string{"/learn/"}}
	cases := []struct {
		in, want string
	}{
		{"https://www.pslhub.org/learn/x-r1/", ScopeOK},
		{"https://www.pslhub.org/learn/medication/page/2/", ScopeOK},
		{"https://www.pslhub.org/learn", ScopeOK},
		{"https://www.pslhub.org/learn/?page=3", ScopeOK},
		{"https://pslhub.org/learn/x-r1/", ScopeOtherHost},
		{"https://www.pslhub.org:8443/learn/x-r1/", ScopeOtherHost},
		{"https://evil.org/learn/", ScopeOtherHost},
		{"https://www.pslhub.org/forums/topic/1/", ScopePrefix},
		{"https://www.pslhub.org/learnmore/", ScopePrefix},
		{"https://www.pslhub.org/learn/medication/?sortby=title&sortdirection=asc", ScopeNonContent},
		{"https://www.pslhub.org/learn/medication/?filter=x", ScopeNonContent},
		{"https://www.pslhub.org/learn/x-r1/?do=findComment&comment=5&d=1", ScopeNonContent},
		{"https://www.pslhub.org/learn/x-r1/?tab=comments", ScopeNonContent},
		{"https://www.pslhub.org/learn/?advancedSearchForm=1", ScopeNonContent},
		{"https://www.pslhub.org/learn/medication/?d=1&rss=1", ScopeNonContent},
		{"https://www.pslhub.org/profile/767-patient_safety_learning/", ScopeNonContent},
		{"https://www.pslhub.org/login/", ScopeNonContent},
		{"https://www.pslhub.org/register/", ScopeNonContent},
		{"https://www.pslhub.org/lostpassword/", ScopeNonContent},
		{"https://www.pslhub.org/search/?q=x", ScopeNonContent},
		{"https://www.pslhub.org/tags/UK/", ScopeNonContent},
		{"https://www.pslhub.org/discover/", ScopeNonContent},
		{"https://www.pslhub.org/index.php?/profile/1-x/", ScopeNonContent},
		{"https://www.pslhub.org/applications/core/interface/file/attachment.php?id=5", ScopeAttachments},
	}
	for _, c := range cases {
		u := mustNormalize(t, c.in)
		if got := s.Check(u); got != c.want {
			t.Errorf("Check(%s) = %q, want %q", c.in, got, c.want)
		}
	}
	all := Scope{Host: "www.pslhub.org"}
	if got := all.Check(mustNormalize(t, "https://www.pslhub.org/anything/")); got != ScopeOK {
		t.Errorf("empty allow list: got %q", got)
	}
}

func TestSourceName(t *testing.T) {
	cases := map[string]string{
		"www.pslhub.org":     "pslhub",
		"WWW.PSLHUB.ORG:443": "pslhub",
		"pslhub.org":         "pslhub",
		"www.england.nhs.uk": "england-nhs",
		"127.0.0.1:8080":     "127-0-0-1",
		"localhost":          "localhost",
	}
	for in, want := range cases {
		if got := SourceName(in); got != want {
			t.Errorf("SourceName(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzNormalizeURL: never panics, and a normal form is a fixed point.
func FuzzNormalizeURL(f *testing.F) {
	for _, s := range []string{
		"https://www.pslhub.org/learn/doesn%e2%80%99t-r1/?utm_source=x&page=2#c",
		"HTTP://Example.ORG:80/a/./b/../%7e?&b=2&a=1",
		"//x.org/a b/%zz", "/relative/../x", "http://[::1]:443/", "https://x.org/%2F%2e%2E/",
	} {
		f.Add(s)
	}
	base, _ := NormalizeURL("https://www.pslhub.org/learn/a/", nil)
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := NormalizeURL(raw, base)
		if err != nil {
			return
		}
		again, err := NormalizeURL(u.String(), nil)
		if err != nil {
			t.Fatalf("normal form %q of %q does not parse: %v", u, raw, err)
		}
		if again.String() != u.String() {
			t.Fatalf("not a fixed point: %q → %q → %q", raw, u, again)
		}
	})
}
