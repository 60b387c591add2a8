package crm

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// testEngine is an engine with the built-in types and no store: enough for
// the rules that are checked before anything is read or written.
func testEngine() *Engine {
	return NewEngine(nil, func() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }, 4242)
}

// mustType resolves a built-in type by any of its names.
func mustType(t *testing.T, e *Engine, name string) *ObjectType {
	t.Helper()
	typ, err := e.Types.Resolve(name)
	if err != nil {
		t.Fatal(err)
	}
	return typ
}

// wantError checks that err is a domain error of that kind, category and message.
func wantError(t *testing.T, err error, kind Kind, category, message string) *Error {
	t.Helper()
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("error %v (%T), want *Error %q", err, err, message)
	}
	if e.Kind != kind || e.Category != category || e.Message != message {
		t.Errorf("error kind %d category %q message %q\nwant kind %d category %q message %q", e.Kind, e.Category, e.Message, kind, category, message)
	}
	return e
}

func TestNormalizeValues(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", MaxValueLength)
	owner := &PropertyDefinition{Name: "hubspot_owner_id", Type: TypeEnumeration, FieldType: "select", ReferencedObjectType: "OWNER"}
	stage := &PropertyDefinition{Name: "stage", Type: TypeEnumeration, FieldType: "select",
		Options: []PropertyOption{{Label: "Lead", Value: "lead"}, {Label: "Customer", Value: "customer"}}}
	tags := &PropertyDefinition{Name: "tags", Type: TypeEnumeration, FieldType: "checkbox",
		Options: []PropertyOption{{Label: "A", Value: "a"}, {Label: "B", Value: "b"}}}
	emails := &PropertyDefinition{Name: "hs_additional_emails", Type: TypeEnumeration, FieldType: "checkbox"}
	for _, tc := range []struct {
		p         *PropertyDefinition
		in, want  string
		code, msg string // the error, when the value is refused
	}{
		// Any value may be cleared.
		{p: num("n", "N"), in: "", want: ""},
		{p: stage, in: "", want: ""},
		// Numbers are stored in one canonical text.
		{p: num("n", "N"), in: "42", want: "42"},
		{p: num("n", "N"), in: " 42 ", want: "42"},
		{p: num("n", "N"), in: "42.0", want: "42"},
		{p: num("n", "N"), in: "-0", want: "0"},
		{p: num("n", "N"), in: "1e3", want: "1000"},
		{p: num("n", "N"), in: "0.1", want: "0.1"},
		{p: num("n", "N"), in: "-12.50", want: "-12.5"},
		{p: num("n", "N"), in: "1.7e12", want: "1700000000000"},
		{p: num("n", "N"), in: "999999999999999", want: "999999999999999"},
		{p: num("n", "N"), in: "1e15", want: "1000000000000000"},
		{p: num("n", "N"), in: "1.5e20", want: "150000000000000000000"},
		{p: num("n", "N"), in: "discount", code: CodeInvalidInteger, msg: "discount was not a valid number"},
		{p: num("n", "N"), in: "NaN", code: CodeInvalidInteger, msg: "NaN was not a valid number"},
		{p: num("n", "N"), in: "Inf", code: CodeInvalidInteger, msg: "Inf was not a valid number"},
		{p: num("n", "N"), in: "1e400", code: CodeInvalidInteger, msg: "1e400 was not a valid number"},
		{p: num("n", "N"), in: "1,5", code: CodeInvalidInteger, msg: "1,5 was not a valid number"},
		// Only decimal notation: not Go's digit separators or hexadecimal floats.
		{p: num("n", "N"), in: "1_000", code: CodeInvalidInteger, msg: "1_000 was not a valid number"},
		{p: num("n", "N"), in: "0x1p4", code: CodeInvalidInteger, msg: "0x1p4 was not a valid number"},
		{p: num("n", "N"), in: "0X10P0", code: CodeInvalidInteger, msg: "0X10P0 was not a valid number"},
		{p: num("n", "N"), in: "+5", want: "5"},
		{p: num("n", "N"), in: ".5", want: "0.5"},
		{p: num("n", "N"), in: "5.", want: "5"},
		{p: num("n", "N"), in: "2E2", want: "200"},
		// Booleans, in any case.
		{p: &PropertyDefinition{Name: "b", Type: TypeBool}, in: "TRUE", want: "true"},
		{p: &PropertyDefinition{Name: "b", Type: TypeBool}, in: " False ", want: "false"},
		{p: &PropertyDefinition{Name: "b", Type: TypeBool}, in: "yes", code: CodeInvalidBoolean, msg: "yes was not a valid boolean"},
		{p: &PropertyDefinition{Name: "b", Type: TypeBool}, in: "1", code: CodeInvalidBoolean, msg: "1 was not a valid boolean"},
		// Datetimes: epoch milliseconds or ISO-8601, stored as UTC with Z.
		{p: datetime("d", "D"), in: "1668268102000", want: "2022-11-12T15:48:22Z"},
		{p: datetime("d", "D"), in: "1668268102123", want: "2022-11-12T15:48:22.123Z"},
		{p: datetime("d", "D"), in: "0", want: "1970-01-01T00:00:00Z"},
		{p: datetime("d", "D"), in: "2022-11-12T17:48:22+02:00", want: "2022-11-12T15:48:22Z"},
		{p: datetime("d", "D"), in: "2022-11-12T10:48:22.250-05:00", want: "2022-11-12T15:48:22.250Z"},
		{p: datetime("d", "D"), in: "2022-11-12T15:48:22", want: "2022-11-12T15:48:22Z"},
		{p: datetime("d", "D"), in: "2022-11-12", want: "2022-11-12T00:00:00Z"},
		{p: datetime("d", "D"), in: "2022-11-12T15:48:22.9999Z", want: "2022-11-12T15:48:22.999Z"},
		{p: datetime("d", "D"), in: "12/11/2022", code: CodeInvalidDatetime,
			msg: "12/11/2022 was not a valid datetime: use epoch milliseconds or an ISO-8601 UTC timestamp"},
		{p: datetime("d", "D"), in: "1668268102000.5", code: CodeInvalidDatetime,
			msg: "1668268102000.5 was not a valid datetime: use epoch milliseconds or an ISO-8601 UTC timestamp"},
		{p: datetime("d", "D"), in: "1_668_268_102_000", code: CodeInvalidDatetime,
			msg: "1_668_268_102_000 was not a valid datetime: use epoch milliseconds or an ISO-8601 UTC timestamp"},
		{p: datetime("d", "D"), in: "0x1.8471e37cp40", code: CodeInvalidDatetime,
			msg: "0x1.8471e37cp40 was not a valid datetime: use epoch milliseconds or an ISO-8601 UTC timestamp"},
		// Dates: a calendar day, or an instant at midnight UTC.
		{p: &PropertyDefinition{Name: "day", Type: TypeDate}, in: "2024-02-29", want: "2024-02-29"},
		{p: &PropertyDefinition{Name: "day", Type: TypeDate}, in: "1709164800000", want: "2024-02-29"},
		{p: &PropertyDefinition{Name: "day", Type: TypeDate}, in: "2024-02-29T00:00:00Z", want: "2024-02-29"},
		{p: &PropertyDefinition{Name: "day", Type: TypeDate}, in: "1709164800001", code: CodeInvalidDate,
			msg: "1709164800001 is not a valid date: use YYYY-MM-DD or epoch milliseconds at midnight UTC"},
		{p: &PropertyDefinition{Name: "day", Type: TypeDate}, in: "2023-02-29", code: CodeInvalidDate,
			msg: "2023-02-29 is not a valid date: use YYYY-MM-DD or epoch milliseconds at midnight UTC"},
		// Owners: a positive id, canonical.
		{p: owner, in: "0042", want: "42"},
		{p: owner, in: "0", code: CodeInvalidOwnerID, msg: "0 is not a valid owner id"},
		{p: owner, in: "-3", code: CodeInvalidOwnerID, msg: "-3 is not a valid owner id"},
		{p: owner, in: "ana@example.com", code: CodeInvalidOwnerID, msg: "ana@example.com is not a valid owner id"},
		// Enumerations: one of the option values, case-sensitive.
		{p: stage, in: "lead", want: "lead"},
		{p: stage, in: "Lead", code: CodeInvalidOption, msg: "Lead was not one of the allowed options: [lead, customer]"},
		{p: tags, in: "a;b", want: "a;b"},
		{p: tags, in: "a;c", code: CodeInvalidOption, msg: "c was not one of the allowed options: [a, b]"},
		{p: tags, in: "a;", code: CodeInvalidOption, msg: " was not one of the allowed options: [a, b]"},
		// A checkbox without options holds free values.
		{p: emails, in: "a@example.com;b@example.com", want: "a@example.com;b@example.com"},
		// Strings are kept as sent, up to the maximum length in characters.
		{p: str("s", "S"), in: "  Ana  ", want: "  Ana  "},
		{p: str("s", "S"), in: long, want: long},
		{p: str("s", "S"), in: long + "x", code: CodeMaxLengthExceeded, msg: `Property "s" value exceeds the maximum length of 65536 characters`},
		{p: emails, in: long + "x", code: CodeMaxLengthExceeded, msg: `Property "hs_additional_emails" value exceeds the maximum length of 65536 characters`},
	} {
		got, perr := tc.p.normalize(tc.in)
		name := tc.p.Name + " " + tc.in
		if len(name) > 60 {
			name = name[:60] + "..."
		}
		if tc.code == "" {
			if perr != nil || got != tc.want {
				t.Errorf("%s: %q %+v, want %q", name, got, perr, tc.want)
			}
			continue
		}
		if perr == nil {
			t.Errorf("%s: accepted as %q, want %s", name, got, tc.code)
			continue
		}
		if perr.Name != tc.p.Name || perr.Code != tc.code || perr.Message != tc.msg || got != "" {
			t.Errorf("%s: %q %+v, want %s %q", name, got, *perr, tc.code, tc.msg)
		}
	}
}

// An invalid option is reported twice over: the values in the message, the
// labels and values in the matching "errors" item, as HubSpot words them.
func TestInvalidOptionDetail(t *testing.T) {
	t.Parallel()
	typ := Tickets()
	_, errs := typ.NormalizeProperties(map[string]string{"hs_ticket_category": "reports"})
	if len(errs) != 1 {
		t.Fatalf("errors %+v", errs)
	}
	want := PropertyError{Name: "hs_ticket_category", Code: CodeInvalidOption,
		Message: "reports was not one of the allowed options: [PRODUCT_ISSUE, BILLING_ISSUE, FEATURE_REQUEST, GENERAL_INQUIRY]",
		Detail: "reports was not one of the allowed options: [" +
			"label: \"Product issue\"\nvalue: \"PRODUCT_ISSUE\"\n, " +
			"label: \"Billing issue\"\nvalue: \"BILLING_ISSUE\"\n, " +
			"label: \"Feature request\"\nvalue: \"FEATURE_REQUEST\"\n, " +
			"label: \"General inquiry\"\nvalue: \"GENERAL_INQUIRY\"\n]"}
	if errs[0] != want {
		t.Errorf("got  %+v\nwant %+v", errs[0], want)
	}
	e := ValidationError(1, errs)
	if len(e.Details) != 1 || e.Details[0].Message != want.Detail || e.Details[0].Code != CodeInvalidOption {
		t.Errorf("details %+v", e.Details)
	}
}

func TestNormalizeProperties(t *testing.T) {
	t.Parallel()
	contacts := Contacts()
	for _, tc := range []struct {
		name string
		in   map[string]string
		want map[string]string
		errs []PropertyError
	}{
		{
			name: "valid values are normalised",
			in:   map[string]string{"email": "Ana@Example.com", "lifecyclestage": "lead", "hubspot_owner_id": "07", "hs_pinned_engagement_id": "12.0"},
			want: map[string]string{"email": "Ana@Example.com", "lifecyclestage": "lead", "hubspot_owner_id": "7", "hs_pinned_engagement_id": "12"},
		},
		{
			name: "empty values clear",
			in:   map[string]string{"firstname": "", "lifecyclestage": ""},
			want: map[string]string{"firstname": "", "lifecyclestage": ""},
		},
		{
			name: "unknown property",
			in:   map[string]string{"description": "x", "firstname": "Ana"},
			want: map[string]string{"firstname": "Ana"},
			errs: []PropertyError{{Name: "description", Code: CodePropertyDoesntExist, Message: `Property "description" does not exist`}},
		},
		{
			name: "names are case-sensitive",
			in:   map[string]string{"Email": "a@example.com"},
			want: map[string]string{},
			errs: []PropertyError{{Name: "Email", Code: CodePropertyDoesntExist, Message: `Property "Email" does not exist`}},
		},
		{
			name: "read-only, even to clear",
			in:   map[string]string{"hs_object_id": "5", "createdate": "", "hs_all_owner_ids": "1"},
			want: map[string]string{},
			errs: []PropertyError{
				{Name: "createdate", Code: CodeReadOnlyValue, Message: `Property "createdate" is read-only and its value cannot be set`},
				{Name: "hs_all_owner_ids", Code: CodeReadOnlyValue, Message: `Property "hs_all_owner_ids" is read-only and its value cannot be set`},
				{Name: "hs_object_id", Code: CodeReadOnlyValue, Message: `Property "hs_object_id" is read-only and its value cannot be set`},
			},
		},
		{
			name: "every problem at once, by property name",
			in:   map[string]string{"zzz": "1", "lifecyclestage": "LEAD", "hs_pinned_engagement_id": "pin", "firstname": "Ana", "hs_object_id": "1"},
			want: map[string]string{"firstname": "Ana"},
			errs: []PropertyError{
				{Name: "hs_object_id", Code: CodeReadOnlyValue, Message: `Property "hs_object_id" is read-only and its value cannot be set`},
				{Name: "hs_pinned_engagement_id", Code: CodeInvalidInteger, Message: "pin was not a valid number"},
				{Name: "lifecyclestage", Code: CodeInvalidOption,
					Message: "LEAD was not one of the allowed options: [subscriber, lead, marketingqualifiedlead, salesqualifiedlead, opportunity, customer, evangelist, other]",
					Detail: "LEAD was not one of the allowed options: [label: \"Subscriber\"\nvalue: \"subscriber\"\n, label: \"Lead\"\nvalue: \"lead\"\n, " +
						"label: \"Marketing Qualified Lead\"\nvalue: \"marketingqualifiedlead\"\n, label: \"Sales Qualified Lead\"\nvalue: \"salesqualifiedlead\"\n, " +
						"label: \"Opportunity\"\nvalue: \"opportunity\"\n, label: \"Customer\"\nvalue: \"customer\"\n, " +
						"label: \"Evangelist\"\nvalue: \"evangelist\"\n, label: \"Other\"\nvalue: \"other\"\n]"},
				{Name: "zzz", Code: CodePropertyDoesntExist, Message: `Property "zzz" does not exist`},
			},
		},
	} {
		got, errs := contacts.NormalizeProperties(tc.in)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: values %v, want %v", tc.name, got, tc.want)
		}
		if !reflect.DeepEqual(errs, tc.errs) {
			t.Errorf("%s: errors\n%+v\nwant\n%+v", tc.name, errs, tc.errs)
		}
	}
}

// ValidationError is HubSpot's 400 body: the JSON list of failures inside the
// message, and one "errors" item per failure.
func TestValidationError(t *testing.T) {
	t.Parallel()
	e := ValidationError(244764782, []PropertyError{
		{Name: "description", Code: CodePropertyDoesntExist, Message: `Property "description" does not exist`},
		{Name: "stage", Code: CodeInvalidOption, Message: "x was not one of the allowed options: [a]", Detail: "x was not one of the allowed options: [label: \"A\"\nvalue: \"a\"\n]"},
	})
	if e.Kind != KindInvalid || e.Category != CategoryValidation {
		t.Errorf("kind %d category %q", e.Kind, e.Category)
	}
	wantMessage := `Property values were not valid: [` +
		`{"isValid":false,"message":"Property \"description\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"description","localizedErrorMessage":"Property \"description\" does not exist","portalId":244764782},` +
		`{"isValid":false,"message":"x was not one of the allowed options: [a]","error":"INVALID_OPTION","name":"stage","localizedErrorMessage":"x was not one of the allowed options: [a]","portalId":244764782}]`
	if e.Message != wantMessage {
		t.Errorf("message\n%s\nwant\n%s", e.Message, wantMessage)
	}
	wantDetails := []ErrorDetail{
		{Message: `Property "description" does not exist`, Code: CodePropertyDoesntExist, Context: map[string][]string{"propertyName": {"description"}}},
		{Message: "x was not one of the allowed options: [label: \"A\"\nvalue: \"a\"\n]", Code: CodeInvalidOption, Context: map[string][]string{"propertyName": {"stage"}}},
	}
	if !reflect.DeepEqual(e.Details, wantDetails) {
		t.Errorf("details %+v", e.Details)
	}
	// Characters HTML gives a meaning to stay as they are, as in HubSpot's
	// messages (Jackson does not escape them).
	amp := ValidationError(1, []PropertyError{{Name: "dept", Code: CodeInvalidOption, Message: "R&D <team> was not one of the allowed options: [a]"}})
	if want := `Property values were not valid: [{"isValid":false,"message":"R&D <team> was not one of the allowed options: [a]","error":"INVALID_OPTION","name":"dept",` +
		`"localizedErrorMessage":"R&D <team> was not one of the allowed options: [a]","portalId":1}]`; amp.Message != want {
		t.Errorf("message\n%s\nwant\n%s", amp.Message, want)
	}
	// The list in the message is JSON a client can parse back.
	var items []map[string]any
	if err := json.Unmarshal([]byte(strings.TrimPrefix(e.Message, "Property values were not valid: ")), &items); err != nil || len(items) != 2 || items[1]["name"] != "stage" {
		t.Errorf("list %v %v", items, err)
	}
}

// The error helpers carry the kinds and categories the HTTP layer maps.
func TestErrorHelpers(t *testing.T) {
	t.Parallel()
	wantError(t, Invalidf("limit %d", 3), KindInvalid, CategoryValidation, "limit 3")
	wantError(t, BadInput("Invalid input JSON on line %d", 1), KindInvalid, "", "Invalid input JSON on line 1")
	wantError(t, UnknownObjectType("widgets"), KindInvalid, "", "Unable to infer object type from: widgets")
	nf := wantError(t, ObjectNotFound("abc"), KindNotFound, CategoryNotFound, "Object not found.  objectId are usually numeric.")
	if !reflect.DeepEqual(nf.Context, map[string][]string{"id": {"abc"}}) {
		t.Errorf("context %v", nf.Context)
	}
	wantError(t, AsError(ErrNotFound), KindInternal, "", "internal error")
	inner := Invalidf("inner")
	if AsError(wrapped{inner}) != inner {
		t.Error("AsError does not unwrap")
	}
	var u error = &UniqueConflictError{Property: "email", Value: "a@example.com", ExistingID: 7}
	if u.Error() != `unique value "a@example.com" of email held by 7` || !errors.Is(u, ErrConflict) {
		t.Errorf("unique conflict %v", u)
	}
}

type wrapped struct{ err error }

func (w wrapped) Error() string { return "wrapped: " + w.err.Error() }
func (w wrapped) Unwrap() error { return w.err }

func TestParseID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1", 1, true},
		{"9223372036854775807", 9223372036854775807, true},
		{"9223372036854775808", 0, false},
		{"0", 0, false},
		{"-1", 0, false},
		{"1e3", 0, false},
		{"1.0", 0, false},
		{"", 0, false},
		{"abc", 0, false},
		{" 1", 0, false},
	} {
		if got, ok := ParseID(tc.in); got != tc.want || ok != tc.ok {
			t.Errorf("ParseID(%q) = %d %v", tc.in, got, ok)
		}
	}
}
