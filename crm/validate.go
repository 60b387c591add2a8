package crm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxValueLength is the longest property value Spoke accepts, in characters.
const MaxValueLength = 65536

// Validation error codes used in "Property values were not valid" bodies.
const (
	CodePropertyDoesntExist = "PROPERTY_DOESNT_EXIST"
	CodeReadOnlyValue       = "READ_ONLY_VALUE"
	CodeInvalidOption       = "INVALID_OPTION"
	CodeInvalidInteger      = "INVALID_INTEGER"
	CodeInvalidBoolean      = "INVALID_BOOLEAN"
	CodeInvalidDate         = "INVALID_DATE"
	CodeInvalidDatetime     = "INVALID_DATETIME"
	CodeInvalidOwnerID      = "INVALID_OWNER_ID"
	CodeMaxLengthExceeded   = "MAX_LENGTH_EXCEEDED"
)

// PropertyError is one invalid property value.
type PropertyError struct {
	Name    string
	Code    string
	Message string
	// Detail is the message of the matching "errors" item when it differs.
	Detail string
}

// normalize validates one written value against its definition and returns
// the stored form. An empty string clears the value and is always valid.
func (p *PropertyDefinition) normalize(raw string) (string, *PropertyError) {
	if raw == "" {
		return "", nil
	}
	fail := func(code, msg string) (string, *PropertyError) {
		return "", &PropertyError{Name: p.Name, Code: code, Message: msg}
	}
	switch p.Type {
	case TypeNumber:
		if v, ok := formatNumber(raw); ok {
			return v, nil
		}
		return fail(CodeInvalidInteger, fmt.Sprintf("%s was not a valid number", raw))
	case TypeBool:
		if v, ok := parseBool(raw); ok {
			return v, nil
		}
		return fail(CodeInvalidBoolean, fmt.Sprintf("%s was not a valid boolean", raw))
	case TypeDatetime:
		if t, ok := ParseInstant(raw); ok {
			return FormatTime(t), nil
		}
		return fail(CodeInvalidDatetime, fmt.Sprintf("%s was not a valid datetime: use epoch milliseconds or an ISO-8601 UTC timestamp", raw))
	case TypeDate:
		if v, ok := parseDate(raw); ok {
			return v, nil
		}
		return fail(CodeInvalidDate, fmt.Sprintf("%s is not a valid date: use YYYY-MM-DD or epoch milliseconds at midnight UTC", raw))
	case TypeEnumeration:
		if p.ReferencedObjectType == "OWNER" {
			if id, err := strconv.ParseInt(raw, 10, 64); err != nil || id <= 0 {
				return fail(CodeInvalidOwnerID, fmt.Sprintf("%s is not a valid owner id", raw))
			}
			return strconv.FormatInt(mustAtoi(raw), 10), nil
		}
		if p.Options == nil && p.FieldType == "checkbox" {
			break // free multi-values (additional emails) are text
		}
		if p.PipelineValue {
			break // checked against the stored pipelines (checkPipelines)
		}
		values := []string{raw}
		if p.multiValued() {
			values = strings.Split(raw, ";")
		}
		for _, v := range values {
			if !p.hasOption(v) {
				e := &PropertyError{Name: p.Name, Code: CodeInvalidOption,
					Message: fmt.Sprintf("%s was not one of the allowed options: [%s]", v, p.optionValues(", ")),
					Detail:  fmt.Sprintf("%s was not one of the allowed options: %s", v, p.optionLabels())}
				return "", e
			}
		}
	}
	if utf8.RuneCountInString(raw) > MaxValueLength {
		return fail(CodeMaxLengthExceeded, fmt.Sprintf("Property \"%s\" value exceeds the maximum length of %d characters", p.Name, MaxValueLength))
	}
	return raw, nil
}

func (p *PropertyDefinition) optionValues(sep string) string {
	vs := make([]string, len(p.Options))
	for i, o := range p.Options {
		vs[i] = o.Value
	}
	return strings.Join(vs, sep)
}

func (p *PropertyDefinition) optionLabels() string {
	var b strings.Builder
	b.WriteString("[")
	for i, o := range p.Options {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "label: %q\nvalue: %q\n", o.Label, o.Value)
	}
	b.WriteString("]")
	return b.String()
}

// NormalizeProperties validates written values for type t and returns them in
// stored form. All problems are reported together, as HubSpot does.
func (t *ObjectType) NormalizeProperties(in map[string]string) (map[string]string, []PropertyError) {
	out := make(map[string]string, len(in))
	var errs []PropertyError
	for _, name := range sortedKeys(in) {
		p := t.Property(name)
		if p == nil {
			msg := fmt.Sprintf("Property \"%s\" does not exist", name)
			errs = append(errs, PropertyError{Name: name, Code: CodePropertyDoesntExist, Message: msg})
			continue
		}
		if p.ReadOnly {
			msg := fmt.Sprintf("Property \"%s\" is read-only and its value cannot be set", name)
			errs = append(errs, PropertyError{Name: name, Code: CodeReadOnlyValue, Message: msg})
			continue
		}
		if perr := storableValue(name, in[name]); perr != nil {
			errs = append(errs, *perr)
			continue
		}
		v, perr := p.normalize(in[name])
		if perr != nil {
			errs = append(errs, *perr)
			continue
		}
		out[name] = v
	}
	return out, errs
}

// ValidationError renders property errors as HubSpot's 400 body: a message
// holding the JSON list of failures, and one "errors" item per failure.
func ValidationError(portalID int64, errs []PropertyError) *Error {
	type item struct {
		IsValid               bool   `json:"isValid"`
		Message               string `json:"message"`
		Error                 string `json:"error"`
		Name                  string `json:"name"`
		LocalizedErrorMessage string `json:"localizedErrorMessage"`
		PortalID              int64  `json:"portalId"`
	}
	items := make([]item, len(errs))
	details := make([]ErrorDetail, len(errs))
	for i, e := range errs {
		items[i] = item{Message: e.Message, Error: e.Code, Name: e.Name, LocalizedErrorMessage: e.Message, PortalID: portalID}
		msg := e.Message
		if e.Detail != "" {
			msg = e.Detail
		}
		details[i] = ErrorDetail{Message: msg, Code: e.Code, Context: map[string][]string{"propertyName": {e.Name}}}
	}
	// Written as HubSpot's Jackson writes it: "<", ">" and "&" as they are.
	var list bytes.Buffer
	enc := json.NewEncoder(&list)
	enc.SetEscapeHTML(false)
	enc.Encode(items) // cannot fail: strings, bools and numbers
	return &Error{
		Kind:     KindInvalid,
		Category: CategoryValidation,
		Message:  "Property values were not valid: " + strings.TrimSuffix(list.String(), "\n"),
		Details:  details,
	}
}

func mustAtoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
