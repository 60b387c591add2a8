package crm

import (
	"reflect"
	"testing"
)

// The rules that need storage (the activity exists, is live, is associated
// with the record being updated) are checked through the HTTP tests against
// real stores; these are the ones decided from the request alone.

// Which types can hold a pin, and what the pin property is.
func TestPinnableTypes(t *testing.T) {
	t.Parallel()
	e := testEngine()
	for _, name := range []string{"contacts", "companies", "deals", "tickets"} {
		p := mustType(t, e, name).Property(PinnedProperty)
		if p == nil || p.Type != TypeNumber || p.ReadOnly || p.Label != "Pinned engagement ID" {
			t.Errorf("%s: %+v", name, p)
		}
	}
	// Activities are pinned, not pinning.
	if p := mustType(t, e, "communications").Property(PinnedProperty); p != nil {
		t.Errorf("communications have %s", PinnedProperty)
	}
	// Every engagement type is an activity; records and users are not.
	for typeID, want := range map[string]bool{"0-18": true, "0-46": true, "0-48": true, "0-49": true, "0-47": true,
		"0-27": true, "0-116": true, "0-1": false, "0-2": false, "0-3": false, "0-5": false, "0-115": false, "": false} {
		if e.isActivity(typeID) != want {
			t.Errorf("isActivity(%q) = %v", typeID, !want)
		}
	}
}

// One pin per record: the property holds a single activity id.
func TestPinValue(t *testing.T) {
	t.Parallel()
	contacts := Contacts()
	for _, tc := range []struct {
		in, want, code, msg string
	}{
		{in: "123", want: "123"},
		{in: "123.0", want: "123"},
		{in: "", want: ""}, // unpins
		{in: "123;456", code: CodeInvalidInteger, msg: "123;456 was not a valid number"},
		{in: "[123]", code: CodeInvalidInteger, msg: "[123] was not a valid number"},
	} {
		got, errs := contacts.NormalizeProperties(map[string]string{PinnedProperty: tc.in})
		switch {
		case tc.code == "" && (len(errs) > 0 || got[PinnedProperty] != tc.want):
			t.Errorf("%q: %v %+v, want %q", tc.in, got, errs, tc.want)
		case tc.code != "" && (len(errs) != 1 || errs[0].Code != tc.code || errs[0].Message != tc.msg):
			t.Errorf("%q: %+v, want %s %q", tc.in, errs, tc.code, tc.msg)
		}
	}
}

// checkPin decides without storage when no pin is set, and refuses a value
// that cannot be an activity id before looking anything up.
func TestCheckPinWithoutStorage(t *testing.T) {
	t.Parallel()
	e := testEngine()
	contact, message := mustType(t, e, "contacts"), mustType(t, e, "communications")
	obj := &Object{ID: 7, TypeID: contact.ID, Properties: map[string]string{}}
	ctx := t.Context()
	// A nil ReadTx: any lookup would panic.
	for _, changed := range []map[string]string{
		{"firstname": "Ana"},
		{PinnedProperty: ""},
	} {
		if err := e.checkPin(ctx, nil, contact, obj, changed); err != nil {
			t.Errorf("%v: %v", changed, err)
		}
	}
	if err := e.checkPin(ctx, nil, message, &Object{ID: 8, TypeID: message.ID}, map[string]string{PinnedProperty: "5"}); err != nil {
		t.Errorf("a type without pins: %v", err)
	}
	// Number values that are not ids pass validation as numbers but are no pin.
	for _, v := range []string{"1.5", "1e20"} {
		err := e.checkPin(ctx, nil, contact, obj, map[string]string{PinnedProperty: v})
		got := wantError(t, err, KindInvalid, CategoryValidation, `Property values were not valid: [{"isValid":false,"message":"`+v+
			` is not an activity id","error":"INVALID_PINNED_ENGAGEMENT","name":"hs_pinned_engagement_id","localizedErrorMessage":"`+v+` is not an activity id","portalId":4242}]`)
		if len(got.Details) != 1 || got.Details[0].Code != CodeInvalidPin {
			t.Errorf("%s: details %+v", v, got.Details)
		}
	}
}

// A record created with a pin must associate the pinned activity in the
// same request: an inline association to a communication of that id.
func TestNewRecordPins(t *testing.T) {
	t.Parallel()
	e := testEngine()
	contact := mustType(t, e, "contacts")
	toMessage := []AssociationSpec{{CategoryHubSpotDefined, 82}}
	toCompany := []AssociationSpec{{CategoryHubSpotDefined, 279}}
	notLinked := `Property values were not valid: [{"isValid":false,"message":"Activity 55 is not associated with the new contact; associate it in the same request to pin it",` +
		`"error":"INVALID_PINNED_ENGAGEMENT","name":"hs_pinned_engagement_id","localizedErrorMessage":"Activity 55 is not associated with the new contact; associate it in the same request to pin it","portalId":4242}]`
	for _, tc := range []struct {
		name   string
		in     CreateInput
		refuse bool
	}{
		{"pinned and associated", CreateInput{Properties: map[string]string{PinnedProperty: "55"}, Associations: []AssociationInput{{ToID: "55", Types: toMessage}}}, false},
		{"associated among others", CreateInput{Properties: map[string]string{PinnedProperty: "55"},
			Associations: []AssociationInput{{ToID: "9", Types: toCompany}, {ToID: "54", Types: toMessage}, {ToID: "55", Types: toMessage}}}, false},
		{"no pin", CreateInput{Properties: map[string]string{"firstname": "Ana"}}, false},
		{"a cleared pin", CreateInput{Properties: map[string]string{PinnedProperty: ""}}, false},
		{"pinned, nothing associated", CreateInput{Properties: map[string]string{PinnedProperty: "55"}}, true},
		{"pinned, another activity associated", CreateInput{Properties: map[string]string{PinnedProperty: "55"}, Associations: []AssociationInput{{ToID: "56", Types: toMessage}}}, true},
		{"pinned, a company of that id associated", CreateInput{Properties: map[string]string{PinnedProperty: "55"}, Associations: []AssociationInput{{ToID: "55", Types: toCompany}}}, true},
	} {
		checked := e.validateCreates(contact, []CreateInput{tc.in})
		if checked[0].err != nil {
			t.Fatalf("%s: %v", tc.name, checked[0].err)
		}
		jobs := []*createJob{&checked[0]}
		if err := e.checkNewPins(t.Context(), nil, contact, jobs); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		switch {
		case !tc.refuse && jobs[0].err != nil:
			t.Errorf("%s: %v", tc.name, jobs[0].err)
		case tc.refuse:
			got := wantError(t, jobs[0].err, KindInvalid, CategoryValidation, notLinked)
			want := []ErrorDetail{{Message: "Activity 55 is not associated with the new contact; associate it in the same request to pin it",
				Code: CodeInvalidPin, Context: map[string][]string{"propertyName": {PinnedProperty}}}}
			if !reflect.DeepEqual(got.Details, want) {
				t.Errorf("%s: details %+v", tc.name, got.Details)
			}
		}
	}
	// An input that already failed keeps its own error.
	failed := &createJob{props: map[string]string{PinnedProperty: "55"}, err: Invalidf("earlier")}
	if err := e.checkNewPins(t.Context(), nil, contact, []*createJob{failed}); err != nil || failed.err.Error() != "earlier" {
		t.Errorf("failed input: %v %v", err, failed.err)
	}
}
