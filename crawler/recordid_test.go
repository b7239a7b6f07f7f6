package crawler

import (
	"net/url"
	"testing"
)

func TestRecordID(t *testing.T) {
	for _, c := range []struct {
		url, id string
		ok      bool
	}{
		{"https://www.pslhub.org/learn/patient-safety-in-health-and-care/medication/ismp-canada-safety-bulletins-r7715/", "7715", true},
		{"https://www.pslhub.org/learn/x/when-learning-from-deaths-doesn%E2%80%99t-really-learn-r14316/", "14316", true},
		{"https://www.pslhub.org/learn/x/a-ticking-time-bomb%E2%80%99-healthcare-r8391/page/2/", "8391", true},
		{"https://www.pslhub.org/learn/x/a-ticking-time-bomb%E2%80%99-healthcare-r8391/page/12", "8391", true},
		{"https://www.pslhub.org/learn/x/record-r12504/?do=findComment&comment=50003&d=1#comments", "12504", true},
		{"https://www.pslhub.org/learn/x/record-r12504", "12504", true},
		{"https://www.pslhub.org/learn/x/r-rated-review-r-r0042/", "42", true},
		{"https://www.pslhub.org/learn/x/record-r0/", "", false},
		{"https://www.pslhub.org/learn/patient-safety-in-health-and-care/medication/", "", false},
		{"https://www.pslhub.org/learn/patient-safety-in-health-and-care/medication/page/2/", "", false},
		{"https://www.pslhub.org/learn/x-r12/child/", "", false},
		{"https://www.pslhub.org/profile/767-patient_safety_learning/", "", false},
		{"https://www.pslhub.org/tags/UK/", "", false},
		{"https://www.pslhub.org/learn/x/record-r12x/", "", false},
		{"https://www.pslhub.org/", "", false},
	} {
		u, err := url.Parse(c.url)
		if err != nil {
			t.Fatal(err)
		}
		id, ok := RecordID(u)
		if id != c.id || ok != c.ok {
			t.Errorf("RecordID(%s) = %q, %v; want %q, %v", c.url, id, ok, c.id, c.ok)
		}
	}
	if _, ok := RecordID(nil); ok {
		t.Error("RecordID(nil) ok")
	}
}

func TestRecordURLString(t *testing.T) {
	for in, want := range map[string]string{
		"https://h.example/learn/a/b%E2%80%99c-r1/page/3/?x=1#c": "https://h.example/learn/a/b%E2%80%99c-r1/",
		"https://h.example/learn/a/b-r1/":                        "https://h.example/learn/a/b-r1/",
		"https://h.example/learn/a/b-r1/page/2":                  "https://h.example/learn/a/b-r1/",
	} {
		u, err := url.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := recordURLString(u); got != want {
			t.Errorf("recordURLString(%s) = %s, want %s", in, got, want)
		}
	}
	if got := ArticleID("pslhub", "7715"); got != "pslhub:r7715" {
		t.Errorf("ArticleID = %s", got)
	}
}
