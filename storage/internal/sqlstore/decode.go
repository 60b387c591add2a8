package sqlstore

import (
	"encoding/json"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/spoke-crm/spoke/internal/jsonenc"
)

// decodeProperties parses the properties column, a JSON object of strings
// written by json.Marshal. Every read of a record decodes it, so the common
// shape is parsed directly, several times faster than encoding/json; anything
// else (null, other value types, invalid UTF-8, malformed input) goes to
// encoding/json, so the result is always the same as json.Unmarshal's.
func decodeProperties(data []byte) (map[string]string, error) {
	if m, ok := decodeFlatObject(data); ok {
		return m, nil
	}
	var m map[string]string
	err := json.Unmarshal(data, &m)
	return m, err
}

// decodeFlatObject parses {"k":"v",...}; ok is false if data is not exactly that.
func decodeFlatObject(b []byte) (m map[string]string, ok bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, false
	}
	m = make(map[string]string, 16)
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return m, skipSpace(b, i+1) == len(b)
	}
	for {
		k, j, ok := jsonString(b, i)
		if !ok {
			return nil, false
		}
		i = skipSpace(b, j)
		if i >= len(b) || b[i] != ':' {
			return nil, false
		}
		v, j, ok := jsonString(b, skipSpace(b, i+1))
		if !ok {
			return nil, false
		}
		m[k] = v
		i = skipSpace(b, j)
		if i >= len(b) {
			return nil, false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return m, skipSpace(b, i+1) == len(b)
		default:
			return nil, false
		}
	}
}

// jsonString reads the JSON string starting at b[i] and returns its value and
// the index after it.
func jsonString(b []byte, i int) (s string, next int, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return "", 0, false
	}
	escaped := false
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '\\':
			escaped = true
			j++ // skip the escaped byte; \uXXXX digits need no skipping
		case c == '"':
			raw := b[i+1 : j]
			if !utf8.Valid(raw) {
				return "", 0, false // encoding/json replaces invalid bytes
			}
			if !escaped {
				return string(raw), j + 1, true
			}
			if s, ok := unescape(raw); ok {
				return s, j + 1, true
			}
			// Rare forms (a lone surrogate) are left to encoding/json.
			if json.Unmarshal(b[i:j+1], &s) != nil {
				return "", 0, false
			}
			return s, j + 1, true
		case c < 0x20:
			return "", 0, false
		}
	}
	return "", 0, false
}

// unescape decodes the escapes of a JSON string's contents; ok is false for
// malformed escapes and for surrogates that do not form a pair.
func unescape(raw []byte) (string, bool) {
	buf := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			buf = append(buf, c)
			i++
			continue
		}
		r, n, ok := jsonenc.ReadEscape(raw[i:])
		if !ok {
			return "", false
		}
		if utf16.IsSurrogate(r) {
			lo, m, ok := jsonenc.ReadEscape(raw[i+n:])
			if r = utf16.DecodeRune(r, lo); !ok || m != 6 || r == utf8.RuneError {
				return "", false
			}
			n += m
		}
		buf = utf8.AppendRune(buf, r)
		i += n
	}
	return string(buf), true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}
