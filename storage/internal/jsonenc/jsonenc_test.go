package jsonenc

import (
	"encoding/json"
	"testing"
)

var samples = []string{
	"", "plain", `quote " and \ backslash`, "tab\tnew\nline\rcr\bbs\fff", "\x00\x01\x1f\x7f",
	"<b>Ana</b> & co", "ünïcødé and 日本語 and 🙂", "line\u2028sep\u2029para", "bad \xff utf8 \xc3", "\xed\xa0\x80 surrogate",
}

func TestStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range samples {
		want, _ := json.Marshal(s)
		if got := AppendString(nil, s); string(got) != string(want) {
			t.Errorf("AppendString(%q) = %s, want %s", s, got, want)
		}
	}
}

func TestStringMapMatchesEncodingJSON(t *testing.T) {
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

func FuzzString(f *testing.F) {
	for _, s := range samples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := AppendString(nil, s); string(got) != string(want) {
			t.Errorf("AppendString(%q) = %s, want %s", s, got, want)
		}
	})
}
