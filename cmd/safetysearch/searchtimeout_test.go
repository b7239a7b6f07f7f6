package main

import (
	"strings"
	"testing"
	"time"
)

// The search deadline is a setting of its own, 2 s at most by default,
// handed to the API; 0 or a negative value is refused.
func TestSearchTimeoutSetting(t *testing.T) {
	d, err := loadConfig("", envMap(map[string]string{}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.apiConfig().SearchTimeout; got <= 0 || got > 2*time.Second {
		t.Errorf("default search deadline %s, want (0, 2s]", got)
	}
	c, err := loadConfig("", envMap(map[string]string{"SAFETYSEARCH_SEARCH_TIMEOUT": "750ms"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.apiConfig().SearchTimeout; got != 750*time.Millisecond {
		t.Errorf("search_timeout 750ms: API deadline %s", got)
	}
	for _, v := range []string{"0s", "-1s"} {
		if _, err := loadConfig("", envMap(map[string]string{"SAFETYSEARCH_SEARCH_TIMEOUT": v}), nil); err == nil || !strings.Contains(err.Error(), "search_timeout") {
			t.Errorf("search_timeout %s: error %v, want one naming search_timeout", v, err)
		}
	}
}
