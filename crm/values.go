package crm

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// FormatTime renders an instant the way HubSpot does (Java's Instant.toString
// at millisecond precision): UTC with Z, the fraction dropped when it is zero.
func FormatTime(t time.Time) string {
	t = t.UTC().Truncate(time.Millisecond)
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02T15:04:05Z")
	}
	return t.Format("2006-01-02T15:04:05.000Z")
}

// ParseInstant reads epoch milliseconds or an ISO-8601 timestamp (a bare date
// means midnight UTC). The result is truncated to milliseconds.
func ParseInstant(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	// A text that starts with four digits and a hyphen is no number: the
	// calendar forms are tried at once, sparing the two failed parses of a
	// number (each of which allocates its error).
	calendar := len(s) >= 10 && s[4] == '-' && strings.Trim(s[:4], "0123456789") == ""
	if !calendar {
		if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.UnixMilli(ms).UTC(), true
		}
		if f, ok := parseDecimal(s); ok && f == math.Trunc(f) && math.Abs(f) < 1e17 {
			return time.UnixMilli(int64(f)).UTC(), true // JSON numbers such as 1.7e12
		}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Truncate(time.Millisecond), true
		}
	}
	return time.Time{}, false
}

// parseDate reads a calendar date: YYYY-MM-DD, or an instant at midnight UTC.
func parseDate(s string) (string, bool) {
	if t, err := time.Parse("2006-01-02", strings.TrimSpace(s)); err == nil {
		return t.Format("2006-01-02"), true
	}
	t, ok := ParseInstant(s)
	if !ok || t.Hour() != 0 || t.Minute() != 0 || t.Second() != 0 || t.Nanosecond() != 0 {
		return "", false
	}
	return t.Format("2006-01-02"), true
}

// parseDecimal reads a finite number in decimal notation, with an optional
// sign, fraction and exponent ("-12.5", ".5", "2E3"). strconv.ParseFloat
// alone also takes Go's digit separators ("1_000"), hexadecimal floats
// ("0x1p4"), infinities and NaN, which are no numbers to HubSpot.
func parseDecimal(s string) (float64, bool) {
	if strings.ContainsAny(s, "_xX") {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// formatNumber gives the canonical text of a number value.
func formatNumber(s string) (string, bool) {
	f, ok := parseDecimal(strings.TrimSpace(s))
	if !ok {
		return "", false
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10), true
	}
	return strconv.FormatFloat(f, 'f', -1, 64), true
}

func parseBool(s string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return "true", true
	case "false":
		return "false", true
	}
	return "", false
}
