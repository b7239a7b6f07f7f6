package crawler

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestPlainText(t *testing.T) {
	for _, c := range []struct {
		name, html, want string
		opts             textOptions
	}{
		{"paragraphs and br", "<p>One  two\n three</p><p>Four<br>five</p>", "One two three\nFour\nfive", textOptions{}},
		{"inline elements keep words together", "<p>a<strong>b</strong> <em>c</em></p>", "ab c", textOptions{}},
		{"lists and headings", "<h3>Head</h3><ul><li>x</li><li>y</li></ul>", "Head\nx\ny", textOptions{}},
		{"table", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc", textOptions{}},
		{"entities and nbsp", "<p>A&nbsp;&amp;&nbsp;B &ndash; C&#8217;s &lt;tag&gt;</p>", "A & B – C’s <tag>", textOptions{}},
		{"invisible characters", "<p>zero\u200bwidth soft\u00adhyphen \ufeffbom</p>", "zerowidth softhyphen bom", textOptions{}},
		{"dropped blocks", `<p>keep</p><script>x</script><style>y</style><iframe>z</iframe><noscript>n</noscript><nav>nav</nav>
			<div class="ipsHide">h</div><div hidden>h2</div><div style="display: none">h3</div><span style="visibility:hidden">h4</span>
			<div class="cPostShareMenu">s</div><div class="ipsShareLinks">s2</div><div class="ipsReact_blurb">r</div>
			<div class="ipsItemControls">c</div><div data-role="replyArea">reply</div><div class="cGuestTeaser">g</div>
			<p data-excludequote>Edited by X</p><aside>a</aside><footer>f</footer><button>b</button><p>end</p>`, "keep\nend", textOptions{}},
		{"quotes kept in article text", `<blockquote class="ipsQuote"><div>quoted</div></blockquote><p>own</p>`, "quoted\nown", textOptions{}},
		{"quotes dropped in comments", `<blockquote class="ipsQuote" data-ipsquote=""><div>quoted</div></blockquote><p>own</p><blockquote data-ipsquote><p>q2</p></blockquote>`, "own", textOptions{dropQuotes: true}},
		{"plain blockquote kept in comments", `<blockquote><p>cited report</p></blockquote><p>own</p>`, "cited report\nown", textOptions{dropQuotes: true}},
		{"images have no text", `<p>before<img alt="pic">after</p>`, "beforeafter", textOptions{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc, err := goquery.NewDocumentFromReader(strings.NewReader("<div id='root'>" + c.html + "</div>"))
			if err != nil {
				t.Fatal(err)
			}
			if got := plainText(doc.Find("#root"), c.opts); got != c.want {
				t.Errorf("plainText = %q, want %q", got, c.want)
			}
		})
	}
}
