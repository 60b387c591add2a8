package crm

import (
	"reflect"
	"strings"
	"testing"
)

func sp(s string) *string { return &s }
func ip(n int) *int       { return &n }

// filter is a FilterInput with the given fields set; value and high are
// left nil when "-".
func filter(property, op, value string, values ...string) FilterInput {
	f := FilterInput{PropertyName: &property, Operator: &op, Values: values}
	if value != "-" {
		f.Value = &value
	}
	return f
}

func between(property, low, high string) FilterInput {
	f := filter(property, OpBetween, low)
	f.HighValue = &high
	return f
}

// groups is n groups of m filters each.
func groups(n, m int) [][]FilterInput {
	out := make([][]FilterInput, n)
	for i := range out {
		for range m {
			out[i] = append(out[i], filter("firstname", OpEQ, "ana"))
		}
	}
	return out
}

// Paging and the limits on filters, HubSpot's numbers: 5 groups, 6 filters
// a group, 18 in all, 200 results a page, 10,000 in all, 3,000 characters
// of query.
func TestSearchLimits(t *testing.T) {
	t.Parallel()
	e := testEngine()
	contacts := mustType(t, e, "contacts")
	for _, tc := range []struct {
		name          string
		req           SearchRequest
		offset, limit int
		message       string // the refusal; "" accepts
	}{
		{name: "defaults", req: SearchRequest{}, limit: 10},
		{name: "limit 0", req: SearchRequest{Limit: ip(0)}, limit: 0},
		{name: "limit 200", req: SearchRequest{Limit: ip(200)}, limit: 200},
		{name: "limit 201", req: SearchRequest{Limit: ip(201)}, message: "limit must be between 0 and 200, not 201"},
		{name: "limit -1", req: SearchRequest{Limit: ip(-1)}, message: "limit must be between 0 and 200, not -1"},
		{name: "after", req: SearchRequest{After: "20", Limit: ip(5)}, offset: 20, limit: 5},
		{name: "after not a number", req: SearchRequest{After: "MjA="}, message: `after must be a non-negative integer offset, not "MjA="`},
		{name: "after negative", req: SearchRequest{After: "-10"}, message: `after must be a non-negative integer offset, not "-10"`},
		{name: "the last page", req: SearchRequest{After: "9800", Limit: ip(200)}, offset: 9800, limit: 200},
		{name: "past 10,000 results", req: SearchRequest{After: "9801", Limit: ip(200)},
			message: "Search results are limited to 10000 records: offset 9801 plus limit 200 goes past them. Narrow the search instead of paging further"},
		{name: "5 groups of 3", req: SearchRequest{FilterGroups: groups(5, 3)}, limit: 10},
		{name: "6 groups", req: SearchRequest{FilterGroups: groups(6, 1)}, message: "Too many filter groups: 6. A search may have at most 5"},
		{name: "6 filters in a group", req: SearchRequest{FilterGroups: groups(3, 6)}, limit: 10},
		{name: "7 filters in a group", req: SearchRequest{FilterGroups: groups(1, 7)}, message: "Too many filters in a group: 7. A group may have at most 6"},
		{name: "19 filters", req: SearchRequest{FilterGroups: append(groups(3, 6), groups(1, 1)...)}, message: "Too many filters: 19. A search may have at most 18 in all"},
		{name: "a query of 3,000 characters", req: SearchRequest{Query: strings.Repeat("a", 3000)}, limit: 10},
		{name: "a query of 3,001 characters", req: SearchRequest{Query: strings.Repeat("a", 3001)}, message: "query is 3001 characters long; the maximum is 3000"},
		// Characters, not bytes.
		{name: "a query of 3,000 two-byte characters", req: SearchRequest{Query: strings.Repeat("é", 3000)}, limit: 10},
		{name: "a query of 3,001 two-byte characters", req: SearchRequest{Query: strings.Repeat("é", 3001)}, message: "query is 3001 characters long; the maximum is 3000"},
	} {
		q, err := e.compileSearch(contacts, tc.req)
		if tc.message != "" {
			wantError(t, err, KindInvalid, CategoryValidation, tc.message)
			continue
		}
		if err != nil || q.Offset != tc.offset || q.Limit != tc.limit || q.TypeID != "0-1" {
			t.Errorf("%s: offset %d limit %d %v", tc.name, q.Offset, q.Limit, err)
		}
	}
}

// Filters that HubSpot's JSON binding refuses have no category.
func TestSearchFilterBinding(t *testing.T) {
	t.Parallel()
	e := testEngine()
	contacts := mustType(t, e, "contacts")
	for _, tc := range []struct {
		name    string
		f       FilterInput
		message string
	}{
		{"no property, no operator", FilterInput{Value: sp("x")},
			"Invalid input JSON on line 1, column 1: Cannot build Filter, some of required attributes are not set [propertyName, operator]"},
		{"no operator", FilterInput{PropertyName: sp("email")},
			"Invalid input JSON on line 1, column 1: Cannot build Filter, some of required attributes are not set [operator]"},
		{"empty property", FilterInput{PropertyName: sp(""), Operator: sp("EQ")},
			"Invalid input JSON on line 1, column 1: Cannot build Filter, some of required attributes are not set [propertyName]"},
		{"unknown operator", filter("email", "CONTAINS", "x"),
			"Invalid input JSON on line 1, column 1: Cannot deserialize value of type `FilterOperator` from String \"CONTAINS\": not one of the values accepted for Enum class: " +
				"[EQ, NEQ, LT, LTE, GT, GTE, BETWEEN, IN, NOT_IN, HAS_PROPERTY, NOT_HAS_PROPERTY, CONTAINS_TOKEN, NOT_CONTAINS_TOKEN]"},
		{"lower-case operator", filter("email", "eq", "x"),
			"Invalid input JSON on line 1, column 1: Cannot deserialize value of type `FilterOperator` from String \"eq\": not one of the values accepted for Enum class: " +
				"[EQ, NEQ, LT, LTE, GT, GTE, BETWEEN, IN, NOT_IN, HAS_PROPERTY, NOT_HAS_PROPERTY, CONTAINS_TOKEN, NOT_CONTAINS_TOKEN]"},
		{"BETWEEN without highValue", filter("createdate", OpBetween, "1"), "Invalid input JSON on line 1, column 1: problem: operator BETWEEN requires a highValue"},
	} {
		_, err := e.compileSearch(contacts, SearchRequest{FilterGroups: [][]FilterInput{{tc.f}}})
		wantError(t, err, KindInvalid, "", tc.message)
	}
}

// Filter values are checked against the property and turned into the form
// the index holds: numbers (dates as epoch milliseconds), lower-case text,
// exact enumeration and boolean values.
func TestSearchFilters(t *testing.T) {
	t.Parallel()
	e := testEngine()
	deals := mustType(t, e, "deals")
	contacts := mustType(t, e, "contacts")
	for _, tc := range []struct {
		name string
		typ  *ObjectType
		f    FilterInput
		want SearchFilter
	}{
		{"text EQ is lower-cased", contacts, filter("email", OpEQ, "Ana@Example.COM"),
			SearchFilter{Property: "email", Kind: KindText, Indexed: true, Op: OpEQ, Texts: []string{"ana@example.com"}}},
		{"text IN is kept as sent", contacts, filter("email", OpIn, "-", "Ana@x.com", "bo@x.com"),
			SearchFilter{Property: "email", Kind: KindText, Indexed: true, Op: OpIn, Texts: []string{"Ana@x.com", "bo@x.com"}}},
		{"CONTAINS_TOKEN is lower-cased", contacts, filter("email", OpContainsToken, "*@HubSpot.com"),
			SearchFilter{Property: "email", Kind: KindText, Indexed: true, Op: OpContainsToken, Texts: []string{"*@hubspot.com"}}},
		{"enumeration values are exact", contacts, filter("lifecyclestage", OpEQ, "Lead"),
			SearchFilter{Property: "lifecyclestage", Kind: KindExact, Indexed: true, Op: OpEQ, Texts: []string{"Lead"}}},
		{"multi-valued enumeration", contacts, filter("hs_additional_emails", OpEQ, "a@x.com"),
			SearchFilter{Property: "hs_additional_emails", Kind: KindExact, Indexed: true, Op: OpEQ, Texts: []string{"a@x.com"}, Multi: true}},
		{"number", deals, filter("amount", OpGTE, "1e3"),
			SearchFilter{Property: "amount", Kind: KindNumeric, Indexed: true, Op: OpGTE, Nums: []float64{1000}}},
		{"number IN", deals, filter("amount", OpNotIn, "-", "1", "2.5"),
			SearchFilter{Property: "amount", Kind: KindNumeric, Indexed: true, Op: OpNotIn, Nums: []float64{1, 2.5}}},
		{"datetime BETWEEN, ISO with an offset and epoch ms", deals, between("closedate", "2024-01-01T02:00:00+02:00", "1704153600000"),
			SearchFilter{Property: "closedate", Kind: KindNumeric, Indexed: true, Op: OpBetween, Nums: []float64{1704067200000, 1704153600000}}},
		{"a date as a datetime filter value", deals, filter("closedate", OpLT, "2024-01-02"),
			SearchFilter{Property: "closedate", Kind: KindNumeric, Indexed: true, Op: OpLT, Nums: []float64{1704153600000}}},
		{"HAS_PROPERTY takes no value", deals, filter("dealname", OpHasProperty, "-"),
			SearchFilter{Property: "dealname", Kind: KindText, Indexed: true, Op: OpHasProperty}},
		{"a value HAS_PROPERTY does not need is ignored", deals, filter("amount", OpNotHasProperty, "5"),
			SearchFilter{Property: "amount", Kind: KindNumeric, Indexed: true, Op: OpNotHasProperty}},
		{"long text is filtered without the index", deals, filter("description", OpEQ, "Renewal"),
			SearchFilter{Property: "description", Kind: KindText, Indexed: false, Op: OpEQ, Texts: []string{"renewal"}}},
		{"a property kept out of the index", contacts, filter("hs_object_source_label", OpEQ, "X"),
			SearchFilter{Property: "hs_object_source_label", Kind: KindText, Indexed: false, Op: OpEQ, Texts: []string{"x"}}},
		{"associations.{type} by any name of the type", mustType(t, e, "communications"), filter("associations.contacts", OpEQ, " 123 "),
			SearchFilter{Property: "associations.contact", Op: OpEQ, Indexed: true, AssociatedWith: "0-1", Nums: []float64{123}}},
		{"associations IN", mustType(t, e, "communications"), filter("associations.0-3", OpIn, "-", "1", "2"),
			SearchFilter{Property: "associations.deal", Op: OpIn, Indexed: true, AssociatedWith: "0-3", Nums: []float64{1, 2}}},
	} {
		q, err := e.compileSearch(tc.typ, SearchRequest{FilterGroups: [][]FilterInput{{tc.f}}})
		if err != nil || len(q.Groups) != 1 || len(q.Groups[0]) != 1 {
			t.Errorf("%s: %+v %v", tc.name, q.Groups, err)
			continue
		}
		if got := q.Groups[0][0]; !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n%#v\nwant\n%#v", tc.name, got, tc.want)
		}
	}
}

// Booleans take true or false in any case, and only equality operators.
func TestSearchBoolFilters(t *testing.T) {
	t.Parallel()
	e := testEngine()
	typ := Contacts().withCustom([]*PropertyDefinition{{Name: "vip", Type: TypeBool, FieldType: "booleancheckbox",
		Options: []PropertyOption{{Label: "Yes", Value: "true"}, {Label: "No", Value: "false"}}}}, nil)
	for _, op := range []string{OpEQ, OpNEQ} {
		q, err := e.compileSearch(typ, SearchRequest{FilterGroups: [][]FilterInput{{filter("vip", op, "TRUE")}}})
		if err != nil || !reflect.DeepEqual(q.Groups[0][0].Texts, []string{"true"}) || q.Groups[0][0].Kind != KindExact {
			t.Errorf("%s: %+v %v", op, q.Groups, err)
		}
	}
	q, err := e.compileSearch(typ, SearchRequest{FilterGroups: [][]FilterInput{{filter("vip", OpIn, "-", "False", "true")}}})
	if err != nil || !reflect.DeepEqual(q.Groups[0][0].Texts, []string{"false", "true"}) {
		t.Errorf("IN: %+v %v", q.Groups, err)
	}
	_, err = e.compileSearch(typ, SearchRequest{FilterGroups: [][]FilterInput{{filter("vip", OpEQ, "yes")}}})
	wantError(t, err, KindInvalid, CategoryValidation, "yes is not a valid value for bool property vip")
	for _, op := range []string{OpLT, OpGTE} {
		_, err = e.compileSearch(typ, SearchRequest{FilterGroups: [][]FilterInput{{filter("vip", op, "true")}}})
		wantError(t, err, KindInvalid, CategoryValidation, "operator "+op+" cannot be used on bool property vip")
	}
}

// Filters refused with a VALIDATION_ERROR.
func TestSearchFilterErrors(t *testing.T) {
	t.Parallel()
	e := testEngine()
	deals := mustType(t, e, "deals")
	message := mustType(t, e, "communications")
	for _, tc := range []struct {
		name    string
		typ     *ObjectType
		f       FilterInput
		message string
	}{
		{"IN without values", deals, filter("dealname", OpIn, "-"), "operator IN requires values"},
		{"NOT_IN without values", deals, filter("dealname", OpNotIn, "x"), "operator NOT_IN requires values"},
		{"EQ without a value", deals, filter("dealname", OpEQ, "-"), "operator EQ requires a value"},
		{"BETWEEN without a value", deals, FilterInput{PropertyName: sp("amount"), Operator: sp(OpBetween), HighValue: sp("5")}, "operator BETWEEN requires a value"},
		{"CONTAINS_TOKEN without a value", deals, filter("dealname", OpContainsToken, "-"), "operator CONTAINS_TOKEN requires a value"},
		{"an unknown property", deals, filter("colour", OpEQ, "red"), "Cannot filter by colour: there is no such property of deals"},
		{"not a number", deals, filter("amount", OpGT, "lots"), "lots is not a valid value for number property amount"},
		{"not a datetime", deals, filter("closedate", OpGT, "yesterday"), "yesterday is not a valid value for datetime property closedate"},
		{"a bad value among IN values", deals, filter("amount", OpIn, "-", "1", "two"), "two is not a valid value for number property amount"},
		{"a bad high value", deals, between("amount", "1", "many"), "many is not a valid value for number property amount"},
		{"digit separators", deals, filter("amount", OpEQ, "1_000"), "1_000 is not a valid value for number property amount"},
		{"a hexadecimal float", deals, filter("amount", OpEQ, "0x1p4"), "0x1p4 is not a valid value for number property amount"},
		{"infinity", deals, filter("amount", OpLT, "Inf"), "Inf is not a valid value for number property amount"},
		{"a datetime with digit separators", deals, filter("closedate", OpLT, "1_700_000_000_000"), "1_700_000_000_000 is not a valid value for datetime property closedate"},
		{"associations with another operator", message, filter("associations.contact", OpNEQ, "1"), "associations.contact filters support EQ and IN, not NEQ"},
		{"associations with a bad id", message, filter("associations.contact", OpEQ, "ana"), "ana is not a record id for associations.contact"},
	} {
		_, err := e.compileSearch(tc.typ, SearchRequest{FilterGroups: [][]FilterInput{{tc.f}}})
		wantError(t, err, KindInvalid, CategoryValidation, tc.message)
	}
	_, err := e.compileSearch(message, SearchRequest{FilterGroups: [][]FilterInput{{filter("associations.widget", OpEQ, "1")}}})
	wantError(t, err, KindInvalid, "", "Unable to infer object type from: widget")
}

// Groups are OR-ed and filters AND-ed; an empty group is no condition.
func TestSearchGroups(t *testing.T) {
	t.Parallel()
	e := testEngine()
	contacts := mustType(t, e, "contacts")
	q, err := e.compileSearch(contacts, SearchRequest{FilterGroups: [][]FilterInput{
		{filter("firstname", OpEQ, "Ana"), filter("lastname", OpEQ, "Silva")},
		{},
		{filter("email", OpHasProperty, "-")},
	}})
	if err != nil || len(q.Groups) != 2 || len(q.Groups[0]) != 2 || q.Groups[1][0].Property != "email" {
		t.Errorf("groups %+v %v", q.Groups, err)
	}
	if s := q.Groups[0][1].String(); s != "lastname EQ [][silva]" {
		t.Errorf("String() = %q", s)
	}
}

// One sort at most; JSON objects sent as strings are ignored.
func TestSearchSorts(t *testing.T) {
	t.Parallel()
	e := testEngine()
	deals := mustType(t, e, "deals")
	for _, tc := range []struct {
		name    string
		sorts   []SortInput
		want    *SearchSort
		message string
	}{
		{"none: creation order", nil, nil, ""},
		{"ascending by default", []SortInput{{PropertyName: "amount"}}, &SearchSort{Property: "amount", Kind: KindNumeric, Indexed: true}, ""},
		{"ASCENDING", []SortInput{{PropertyName: "dealname", Direction: "ASCENDING"}}, &SearchSort{Property: "dealname", Kind: KindText, Indexed: true}, ""},
		{"DESCENDING", []SortInput{{PropertyName: "createdate", Direction: "DESCENDING"}}, &SearchSort{Property: "createdate", Kind: KindNumeric, Indexed: true, Desc: true}, ""},
		{"long text", []SortInput{{PropertyName: "description"}}, &SearchSort{Property: "description", Kind: KindText}, ""},
		{"an ignored sort beside a real one", []SortInput{{Ignored: true}, {PropertyName: "amount", Direction: "DESCENDING"}}, &SearchSort{Property: "amount", Kind: KindNumeric, Indexed: true, Desc: true}, ""},
		{"only ignored sorts", []SortInput{{Ignored: true}, {Ignored: true}}, nil, ""},
		{"two sorts", []SortInput{{PropertyName: "amount"}, {PropertyName: "dealname"}}, nil, "Only one sort is allowed, not 2"},
		{"an unknown property", []SortInput{{PropertyName: "colour"}}, nil, "Cannot sort by colour: there is no such property of deals"},
		{"a lower-case direction", []SortInput{{PropertyName: "amount", Direction: "descending"}}, nil, `Sort direction must be ASCENDING or DESCENDING, not "descending"`},
	} {
		q, err := e.compileSearch(deals, SearchRequest{Sorts: tc.sorts})
		if tc.message != "" {
			wantError(t, err, KindInvalid, CategoryValidation, tc.message)
			continue
		}
		if err != nil || !reflect.DeepEqual(q.Sort, tc.want) {
			t.Errorf("%s: %+v %v, want %+v", tc.name, q.Sort, err, tc.want)
		}
	}
}

// The free-text query becomes lower-case words without diacritics.
func TestSearchQueryTerms(t *testing.T) {
	t.Parallel()
	e := testEngine()
	q, err := e.compileSearch(mustType(t, e, "contacts"), SearchRequest{Query: "  José  ana@Example.com "})
	if err != nil || !reflect.DeepEqual(q.Terms, []string{"jose", "ana", "example", "com"}) {
		t.Errorf("terms %q %v", q.Terms, err)
	}
	q, err = e.compileSearch(mustType(t, e, "contacts"), SearchRequest{Query: " -- "})
	if err != nil || len(q.Terms) != 0 {
		t.Errorf("terms %q %v", q.Terms, err)
	}
}

// What the index holds for a record: not hs_object_id, which search
// serves from the record's id.
func TestSearchDoc(t *testing.T) {
	t.Parallel()
	message := Communications()
	obj := &Object{ID: 9, TypeID: message.ID, Properties: map[string]string{
		"hs_communication_channel_type": "SMS",
		"hs_timestamp":                  "2024-01-01T00:00:01.500Z",
		"hs_communication_body":         "<b>Hello</b>",
		"hs_body_preview":               "Hello José",
		"hs_all_owner_ids":              "1;2",
		"hs_object_source_label":        "INTEGRATION",
		"hs_object_id":                  "9",
		"unknown":                       "x",
	}}
	doc := message.SearchDoc(obj)
	type value struct {
		name string
		num  float64
		text string
	}
	var got []value
	for _, v := range doc.Values {
		switch {
		case v.Num != nil:
			got = append(got, value{name: v.Name, num: *v.Num})
		default:
			got = append(got, value{name: v.Name, text: *v.Text})
		}
	}
	want := []value{
		{name: "hs_all_owner_ids", text: "1"},
		{name: "hs_all_owner_ids", text: "2"},
		{name: "hs_communication_channel_type", text: "SMS"},
		{name: "hs_timestamp", num: 1704067201500},
		{name: "hs_timestamp|hs_communication_channel_type=SMS", num: 1704067201500},
	}
	if doc.ObjectID != 9 || doc.TypeID != "0-18" || !reflect.DeepEqual(got, want) {
		t.Errorf("values\n%+v\nwant\n%+v", got, want)
	}
	if doc.Text != "hello jose" {
		t.Errorf("text %q", doc.Text)
	}
	for _, typ := range DefaultRegistry().Types() {
		if vals := typ.SearchDoc(&Object{ID: 5, TypeID: typ.ID, Properties: map[string]string{"hs_object_id": "5"}}).Values; len(vals) != 0 {
			t.Errorf("%s: values %+v of a record with hs_object_id alone", typ.ID, vals)
		}
	}
	if ScopedName("hs_timestamp", "hs_communication_channel_type", "SMS") != "hs_timestamp|hs_communication_channel_type=SMS" {
		t.Error("ScopedName")
	}
	// Without a channel there is no scoped entry.
	delete(obj.Properties, "hs_communication_channel_type")
	for _, v := range message.SearchDoc(obj).Values {
		if strings.Contains(v.Name, "|") {
			t.Errorf("scoped entry %s without a channel", v.Name)
		}
	}
}

// How each property type is compared in search.
func TestSearchKinds(t *testing.T) {
	t.Parallel()
	for typ, want := range map[string]ValueKind{
		TypeNumber: KindNumeric, TypeDatetime: KindNumeric, TypeDate: KindNumeric,
		TypeEnumeration: KindExact, TypeBool: KindExact,
		TypeString: KindText, TypePhoneNumber: KindText,
	} {
		if got := (&PropertyDefinition{Type: typ}).SearchKind(); got != want {
			t.Errorf("%s: %d, want %d", typ, got, want)
		}
	}
	for fieldType, want := range map[string]bool{"text": true, "textarea": false, "html": false, "select": true} {
		if got := (&PropertyDefinition{FieldType: fieldType}).Indexed(); got != want {
			t.Errorf("%s indexed %v", fieldType, got)
		}
	}
}
