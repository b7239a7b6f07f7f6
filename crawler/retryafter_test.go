package crawler

import (
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"120", 2 * time.Minute, true},
		{" 7 ", 7 * time.Second, true},
		{"0", 0, true},
		{"Wed, 25 Nov 2026 12:00:30 GMT", 30 * time.Second, true},   // RFC 1123
		{"Wednesday, 25-Nov-26 12:01:00 GMT", time.Minute, true},    // RFC 850
		{"Wed Nov 25 12:00:10 2026", 10 * time.Second, true},        // ANSI C
		{"Wed, 25 Nov 2026 11:00:00 GMT", 0, true},                  // past → now
		{"99999999999999999999999", time.Duration(1<<63 - 1), true}, // huge: caller caps
		{"", 0, false},
		{"soon", 0, false},
		{"-5", 0, false},
		{"1.5", 0, false},
		{"12abc", 0, false},
		{"Wed, 32 Nov 2026 12:00:30 GMT", 0, false},
	}
	for _, c := range cases {
		got, ok := ParseRetryAfter(c.in, now)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseRetryAfter(%q) = %v,%v want %v,%v", c.in, got, ok, c.want, c.ok)
		}
	}
}
