package build

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/indextest"
)

// pipeCloser is a bytes.Buffer that can be closed, as a child's stdin.
type pipeCloser struct{ bytes.Buffer }

func (*pipeCloser) Close() error { return nil }

// The stream a parent sends is what the child's Func reads: the header's
// directory, scoring model and every article, and the result line carries
// the Func's count.
func TestStreamRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := indextest.LifecycleArticles(7)
	var in pipeCloser
	if err := sendStream(ctx, &in, streamLine{Dir: "/tmp/gen-x", Scoring: "tf-idf"}, src); err != nil {
		t.Fatal(err)
	}
	var gotDir, gotScoring string
	var ids []string
	fn := func(ctx context.Context, dir, scoring string, s Source) (int, error) {
		gotDir, gotScoring = dir, scoring
		err := s.Each(ctx, func(a article.Article) error { ids = append(ids, a.ID); return nil })
		return len(ids), err
	}
	var out bytes.Buffer
	if err := FromStream(ctx, &in, &out, fn); err != nil {
		t.Fatal(err)
	}
	var res streamResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || res.Documents != 7 || res.Error != "" {
		t.Fatalf("result line %q: %v", out.String(), err)
	}
	if gotDir != "/tmp/gen-x" || gotScoring != "tf-idf" || len(ids) != 7 || ids[0] != src[0].ID {
		t.Errorf("child read dir %q scoring %q ids %v", gotDir, gotScoring, ids)
	}
}

// A stream cut before its end marker, or without a header, fails the build
// and the error line is written for the parent.
func TestStreamRefusesBadStreams(t *testing.T) {
	fn := func(ctx context.Context, dir, scoring string, s Source) (int, error) {
		err := s.Each(ctx, func(article.Article) error { return nil })
		return 0, err
	}
	for name, c := range map[string]struct{ in, want string }{
		"truncated": {`{"dir":"/x","scoring":"bm25"}` + "\n" + `{"article":{"id":"t:r1"}}` + "\n", "before the end marker"},
		"no header": {`{"article":{"id":"t:r1"}}` + "\n", "not a header"},
		"miscount":  {`{"dir":"/x"}` + "\n" + `{"article":{"id":"t:r1"}}` + "\n" + `{"end":2}` + "\n", "end marker says 2"},
	} {
		var out bytes.Buffer
		err := FromStream(context.Background(), strings.NewReader(c.in), &out, fn)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(out.String(), `"error"`) {
			t.Errorf("%s: %v, output %q", name, err, out.String())
		}
	}
}

// A parent without a command fails at once; one whose child cannot start
// names the command.
func TestProcessNoCommand(t *testing.T) {
	src := indextest.LifecycleArticles(1)
	if _, err := (&Process{}).Build(context.Background(), t.TempDir(), "bm25", src); err == nil {
		t.Error("no command: no error")
	}
	_, err := (&Process{Path: "/nonexistent/safetysearch", Stderr: io.Discard}).Build(context.Background(), t.TempDir(), "bm25", src)
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/safetysearch") || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing command: %v", err)
	}
}
