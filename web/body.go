package web

import (
	"html/template"
	"regexp"
	"strings"
	"unicode"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

// bodyPolicy is what a message body may keep of its HTML on the pages:
// bluemonday's user-generated-content policy (text formatting, headings,
// quotes, lists, tables, links) less id attributes (a body's ids would
// collide with the page's own, which links and the script use), images
// (the pages' Content-Security-Policy would block them), image maps and
// the interactive details element. Links
// must be absolute http, https, mailto or tel URLs; every link gets
// rel="nofollow", and web links also target="_blank" with rel="noopener".
// A bluemonday policy is safe for concurrent use once built.
var bodyPolicy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowAttrs("dir").Matching(bluemonday.Direction).Globally()
	p.AllowAttrs("lang").Matching(regexp.MustCompile(`^[a-zA-Z]{2,20}(-[a-zA-Z0-9]{1,8})*$`)).Globally()
	p.AllowAttrs("title").Matching(bluemonday.Paragraph).Globally()
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(false)
	p.AllowURLSchemes("http", "https", "mailto", "tel")
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("cite").OnElements("blockquote", "q", "del", "ins")
	p.AllowElements("p", "br", "hr", "div", "span", "blockquote", "pre", "code", "kbd", "samp", "var",
		"h1", "h2", "h3", "h4", "h5", "h6",
		"b", "strong", "i", "em", "u", "s", "strike", "del", "ins", "mark", "small", "sub", "sup", "q", "cite", "abbr", "dfn", "bdi", "bdo", "wbr",
		"figure", "figcaption", "section", "article", "aside")
	p.AllowLists()
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowTables()
	// Tags that are dropped leave a space, so words either side stay apart.
	p.AddSpaceWhenStrippingTag(true)
	return p
}()

// hasTag tells HTML from plain text, as crm's body preview does: a "<"
// followed by a letter, "/" or "!".
var hasTag = regexp.MustCompile(`<[a-zA-Z/!]`)

// messageBody renders a message's hs_communication_body for the pages: its
// HTML through bodyPolicy, never as stored. A body without any tag is
// plain text (as API clients often write it): its line breaks are kept.
// empty says the body shows no text at all.
func messageBody(body string) (out template.HTML, empty bool) {
	if !hasTag.MatchString(body) {
		body = strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "<br>\n")
	}
	clean := bodyPolicy.Sanitize(body)
	return template.HTML(clean), blank(visibleText(clean))
}

// visibleText is the text of an HTML fragment, entities decoded.
func visibleText(fragment string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(fragment))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			b.Write(z.Text())
		}
	}
}

// blank reports whether s shows nothing: only white space and invisible
// format characters (zero-width spaces and joiners, byte-order marks).
func blank(s string) bool {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) }) == ""
}
