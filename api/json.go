package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/spoke-crm/spoke/crm"
)

// MaxBodyBytes bounds request bodies.
const MaxBodyBytes = 16 << 20

const jsonContentType = "application/json;charset=utf-8"

// writeJSON writes v without HTML escaping: HubSpot returns "<" as is.
func writeJSON(w http.ResponseWriter, status int, v any) {
	switch v := v.(type) {
	case objectJSON:
		writeAppended(w, status, func(b []byte) []byte { return appendObject(b, &v) })
		return
	case listJSON:
		writeAppended(w, status, func(b []byte) []byte { return appendList(b, &v) })
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"status":"error","message":"internal error"}`)
	}
	w.Header().Set("Content-Type", jsonContentType)
	w.WriteHeader(status)
	w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// decodeBody reads a JSON request body into v, answering malformed input the
// way HubSpot's JSON binding does.
func decodeBody(r *http.Request, v any) error {
	// Sized from Content-Length (bounded: the header is the client's word)
	// so that a large batch is read without growing the buffer step by step.
	buf := bytes.NewBuffer(make([]byte, 0, min(max(r.ContentLength, 0), 1<<22)+bytes.MinRead))
	_, err := buf.ReadFrom(r.Body)
	data := buf.Bytes()
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &httpError{status: http.StatusRequestEntityTooLarge, category: crm.CategoryValidation,
			message: fmt.Sprintf("Request body exceeds the limit of %d bytes", tooBig.Limit)}
	}
	if err != nil {
		return crm.BadInput("Invalid JSON input: could not read the request body")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return crm.Invalidf("Invalid JSON input: a request body was expected, but none found")
	}
	if fastDecode(data, v) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return jsonError(data, v, err)
	}
	if dec.More() {
		return jsonError(data, v, &json.SyntaxError{Offset: dec.InputOffset()})
	}
	return nil
}

// jsonError words the failure to decode data into target as "Invalid input
// JSON on line L, column C: ...", naming the JSON fields that lead to the
// value at fault (as HubSpot's own messages name fields, never types).
func jsonError(data []byte, target any, err error) error {
	var (
		syntax  *json.SyntaxError
		typ     *json.UnmarshalTypeError
		invalid *invalidValueError
		offset  int64
		reason  string
	)
	switch {
	case errors.As(err, &syntax):
		offset, reason = syntax.Offset, "Unexpected character or end of input"
	case errors.As(err, &typ):
		names, at := fieldPath(reflect.TypeOf(target), typ.Field)
		offset = typ.Offset
		if expected, ours := valueKinds[typ.Type]; ours {
			// One of the value types below refused the value: encoding/json
			// knows the field, not where the value is, nor a map's key.
			for at != nil && at.Kind() == reflect.Pointer {
				at = at.Elem()
			}
			inList := at != nil && (at.Kind() == reflect.Slice || at.Kind() == reflect.Array) && at.Elem() == typ.Type
			if at != nil && at.Kind() == reflect.Map && at.Elem() == typ.Type {
				names = append(names, "*")
			}
			if off, key, ok := locate(data, names, typ.Value, inList); ok {
				offset = off
				if key != "" {
					names[len(names)-1] = key
				}
			}
			reason = fmt.Sprintf("expected %s, got JSON %s", expected, typ.Value)
		} else {
			reason = fmt.Sprintf("expected %s, got JSON %s", describeGoType(typ.Type.String()), typ.Value)
		}
		field := strings.Join(names, ".")
		if field == "" {
			field = "request body"
		}
		reason = "Cannot deserialize " + field + ": " + reason
	case errors.As(err, &invalid):
		offset, reason = invalid.offset, invalid.msg
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		offset, reason = int64(len(data)), "Unexpected end of input"
	default:
		reason = err.Error()
	}
	line, col := position(data, offset)
	return crm.BadInput("Invalid input JSON on line %d, column %d: %s", line, col, reason)
}

func describeGoType(t string) string {
	switch {
	case strings.HasPrefix(t, "map["), strings.HasPrefix(t, "api."), strings.HasPrefix(t, "struct"):
		return "an object"
	case strings.HasPrefix(t, "[]"):
		return "an array"
	case t == "string":
		return "a string"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "float"):
		return "a number"
	case t == "bool":
		return "a boolean"
	}
	return t
}

func position(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	line, col = 1, 1
	for _, b := range data[:offset] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

type invalidValueError struct {
	offset int64
	msg    string
}

func (e *invalidValueError) Error() string { return e.msg }

// fieldPath turns the Field of encoding/json's type errors, a path of JSON
// field names with the Go names of embedded structs among them, into the
// JSON names alone, and returns the Go type the path leads to (nil when it
// cannot be followed).
func fieldPath(t reflect.Type, field string) ([]string, reflect.Type) {
	var names []string
	if field == "" {
		return names, t
	}
	for _, seg := range strings.Split(field, ".") {
		for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			t = t.Elem()
		}
		if t == nil || t.Kind() != reflect.Struct {
			names, t = append(names, seg), nil
			continue
		}
		f, embedded := structField(t, seg)
		if !embedded {
			names = append(names, seg)
		}
		t = nil
		if f != nil {
			t = f.Type
		}
	}
	return names, t
}

// structField finds the field of struct t that encoding/json names seg: an
// embedded struct by its Go name, or a field by its JSON name.
func structField(t reflect.Type, seg string) (f *reflect.StructField, embedded bool) {
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if sf.Anonymous && name == "" && sf.Name == seg {
			return &sf, true
		}
		if name == "" {
			name = sf.Name
		}
		if name == seg {
			return &sf, false
		}
	}
	return nil, false
}

// locate finds, in document order, the first value at path (JSON field
// names, arrays looked through, "*" for any key) of the JSON kind given, an
// item of a list there if inList, and returns the offset just past its
// first token (as encoding/json's offsets are) and, where path ends in "*",
// its key.
func locate(data []byte, path []string, kind string, inList bool) (offset int64, key string, ok bool) {
	w := &locator{dec: json.NewDecoder(bytes.NewReader(data)), path: path, kind: kind, inList: inList}
	w.value(nil, false)
	return w.offset, w.key, w.found
}

type locator struct {
	dec    *json.Decoder
	path   []string
	kind   string
	inList bool
	found  bool
	offset int64
	key    string
}

// value reads one value at path at (an item of an array if item) and
// reports whether to stop: the value was found, or the input ended.
func (w *locator) value(at []string, item bool) bool {
	tok, err := w.dec.Token()
	if err != nil {
		return true
	}
	if len(at) == len(w.path) && jsonKind(tok) == w.kind && (item || !w.inList) && w.matches(at) {
		w.found, w.offset = true, w.dec.InputOffset()
		if len(at) > 0 && w.path[len(at)-1] == "*" {
			w.key = at[len(at)-1]
		}
		return true
	}
	switch tok {
	case json.Delim('{'):
		for w.dec.More() {
			k, err := w.dec.Token()
			name, _ := k.(string)
			if err != nil || w.value(append(at[:len(at):len(at)], name), false) {
				return true
			}
		}
	case json.Delim('['):
		for w.dec.More() {
			if w.value(at, true) {
				return true
			}
		}
	default:
		return false
	}
	_, err = w.dec.Token() // the closing delimiter
	return err != nil
}

func (w *locator) matches(at []string) bool {
	for i, name := range at {
		if w.path[i] != "*" && w.path[i] != name {
			return false
		}
	}
	return true
}

// jsonKind names a token's JSON kind the way encoding/json's type errors do.
func jsonKind(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return "object"
		}
		return "array"
	case string:
		return "string"
	case bool:
		return "bool"
	case nil:
		return "null"
	}
	return "number"
}

// valueKinds are the types below that accept some JSON kinds only, with the
// kinds they expect: they refuse others with kindError.
var valueKinds = map[reflect.Type]string{
	reflect.TypeFor[propertyValue](): "a string, a number or a boolean",
	reflect.TypeFor[scalar]():        "a string, a number or a boolean",
	reflect.TypeFor[flexString]():    "a string or a number",
}

// kindError refuses b, a value of type t (one of valueKinds): encoding/json
// adds the path of the field, and jsonError finds the value.
func kindError(b []byte, t reflect.Type) error {
	kind := "number"
	switch b[0] {
	case '{':
		kind = "object"
	case '[':
		kind = "array"
	case '"':
		kind = "string"
	case 't', 'f':
		kind = "bool"
	case 'n':
		kind = "null"
	}
	return &json.UnmarshalTypeError{Value: kind, Type: t}
}

// propertyValue accepts a property value written as a JSON string, number or
// boolean, keeping its text; null clears the value like "".
type propertyValue string

func (p *propertyValue) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*p = propertyValue(s)
	case string(b) == "null":
		*p = ""
	case string(b) == "true" || string(b) == "false" || (len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9'))):
		*p = propertyValue(b)
	default:
		return kindError(b, reflect.TypeFor[propertyValue]())
	}
	return nil
}

type propertyMap map[string]propertyValue

func (m propertyMap) strings() map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = string(v)
	}
	return out
}

// flexString accepts a JSON string or number (ids are sent both ways).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	if len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')) {
		*f = flexString(b)
		return nil
	}
	return kindError(b, reflect.TypeFor[flexString]())
}

// missingFields is HubSpot's JSON-binding 400 for required fields not set,
// in the wording of its responses; nil when names is empty.
func missingFields(names ...string) error {
	if len(names) == 0 {
		return nil
	}
	return crm.BadInput("Invalid input JSON on line 1, column 2. Some required fields were not set: [%s]", strings.Join(names, ", "))
}

// field is a required field of a body: its name, and whether it was set.
type field struct {
	name string
	set  bool
}

// unset returns the names of the fields that were not set, in order.
func unset(fields ...field) []string {
	var names []string
	for _, f := range fields {
		if !f.set {
			names = append(names, f.name)
		}
	}
	return names
}

// requireFields is missingFields for the fields not set, or nil.
func requireFields(fields ...field) error { return missingFields(unset(fields...)...) }
