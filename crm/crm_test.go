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
	} {
		got, ok := ParseInstant(tc.in)
		if !ok || FormatTime(got) != tc.want {
			t.Errorf("%s: %s %v, want %s", tc.in, FormatTime(got), ok, tc.want)
		}
	}
	for _, bad := range []string{"", "yesterday", "2022-13-01", "12:00"} {
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
