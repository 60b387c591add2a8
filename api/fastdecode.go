package api

import (
	"unicode/utf16"
	"unicode/utf8"

	"github.com/spoke-crm/spoke/internal/jsonenc"
)

// The bodies that create and update records are decoded here without
// reflection when they have the shape clients send: objects with the
// fields of these types, each at most once, property values and ids as
// strings, association type ids as integers. fastDecode gives up on
// anything else (an unknown or repeated field, null, a value of another
// kind, an escape it does not read, invalid UTF-8, data after the body, a
// syntax error), and decodeBody then decodes the whole body with
// encoding/json as before, so that what it accepts, what it refuses and the
// words of its errors do not depend on this path. Where it succeeds, it
// yields the values encoding/json would.

// The bodies read here. The batch bodies are the types readInputs and
// batchUpdate decode into.
type (
	createInputsBody = struct {
		Inputs []batchCreateInput `json:"inputs"`
	}
	upsertInputsBody = struct {
		Inputs []batchUpdateInput `json:"inputs"`
	}
	updateInputsBody = struct {
		Inputs     []batchUpdateInput `json:"inputs"`
		IDProperty string             `json:"idProperty"`
	}
	// associationTypeBody is an item of associationBody's types.
	associationTypeBody = struct {
		AssociationCategory string `json:"associationCategory"`
		AssociationTypeID   int64  `json:"associationTypeId"`
	}
)

// fastDecode decodes data into v when v is one of the bodies above (or a
// createBody or updateBody) and data has their plain shape, and reports
// whether it did; when it did not, v is unchanged.
func fastDecode(data []byte, v any) bool {
	d := fastDecoder{data: data}
	ok := false
	switch v := v.(type) {
	case *createInputsBody:
		var out []batchCreateInput
		ok = d.fields(inputsFields, func(string) bool {
			out = make([]batchCreateInput, 0, d.inputsCap())
			return d.array(func() bool {
				var in batchCreateInput
				if !d.createInput(&in, true) {
					return false
				}
				out = append(out, in)
				return true
			})
		}) && d.end()
		if ok {
			v.Inputs = out
		}
	case *upsertInputsBody:
		var out []batchUpdateInput
		ok = d.fields(inputsFields, func(string) bool {
			out, ok = d.updateInputs()
			return ok
		}) && d.end()
		if ok {
			v.Inputs = out
		}
	case *updateInputsBody:
		var body updateInputsBody
		ok = d.fields(updateBodyFields, func(name string) bool {
			if name == "inputs" {
				body.Inputs, ok = d.updateInputs()
			} else {
				body.IDProperty, ok = d.str()
			}
			return ok
		}) && d.end()
		if ok {
			*v = body
		}
	case *createBody:
		var body batchCreateInput
		ok = d.createInput(&body, false) && d.end()
		if ok {
			*v = body.createBody
		}
	case *updateBody:
		var body batchUpdateInput
		ok = d.updateInput(&body, false) && d.end()
		if ok {
			*v = updateBody{Properties: body.Properties}
		}
	}
	return ok
}

// fastDecoder reads data from i on.
type fastDecoder struct {
	data []byte
	i    int
	// names holds the property names (and short values) read so far, so
	// that the same name in each input is one string.
	names map[string]string
}

// inputsCap guesses the number of inputs of a batch from the size of its
// body (inputs are rarely shorter than 128 bytes), capped a little above
// the most a batch may hold.
func (d *fastDecoder) inputsCap() int {
	return min(len(d.data)/128+1, 128)
}

// maxInterned bounds what intern keeps: names, and values of at most
// maxInternedLen bytes (codes and enumeration values repeat from input to
// input; longer text rarely does).
const (
	maxInterned    = 512
	maxInternedLen = 16
)

// intern returns b as a string, the same string each time while there is
// room in names.
func (d *fastDecoder) intern(b []byte) string {
	if d.names == nil {
		d.names = make(map[string]string, 16)
	}
	if s, ok := d.names[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(d.names) < maxInterned {
		d.names[s] = s
	}
	return s
}

// value reads a string, interned if short.
func (d *fastDecoder) value() (string, bool) {
	if d.i < len(d.data) && d.data[d.i] == '"' {
		// The opening quote, at most maxInternedLen bytes, the closing quote.
		limit := min(len(d.data), d.i+2+maxInternedLen)
		end := d.i + 1
		for end < limit && jsonenc.Plain(d.data[end]) {
			end++
		}
		if end < limit && d.data[end] == '"' {
			s := d.intern(d.data[d.i+1 : end])
			d.i = end + 1
			return s, true
		}
	}
	return d.str()
}

// ws skips the white space encoding/json skips.
func (d *fastDecoder) ws() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// consume skips white space and then c, reporting whether it was there.
func (d *fastDecoder) consume(c byte) bool {
	d.ws()
	if d.i < len(d.data) && d.data[d.i] == c {
		d.i++
		return true
	}
	return false
}

// end reports whether nothing but white space is left.
func (d *fastDecoder) end() bool {
	d.ws()
	return d.i == len(d.data)
}

// fields reads an object whose keys are among names, each at most once,
// calling field with each key (as the string in names) with the value next.
func (d *fastDecoder) fields(names []string, field func(name string) bool) bool {
	var seen uint32
	return d.object(func(key []byte) bool {
		for i, name := range names {
			if string(key) == name {
				if seen&(1<<i) != 0 {
					return false
				}
				seen |= 1 << i
				return field(name)
			}
		}
		return false
	})
}

// The keys of the objects read here. createBody has the first two of
// createFields (a batch input adds the trace id), updateBody the first of
// updateFields.
var (
	inputsFields      = []string{"inputs"}
	updateBodyFields  = []string{"inputs", "idProperty"}
	createFields      = []string{"properties", "associations", "objectWriteTraceId"}
	updateFields      = []string{"properties", "id", "idProperty", "objectWriteTraceId"}
	associationFields = []string{"to", "types"}
	toFields          = []string{"id"}
	typeFields        = []string{"associationCategory", "associationTypeId"}
)

// object reads an object, calling field with each key with the value next.
func (d *fastDecoder) object(field func(key []byte) bool) bool {
	if !d.consume('{') {
		return false
	}
	if d.consume('}') {
		return true
	}
	for {
		d.ws()
		key, ok := d.key()
		if !ok || !d.consume(':') {
			return false
		}
		d.ws()
		if !field(key) {
			return false
		}
		if !d.consume(',') {
			return d.consume('}')
		}
	}
}

// array reads an array, calling item with each item next.
func (d *fastDecoder) array(item func() bool) bool {
	if !d.consume('[') {
		return false
	}
	if d.consume(']') {
		return true
	}
	for {
		d.ws()
		if !item() {
			return false
		}
		if !d.consume(',') {
			return d.consume(']')
		}
	}
}

// key reads a string of printable ASCII without escapes, as its bytes.
func (d *fastDecoder) key() ([]byte, bool) {
	if d.i >= len(d.data) || d.data[d.i] != '"' {
		return nil, false
	}
	start := d.i + 1
	j := start
	for j < len(d.data) && jsonenc.Plain(d.data[j]) {
		j++
	}
	if j == len(d.data) || d.data[j] != '"' {
		return nil, false
	}
	d.i = j + 1
	return d.data[start:j], true
}

// str reads a string: valid UTF-8 and the escapes of JSON but for
// surrogates and \u0000.
func (d *fastDecoder) str() (string, bool) {
	if d.i >= len(d.data) || d.data[d.i] != '"' {
		return "", false
	}
	start := d.i + 1
	ascii := true
	for j := start; j < len(d.data); j++ {
		if jsonenc.Plain(d.data[j]) {
			continue
		}
		switch c := d.data[j]; {
		case c == '"':
			raw := d.data[start:j]
			if !ascii && !utf8.Valid(raw) {
				return "", false
			}
			d.i = j + 1
			return string(raw), true
		case c == '\\':
			return d.escaped(start)
		case c < 0x20:
			return "", false
		default:
			ascii = false
		}
	}
	return "", false
}

// escaped is str for a string with escapes, whose text starts at start.
func (d *fastDecoder) escaped(start int) (string, bool) {
	buf := make([]byte, 0, 64)
	j := start
	for j < len(d.data) {
		c := d.data[j]
		switch {
		case c == '"':
			if !utf8.Valid(d.data[start:j]) {
				return "", false
			}
			d.i = j + 1
			return string(buf), true
		case c < 0x20:
			return "", false
		case c != '\\':
			buf = append(buf, c)
			j++
			continue
		}
		r, n, ok := jsonenc.ReadEscape(d.data[j:])
		if !ok || r == 0 || utf16.IsSurrogate(r) {
			return "", false
		}
		buf = utf8.AppendRune(buf, r)
		j += n
	}
	return "", false
}

// integer reads an integer of at most 18 digits (no fraction, no
// exponent), returning its text and value.
func (d *fastDecoder) integer() ([]byte, int64, bool) {
	start := d.i
	j := start
	neg := j < len(d.data) && d.data[j] == '-'
	if neg {
		j++
	}
	digits := j
	var n int64
	for j < len(d.data) && d.data[j] >= '0' && d.data[j] <= '9' {
		n = n*10 + int64(d.data[j]-'0')
		j++
	}
	count := j - digits
	if count == 0 || count > 18 || (count > 1 && d.data[digits] == '0') {
		return nil, 0, false
	}
	if j < len(d.data) {
		if c := d.data[j]; c == '.' || c == 'e' || c == 'E' {
			return nil, 0, false
		}
	}
	if neg {
		n = -n
	}
	d.i = j
	return d.data[start:j], n, true
}

// flexString reads a string or an integer, as flexString takes them.
func (d *fastDecoder) flexString() (flexString, bool) {
	if d.i < len(d.data) && d.data[d.i] == '"' {
		s, ok := d.str()
		return flexString(s), ok
	}
	text, _, ok := d.integer()
	return flexString(text), ok
}

// properties reads a properties object whose values are strings.
func (d *fastDecoder) properties() (propertyMap, bool) {
	out := make(propertyMap, 8)
	ok := d.object(func(key []byte) bool {
		name := d.intern(key)
		v, ok := d.value()
		n := len(out)
		out[name] = propertyValue(v)
		return ok && len(out) > n // a repeated name is left to encoding/json
	})
	return out, ok
}

// createInput reads a createBody, or with traced a batchCreateInput.
func (d *fastDecoder) createInput(in *batchCreateInput, traced bool) bool {
	names := createFields
	if !traced {
		names = names[:2]
	}
	return d.fields(names, func(name string) bool {
		var ok bool
		switch name {
		case "properties":
			in.Properties, ok = d.properties()
		case "associations":
			in.Associations = []associationBody{}
			ok = d.array(func() bool {
				var a associationBody
				if !d.association(&a) {
					return false
				}
				in.Associations = append(in.Associations, a)
				return true
			})
		case "objectWriteTraceId":
			in.ObjectWriteTraceID, ok = d.str()
		}
		return ok
	})
}

// association reads an associationBody.
func (d *fastDecoder) association(a *associationBody) bool {
	return d.fields(associationFields, func(name string) bool {
		if name == "to" {
			return d.fields(toFields, func(string) bool {
				var ok bool
				a.To.ID, ok = d.flexString()
				return ok
			})
		}
		a.Types = []associationTypeBody{}
		return d.array(func() bool {
			var t associationTypeBody
			ok := d.fields(typeFields, func(name string) bool {
				var ok bool
				if name == "associationCategory" {
					t.AssociationCategory, ok = d.value()
				} else {
					_, t.AssociationTypeID, ok = d.integer()
				}
				return ok
			})
			a.Types = append(a.Types, t)
			return ok
		})
	})
}

// updateInputs reads the inputs of a batch update or upsert.
func (d *fastDecoder) updateInputs() ([]batchUpdateInput, bool) {
	out := make([]batchUpdateInput, 0, d.inputsCap())
	ok := d.array(func() bool {
		var in batchUpdateInput
		if !d.updateInput(&in, true) {
			return false
		}
		out = append(out, in)
		return true
	})
	return out, ok
}

// updateInput reads an updateBody's fields, or with batch a
// batchUpdateInput.
func (d *fastDecoder) updateInput(in *batchUpdateInput, batch bool) bool {
	names := updateFields
	if !batch {
		names = names[:1]
	}
	return d.fields(names, func(name string) bool {
		var ok bool
		switch name {
		case "properties":
			in.Properties, ok = d.properties()
		case "id":
			in.ID, ok = d.flexString()
		case "idProperty":
			in.IDProperty, ok = d.str()
		case "objectWriteTraceId":
			in.ObjectWriteTraceID, ok = d.str()
		}
		return ok
	})
}
