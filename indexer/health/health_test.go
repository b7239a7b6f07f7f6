package health

import (
	"reflect"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
)

func healthArticle(src string, title, author, body string, dated bool, tags, comments int) article.Article {
	a := article.Article{Source: src, Title: title, Author: author, Body: body}
	if dated {
		a.Published = time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	}
	for range tags {
		a.Tags = append(a.Tags, "t")
	}
	for range comments {
		a.Comments = append(a.Comments, article.Comment{Body: "c"})
	}
	return a
}

func TestMeasure(t *testing.T) {
	arts := []article.Article{
		healthArticle("hub", "A", "Ann", "text", true, 2, 1),
		healthArticle("hub", "B", "", "text", true, 0, 0),
		healthArticle("hub", "C", "", "", false, 1, 0),
		healthArticle("hub", "D", "Dee", "text", true, 1, 0),
		healthArticle("gov", "E", "", "text", true, 0, 0),
	}
	got := Measure(arts)
	want := []Source{
		{Source: "gov", Articles: 1, Shares: map[string]float64{"title": 1, "author": 0, "published": 1, "tags": 0, "body": 1, "comments": 0}},
		{Source: "hub", Articles: 4, Shares: map[string]float64{"title": 1, "author": 0.5, "published": 0.75, "tags": 0.75, "body": 0.75, "comments": 0.25}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Measure =\n%+v\nwant\n%+v", got, want)
	}
	if h := Measure(nil); len(h) != 0 {
		t.Errorf("Measure(nil) = %+v", h)
	}
}

func TestDrops(t *testing.T) {
	before := []Source{
		{Source: "hub", Articles: 10, Shares: map[string]float64{"title": 1, "author": 0.9, "published": 1, "tags": 0.5, "body": 1, "comments": 0.3}},
		{Source: "old", Articles: 5, Shares: map[string]float64{"title": 1}},
	}
	after := []Source{
		// author falls 60 points, tags exactly 20 (no warning), body 21.
		{Source: "hub", Articles: 12, Shares: map[string]float64{"title": 1, "author": 0.3, "published": 1, "tags": 0.3, "body": 0.79, "comments": 0.5}},
		{Source: "new", Articles: 3, Shares: map[string]float64{"title": 0}},
	}
	got := Drops(before, after)
	want := []Drop{
		{Source: "hub", Field: "author", Before: 0.9, After: 0.3},
		{Source: "hub", Field: "body", Before: 1, After: 0.79},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Drops = %+v, want %+v", got, want)
	}
	if s := got[0].String(); s != "hub: author on 30% of articles, was 90%" {
		t.Errorf("String = %q", s)
	}
}

// No drop is an empty list, which the status shows as "warnings": [].
func TestDropsNoneIsEmpty(t *testing.T) {
	h := []Source{{Source: "hub", Articles: 2, Shares: map[string]float64{"title": 1}}}
	if got := Drops(h, h); got == nil || len(got) != 0 {
		t.Errorf("Drops of an unchanged source = %#v, want an empty list", got)
	}
}

func TestReportClone(t *testing.T) {
	r := Report{
		MeasuredAt: time.Date(2026, 5, 1, 3, 0, 0, 0, time.UTC),
		Sources:    []Source{{Source: "hub", Articles: 2, Shares: map[string]float64{"title": 1}}},
	}
	c := r.Clone()
	c.Sources[0].Shares["title"] = 0
	c.Sources[0].Articles = 9
	if r.Sources[0].Shares["title"] != 1 || r.Sources[0].Articles != 2 {
		t.Errorf("Clone shares its sources with the original: %+v", r)
	}
	if c.Warnings == nil || !c.MeasuredAt.Equal(r.MeasuredAt) {
		t.Errorf("Clone = %+v", c)
	}
}
