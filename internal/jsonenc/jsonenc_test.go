package jsonenc

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

var samples = []string{
	"", "plain", `quote " and \ backslash`, "tab\tnew\nline\rcr\bbs\fff", "\x00\x01\x1f\x7f",
	"<b>Ana</b> & co", "ünïcødé and 日本語 and 🙂", "line\u2028sep\u2029para", "bad \xff utf8 \xc3", "\xed\xa0\x80 surrogate",
	"\x00\x01\x02\x03\x04\x05\x06\x07\b\t\n\x0b\f\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f",
	"é ß 中文 😀 \u2028 \u2029 \u2027 \u202a \ufeff \ufffd", "bad \xff \xfe\xfe utf-8 \xc3", "\xf4\x90\x80\x80 too big",
	"trailing \xe2\x80", "a\u2028", "\u2029", "<<<<<<<<&&&&&&&&>>>>>>>>", "abcdefgh<ijklmnop",
}

// encoded is what encoding/json writes for s, with or without HTML escaping.
func encoded(t testing.TB, s string, html bool) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(html)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// checkString checks both appenders against encoding/json for s.
func checkString(t testing.TB, s string) {
	t.Helper()
	if got, want := string(AppendString(nil, s)), encoded(t, s, true); got != want {
		t.Errorf("AppendString(%q) = %s, want %s", s, got, want)
	}
	if got, want := string(AppendStringNoHTML(nil, s)), encoded(t, s, false); got != want {
		t.Errorf("AppendStringNoHTML(%q) = %s, want %s", s, got, want)
	}
}

func TestStringMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, s := range samples {
		checkString(t, s)
	}
	// Each byte at each place of strings read 8 bytes at a time.
	for c := range 256 {
		for at := range 19 {
			s := []byte("abcdefghijklmnopqrs")
			s[at] = byte(c)
			for _, s := range []string{string(s), string(s[:at+1]), string(s[at:])} {
				checkString(t, s)
			}
		}
	}
}

func TestStringMapMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	m := map[string]string{}
	for i, s := range samples {
		m[s] = samples[len(samples)-1-i]
	}
	for _, in := range []map[string]string{nil, {}, m, {"hs_timestamp": "2026-03-14T09:26:53.589Z", "a": "b"}} {
		want, _ := json.Marshal(in)
		if in == nil {
			want = []byte("{}")
		}
		if got := StringMap(in); got != string(want) {
			t.Errorf("StringMap(%v) = %s, want %s", in, got, want)
		}
	}
}

func TestPlain(t *testing.T) {
	t.Parallel()
	for c := range 256 {
		want := c >= 0x20 && c < utf8.RuneSelf && c != '"' && c != '\\'
		if got := Plain(byte(c)); got != want {
			t.Errorf("Plain(%#x) = %v, want %v", c, got, want)
		}
	}
}

func TestReadEscape(t *testing.T) {
	t.Parallel()
	// Every escape JSON has, as encoding/json reads it.
	for _, esc := range []string{`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, `\u0000`, `\u0041`, `\u00e9`, `\u2028`, `\uFFFD`, `\uabCD`, `\uffff`} {
		var want string
		if err := json.Unmarshal([]byte(`"`+esc+`"`), &want); err != nil {
			t.Fatal(err)
		}
		r, n, ok := ReadEscape([]byte(esc + "tail"))
		if !ok || n != len(esc) || string(r) != want {
			t.Errorf("ReadEscape(%s) = %q, %d, %v, want %q, %d, true", esc, r, n, ok, want, len(esc))
		}
	}
	// Surrogates are returned as the code unit written.
	for _, u := range []rune{0xD800, 0xDBFF, 0xDC00, 0xDFFF} {
		esc := `\u` + strings.ToUpper(string(hex[u>>12])+string(hex[u>>8&0xF])+string(hex[u>>4&0xF])+string(hex[u&0xF]))
		if r, n, ok := ReadEscape([]byte(esc)); !ok || n != 6 || r != u || !utf16.IsSurrogate(r) {
			t.Errorf("ReadEscape(%s) = %#x, %d, %v, want %#x, 6, true", esc, r, n, ok, u)
		}
	}
	for _, bad := range []string{``, `\`, `\a`, `\U0041`, `\x41`, `\u`, `\u004`, `\u004g`, `\u-041`, `\ `, "\\\n", `xu0041`, `"n`} {
		if r, n, ok := ReadEscape([]byte(bad)); ok {
			t.Errorf("ReadEscape(%q) = %q, %d, true, want false", bad, r, n)
		}
	}
}

func FuzzString(f *testing.F) {
	for _, s := range samples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkString(t, s)
	})
}
