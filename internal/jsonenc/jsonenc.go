// Package jsonenc writes JSON strings and objects without reflection, and
// reads the escapes of JSON strings, for the documents the stores keep for
// every record (its properties, the changes of each write) and for the
// bodies the API writes and reads. What it writes is byte for byte what
// encoding/json writes for the same values, so a document does not depend on
// which of the two wrote it.
package jsonenc

import (
	"slices"
	"unicode/utf8"
)

const hex = "0123456789abcdef"

// plainByte marks the bytes a JSON string holds as they are: ASCII but for
// control characters, quote and backslash. htmlSafeByte is plainByte less
// <, > and &, which encoding/json escapes by default.
var plainByte, htmlSafeByte = func() (plain, htmlSafe [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		plain[c] = c != '"' && c != '\\'
		htmlSafe[c] = plain[c] && c != '<' && c != '>' && c != '&'
	}
	return plain, htmlSafe
}()

// Plain reports whether c stands for itself in a JSON string, with no
// escape: printable ASCII but for quote and backslash.
func Plain(c byte) bool { return plainByte[c] }

// AppendString appends s as a JSON string as encoding/json's Marshal writes
// it: control characters, quote and backslash escaped, <, > and & as \u003c,
// \u003e and \u0026, U+2028 and U+2029 as \u2028 and \u2029, invalid UTF-8
// as \ufffd.
func AppendString(dst []byte, s string) []byte {
	return appendString(dst, s, true)
}

// AppendStringNoHTML appends s as a JSON string as encoding/json writes it
// with HTML escaping off (an Encoder after SetEscapeHTML(false)): as
// AppendString but with <, > and & as they are.
func AppendStringNoHTML(dst []byte, s string) []byte {
	return appendString(dst, s, false)
}

func appendString(dst []byte, s string, html bool) []byte {
	safe := &plainByte
	if html {
		safe = &htmlSafeByte
	}
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		for i+8 <= len(s) && plain8(s[i:i+8], html) {
			i += 8
		}
		for i < len(s) && safe[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		if b := s[i]; b < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// plain8 reports whether the 8 bytes of s are all plainByte (with html,
// htmlSafeByte), testing them at once: none is below 0x20, none is '"' or
// '\\' (nor '<', '>' or '&'), none has the top bit.
func plain8(s string, html bool) bool {
	_ = s[7]
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	const ones, tops = 0x0101010101010101, 0x8080808080808080
	below := func(x uint64, n byte) uint64 { return (x - ones*uint64(n)) &^ x & tops }
	m := x | below(x, 0x20) | below(x^(ones*'"'), 1) | below(x^(ones*'\\'), 1)
	if html {
		m |= below(x^(ones*'<'), 1) | below(x^(ones*'>'), 1) | below(x^(ones*'&'), 1)
	}
	return m&tops == 0
}

// ReadEscape reads the escape at the start of b, whose first byte is a
// backslash (ok is false if it is not). It returns the character the escape stands for and the escape's
// length: 2 for \", \\, \/, \b, \f, \n, \r and \t; 6 for \uXXXX, whose r is
// the UTF-16 code unit as written (a surrogate, or 0, is returned as it is:
// what to do with them is the caller's). ok is false if b starts with no
// complete escape.
func ReadEscape(b []byte) (r rune, n int, ok bool) {
	if len(b) < 2 || b[0] != '\\' {
		return 0, 0, false
	}
	switch e := b[1]; e {
	case '"', '\\', '/':
		return rune(e), 2, true
	case 'b':
		return '\b', 2, true
	case 'f':
		return '\f', 2, true
	case 'n':
		return '\n', 2, true
	case 'r':
		return '\r', 2, true
	case 't':
		return '\t', 2, true
	case 'u':
		r, ok := hex4(b[2:])
		return r, 6, ok
	}
	return 0, 0, false
}

// hex4 reads the four hexadecimal digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// AppendStringMap appends m as a JSON object with its keys in sorted order.
func AppendStringMap(dst []byte, m map[string]string) []byte {
	var buf [32]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, k)
		dst = append(dst, ':')
		dst = AppendString(dst, m[k])
	}
	return append(dst, '}')
}

// StringMap returns m as a JSON object with its keys in sorted order.
func StringMap(m map[string]string) string {
	n := 2
	for k, v := range m {
		n += len(k) + len(v) + 6
	}
	return string(AppendStringMap(make([]byte, 0, n+n/8), m))
}
