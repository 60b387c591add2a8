package crm

import (
	"strings"
	"testing"
	"time"
	"unicode"
)

func TestFormatAndParseTime(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"1668268102000", "2022-11-12T15:48:22Z"},
		{"1668268102123", "2022-11-12T15:48:22.123Z"},
		{"1.668268102e12", "2022-11-12T15:48:22Z"},
		{"2022-11-12T15:48:22.5Z", "2022-11-12T15:48:22.500Z"},
		{"2022-11-12T17:48:22+02:00", "2022-11-12T15:48:22Z"},
		{"2022-11-12", "2022-11-12T00:00:00Z"},
		{"2022-11-12T15:48:22.123456789Z", "2022-11-12T15:48:22.123Z"},
		// Numbers whose fifth character is a hyphen or that are ten
		// characters long stay numbers.
		{"100e-2", "1970-01-01T00:00:00.001Z"},
		{"1668268102", "1970-01-20T07:24:28.102Z"},
		{"-1000", "1969-12-31T23:59:59Z"},
	} {
		got, ok := ParseInstant(tc.in)
		if !ok || FormatTime(got) != tc.want {
			t.Errorf("%s: %s %v, want %s", tc.in, FormatTime(got), ok, tc.want)
		}
	}
	for _, bad := range []string{"", "yesterday", "2022-13-01", "12:00", "2022-", "2022-1", "2022-11-12x", "1234-5678-9"} {
		if _, ok := ParseInstant(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
	if FormatTime(time.Date(2025, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 3600))) != "2024-12-31T23:00:00Z" {
		t.Error("not converted to UTC")
	}
}

func TestTokenMatch(t *testing.T) {
	for _, tc := range []struct {
		text, pattern string
		want          bool
	}{
		{"ana@hubspot.com", "*@hubspot.com", true},
		{"ana@hubspot.com", "ana@*", true},
		{"Renewal for Acme", "acme", true},
		{"Renewal for Acme", "acm", false},
		{"Renewal for Acme", "a*e", true},
		{"one;two,three four", "three", true},
		{"expansion", "*pan*", true},
		{"expansion", "x*", false},
		{"", "*", false},
	} {
		if got := TokenMatch(tc.text, tc.pattern); got != tc.want {
			t.Errorf("TokenMatch(%q, %q) = %v", tc.text, tc.pattern, got)
		}
	}
}

func TestFreeTextAndTerms(t *testing.T) {
	if got := FreeText("Olá, Ana@Example.com! Çava?"); got != "ola  ana example com  cava " {
		t.Errorf("FreeText %q", got)
	}
	// ASCII text takes a shorter path with the same result.
	for _, s := range []string{"Order #42 SHIPPED to ana_b@example.com\n\tZ-9 [x]~", "", " \x7f\x00"} {
		want := strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsNumber(r) {
				return unicode.ToLower(r)
			}
			return ' '
		}, s)
		if got := FreeText(s); got != want {
			t.Errorf("FreeText(%q) = %q, want %q", s, got, want)
		}
	}
	if got := Terms("  Invoice #42-B  "); len(got) != 3 || got[0] != "invoice" || got[1] != "42" || got[2] != "b" {
		t.Errorf("Terms %q", got)
	}
}

func TestBodyPreview(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Hi <b>Ana</b>, shipped<br>Thanks", "Hi Ana, shipped Thanks"},
		{"<p>One</p><p>Two &amp; three</p>", "One Two & three"},
		{"  spaced \n\t out ", "spaced out"},
		{"a < b and c<d", "a < b and c<d"},
		{"x <3 y", "x <3 y"},
	} {
		if got, _ := bodyPreview(tc.in); got != tc.want {
			t.Errorf("bodyPreview(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	long := make([]rune, PreviewLength+5)
	for i := range long {
		long[i] = 'x'
	}
	if got, cut := bodyPreview(string(long)); !cut || len(got) != PreviewLength {
		t.Errorf("long preview %d %v", len(got), cut)
	}
}

// plainText answers a body that is plain already without stripping it, and
// the answer is always what stripping gives.
func TestPlainTextShortcut(t *testing.T) {
	bodies := []string{"", " ", "a", "a b", "a  b", " a", "a ", "a\tb", "a\nb", "a<b", "a<b>c", "a &amp; b", "Équipe", "x\u00a0y", "~ok~", "a\x7fb"}
	rng := uint64(1)
	alphabet := []string{"a", "Z", " ", "  ", "\t", "<", ">", "<b>", "&", "&lt;", ";", "é", "\u00a0", "\u2028", "1", "~", "\x01"}
	for range 5000 {
		var b strings.Builder
		for range int(rng%9) + 1 {
			rng = rng*6364136223846793005 + 1442695040888963407
			b.WriteString(alphabet[(rng>>33)%uint64(len(alphabet))])
		}
		bodies = append(bodies, b.String())
	}
	for _, body := range bodies {
		if got, want := plainText(body), stripTags(body); got != want {
			t.Fatalf("plainText(%q) = %q, want %q", body, got, want)
		}
	}
	if !plainAlready("History import message 7: order shipped, courier tomorrow.") {
		t.Error("a plain sentence is not taken as plain")
	}
}
