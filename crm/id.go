package crm

import "strconv"

// ParseID reads a record id as clients send it, in a path segment or as a
// JSON string or number: a positive decimal integer that fits in 64 bits.
// Anything else (negative, zero, beyond 64 bits, exponent or decimal
// notation, not a number, empty) names no record, and ok is false; callers
// answer as they do for an id that names no record.
func ParseID(s string) (id int64, ok bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, false
	}
	return id, true
}
