package crm

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// CodeInvalidCharacter is the validation code of a value holding a
// character Spoke does not store (see Storable).
const CodeInvalidCharacter = "INVALID_CHARACTER"

// Storable reports whether s can be stored as it is by every backend.
// PostgreSQL's text and jsonb hold neither the NUL character (U+0000) nor
// bytes that are not UTF-8, while SQLite holds both; Spoke refuses them on
// every backend, before storage sees them, so that both keep the same data
// and an export of one always seeds the other. JSON bodies cannot carry
// invalid UTF-8 (the decoder replaces it), but paths, query parameters and
// command-line arguments can.
func Storable(s string) bool {
	return strings.IndexByte(s, 0) < 0 && utf8.ValidString(s)
}

// notStorable is the message for a value that is not Storable.
const notStorable = "contains a NUL character (U+0000) or bytes that are not UTF-8, which Spoke does not store"

// storableValue is the property error of a value that is not Storable, or nil.
func storableValue(name, value string) *PropertyError {
	if Storable(value) {
		return nil
	}
	return &PropertyError{Name: name, Code: CodeInvalidCharacter,
		Message: fmt.Sprintf("Property \"%s\" value %s", name, notStorable)}
}

// checkStorable refuses, with a 400 naming what, any of values that is not
// Storable: for the strings of definitions (labels, options, owners) that
// are not property values.
func checkStorable(what string, values ...string) error {
	for _, v := range values {
		if !Storable(v) {
			return Invalidf("%s %s", what, notStorable)
		}
	}
	return nil
}
