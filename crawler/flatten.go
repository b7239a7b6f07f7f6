package crawler

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
)

// maxParseDepth is the nesting kept when a page is too deep for
// x/net/html, which refuses more than 512 open elements.
const maxParseDepth = 400

func isTooDeep(err error) bool {
	return err != nil && strings.Contains(err.Error(), "open stack of elements exceeds")
}

var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true, "input": true,
	"link": true, "meta": true, "param": true, "source": true, "track": true, "wbr": true,
}

// flattenDeep rewrites body so that no element is nested deeper than
// maxParseDepth: start and end tags beyond that depth are dropped and
// their text is kept in place. Only pages that the
// parser refuses go through it.
func flattenDeep(body []byte) []byte {
	z := html.NewTokenizer(bytes.NewReader(body))
	var out bytes.Buffer
	var stack []string
	dropped := map[string]int{}
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out.Bytes()
		}
		raw := z.Raw()
		switch tt {
		case html.StartTagToken:
			name, _ := z.TagName()
			n := string(name)
			if voidElements[n] {
				break
			}
			if len(stack) >= maxParseDepth {
				dropped[n]++
				continue
			}
			stack = append(stack, n)
		case html.EndTagToken:
			name, _ := z.TagName()
			n := string(name)
			if dropped[n] > 0 {
				dropped[n]--
				continue
			}
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i] == n {
					stack = stack[:i]
					break
				}
			}
		}
		out.Write(raw)
	}
}
