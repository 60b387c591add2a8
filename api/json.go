package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/spoke-crm/spoke/crm"
)

// MaxBodyBytes bounds request bodies.
const MaxBodyBytes = 16 << 20

const jsonContentType = "application/json;charset=utf-8"

// writeJSON writes v without HTML escaping: HubSpot returns "<" as is.
func writeJSON(w http.ResponseWriter, status int, v any) {
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
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return jsonError(data, err)
	}
	if dec.More() {
		return jsonError(data, &json.SyntaxError{Offset: dec.InputOffset()})
	}
	return nil
}

// jsonError words a decoding failure as "Invalid input JSON on line L, column C: ...".
func jsonError(data []byte, err error) error {
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
		offset = typ.Offset
		field := typ.Field
		if field == "" {
			field = "request body"
		}
		reason = fmt.Sprintf("Cannot deserialize %s: expected %s, got JSON %s", field, describeGoType(typ.Type.String()), typ.Value)
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
		return &invalidValueError{msg: "property values must be strings, numbers or booleans"}
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
	return &invalidValueError{msg: "expected a string or a number"}
}
