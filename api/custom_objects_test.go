package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// carSchema is a custom object with a unique VIN, a required model and two
// searchable properties, associated with contacts.
const carSchema = `{
	"name": "cars",
	"labels": {"singular": "Car", "plural": "Cars"},
	"primaryDisplayProperty": "model",
	"secondaryDisplayProperties": ["make"],
	"requiredProperties": ["model"],
	"searchableProperties": ["model", "make"],
	"metaType": "PORTAL_SPECIFIC",
	"properties": [
		{"name": "model", "label": "Model", "isPrimaryDisplayLabel": true},
		{"name": "make", "label": "Make", "type": "string", "fieldType": "text"},
		{"name": "vin", "label": "VIN", "hasUniqueValue": true},
		{"name": "year", "label": "Year", "type": "number", "fieldType": "number"},
		{"name": "color", "label": "Color", "type": "enumeration", "fieldType": "select",
			"options": [{"label": "Red", "value": "red"}, {"label": "Blue", "value": "blue"}]}
	],
	"associatedObjects": ["CONTACT"]
}`

// newCarSchema creates the cars schema and returns it.
func newCarSchema(t *testing.T, s *spoketest.Server) map[string]any {
	t.Helper()
	return mustStatus(t, s.Do("POST", "/crm-object-schemas/v3/schemas", carSchema), http.StatusCreated)
}

// assocID returns the id of the schema's association definition to toType.
func assocID(t *testing.T, schema map[string]any, toType string) int {
	t.Helper()
	for _, a := range schema["associations"].([]any) {
		a := a.(map[string]any)
		if a["toObjectTypeId"] == toType {
			var n int
			fmt.Sscan(a["id"].(string), &n)
			return n
		}
	}
	t.Fatalf("no association to %s in %v", toType, schema["associations"])
	return 0
}

// The seed's flow: create a schema, create a record, log a WhatsApp message
// associated with it, pin it, read the record with the pin and the
// association, delete and restore the message.
func TestCustomObjectMessageFlow(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	s.Clock.Set(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	schema := newCarSchema(t, s)
	typeID := schema["objectTypeId"].(string)
	if !strings.HasPrefix(typeID, "2-") || schema["id"] != strings.TrimPrefix(typeID, "2-") ||
		schema["fullyQualifiedName"] != fmt.Sprintf("p%d_cars", spoketest.PortalID) {
		t.Fatalf("schema ids: %v %v %v", schema["id"], typeID, schema["fullyQualifiedName"])
	}
	toMessage, toContact := assocID(t, schema, "0-18"), assocID(t, schema, "0-1")

	car := create(t, s, typeID, `{"properties":{"model":"Model T","make":"Ford","vin":"VIN-1"}}`)
	carID := car["id"].(string)
	if got := props(car); got["model"] != "Model T" || got["hs_object_id"] != carID {
		t.Fatalf("car: %v", got)
	}
	msg := whatsApp("Your car is ready")
	msg["associations"] = []any{map[string]any{"to": map[string]any{"id": carID},
		"types": []any{map[string]any{"associationCategory": "USER_DEFINED", "associationTypeId": toMessage + 1}}}}
	msgID := create(t, s, "communications", msg)["id"].(string)

	carPath := "/crm/v3/objects/" + typeID + "/" + carID
	mustStatus(t, s.Do("PATCH", carPath, fmt.Sprintf(`{"properties":{"hs_pinned_engagement_id":%q}}`, msgID)), 200)
	got := mustStatus(t, s.Do("GET", carPath+"?properties=model,hs_pinned_engagement_id&associations=communications", nil), 200)
	if props(got)["hs_pinned_engagement_id"] != msgID {
		t.Errorf("pin: %v", props(got))
	}
	assoc, _ := got["associations"].(map[string]any)["communications"].(map[string]any)
	if assoc == nil || len(assoc["results"].([]any)) != 1 || assoc["results"].([]any)[0].(map[string]any)["id"] != msgID {
		t.Errorf("associations: %v", got["associations"])
	}
	// The fully qualified name and p_{name} address the same records.
	for _, name := range []string{fmt.Sprintf("p%d_cars", spoketest.PortalID), "p_cars"} {
		if props(mustStatus(t, s.Do("GET", "/crm/v3/objects/"+name+"/"+carID+"?properties=model", nil), 200))["model"] != "Model T" {
			t.Errorf("read through %s", name)
		}
	}
	// The plain name is no type.
	if body := mustStatus(t, s.Do("GET", "/crm/v3/objects/cars/"+carID, nil), 400); body["message"] != "Unable to infer object type from: cars" {
		t.Errorf("plain name: %v", body)
	}

	// Deleting the message lifts the pin; restoring it brings the association back.
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/communications/"+msgID, nil), 204)
	if p := props(mustStatus(t, s.Do("GET", carPath+"?properties=hs_pinned_engagement_id", nil), 200)); p["hs_pinned_engagement_id"] != nil {
		t.Errorf("pin after delete: %v", p)
	}
	mustStatus(t, s.Do("POST", "/_spoke/objects/communications/"+msgID+"/restore", nil), 200)
	list := mustStatus(t, s.Do("GET", "/crm/v4/objects/"+typeID+"/"+carID+"/associations/communications", nil), 200)
	res := list["results"].([]any)
	if len(res) != 1 {
		t.Fatalf("v4 associations after restore: %v", list)
	}
	types := res[0].(map[string]any)["associationTypes"].([]any)
	if at := types[0].(map[string]any); at["category"] != "USER_DEFINED" || at["typeId"] != float64(toMessage) || at["label"] != nil {
		t.Errorf("association type: %v", at)
	}
	// A pin on a message not associated with the car is refused.
	loose := create(t, s, "communications", whatsApp("loose"))["id"].(string)
	if code := errorCode(mustStatus(t, s.Do("PATCH", carPath, fmt.Sprintf(`{"properties":{"hs_pinned_engagement_id":%q}}`, loose)), 400)); code != "INVALID_PINNED_ENGAGEMENT" {
		t.Errorf("pin of a loose message: %s", code)
	}
	_ = toContact
}
