package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
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

// Every schema operation, on each of its paths, and HubSpot's shapes.
func TestCustomObjectSchemas(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	s.Clock.Set(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	schema := newCarSchema(t, s)
	typeID, number := schema["objectTypeId"].(string), schema["id"].(string)
	fqn := fmt.Sprintf("p%d_cars", spoketest.PortalID)
	if schema["name"] != "cars" || schema["primaryDisplayProperty"] != "model" || schema["createdAt"] != "2026-03-01T09:00:00Z" ||
		schema["archived"] != false || schema["labels"].(map[string]any)["plural"] != "Cars" {
		t.Errorf("schema: %v", schema)
	}
	names := map[string]map[string]any{}
	for _, p := range schema["properties"].([]any) {
		p := p.(map[string]any)
		names[p["name"].(string)] = p
	}
	for _, n := range []string{"model", "make", "vin", "year", "color", "hs_object_id", "hs_createdate", "hs_pinned_engagement_id"} {
		if names[n] == nil {
			t.Errorf("schema properties lack %s", n)
		}
	}
	if names["model"]["type"] != "string" || names["model"]["fieldType"] != "text" || names["model"]["groupName"] != "cars_information" ||
		names["vin"]["hasUniqueValue"] != true {
		t.Errorf("defaults of schema properties: %v %v", names["model"], names["vin"])
	}
	// One association definition per engagement type and the listed contacts.
	tos := map[string]bool{}
	for _, a := range schema["associations"].([]any) {
		a := a.(map[string]any)
		if a["fromObjectTypeId"] != typeID {
			t.Errorf("association from %v", a)
		}
		tos[a["toObjectTypeId"].(string)] = true
	}
	for _, to := range []string{"0-1", "0-18", "0-46", "0-48", "0-49", "0-47", "0-27", "0-116"} {
		if !tos[to] {
			t.Errorf("no association definition to %s: %v", to, schema["associations"])
		}
	}
	if tos["0-2"] || tos["0-115"] {
		t.Errorf("unasked associations: %v", schema["associations"])
	}

	// Read by every name, on every path.
	for _, path := range []string{"/crm-object-schemas/v3/schemas/", "/crm/v3/schemas/", "/crm-object-schemas/2026-03/schemas/"} {
		for _, name := range []string{typeID, fqn, "p_cars", number} {
			if got := mustStatus(t, s.Do("GET", path+name, nil), 200); got["objectTypeId"] != typeID {
				t.Errorf("GET %s%s: %v", path, name, got)
			}
		}
	}
	mustFail(t, s.Do("GET", "/crm-object-schemas/v3/schemas/2-999", nil), 404, "2-999")
	mustFail(t, s.Do("GET", "/crm-object-schemas/v3/schemas/cars", nil), 404)
	lean := mustStatus(t, s.Do("GET", "/crm-object-schemas/v3/schemas/"+typeID+"?includePropertyDefinitions=false&includeAssociationDefinitions=false&includeAuditMetadata=false", nil), 200)
	if len(lean["properties"].([]any)) != 0 || len(lean["associations"].([]any)) != 0 || lean["createdAt"] != nil {
		t.Errorf("include flags: %v", lean)
	}
	mustStatus(t, s.Do("GET", "/crm-object-schemas/v3/schemas?includeAuditMetadata=maybe", nil), 400)
	list := mustStatus(t, s.Do("GET", "/crm-object-schemas/v3/schemas", nil), 200)
	if res := list["results"].([]any); len(res) != 1 || res[0].(map[string]any)["objectTypeId"] != typeID {
		t.Errorf("list: %v", list)
	}
	batch := mustStatus(t, s.Do("POST", "/crm-object-schemas/v3/schemas/batch/read", `{"inputs":["p_cars","2-1"],"includePropertyDefinitions":false}`), 200)
	if res := batch["results"].([]any); len(res) != 1 || len(res[0].(map[string]any)["properties"].([]any)) != 0 {
		t.Errorf("batch read: %v", batch)
	}

	// PATCH answers ObjectTypeDefinition: no properties or associations, the portal id.
	patched := mustStatus(t, s.Do("PATCH", "/crm-object-schemas/v3/schemas/"+typeID,
		`{"labels":{"singular":"Vehicle","plural":"Vehicles"},"requiredProperties":["model","make"],"searchableProperties":["model","vin"],"description":"Cars we sell"}`), 200)
	if patched["properties"] != nil || patched["associations"] != nil || patched["portalId"] != float64(spoketest.PortalID) ||
		patched["labels"].(map[string]any)["singular"] != "Vehicle" || patched["description"] != "Cars we sell" {
		t.Errorf("PATCH answer: %v", patched)
	}
	if body := mustStatus(t, s.Do("POST", "/crm/v3/objects/"+typeID, `{"properties":{"model":"T"}}`), 400); !strings.Contains(body["message"].(string), "Error creating cars.") {
		t.Errorf("required after PATCH: %v", body)
	}
	mustFail(t, s.Do("PATCH", "/crm-object-schemas/v3/schemas/"+typeID, `{"requiredProperties":["nope"]}`), 400, "nope")
	mustFail(t, s.Do("PATCH", "/crm-object-schemas/v3/schemas/"+typeID, `{"name":"trucks"}`), 400, "cannot be changed")
	mustFail(t, s.Do("PATCH", "/crm-object-schemas/v3/schemas/"+typeID, `{"clearDescription":true,"labels":{"singular":""}}`), 400, "labels")
	mustFail(t, s.Do("PATCH", "/crm-object-schemas/v3/schemas/2-42", `{"description":"x"}`), 404)

	// Association definitions: create to companies, listed, deleted.
	def := mustStatus(t, s.Do("POST", "/crm-object-schemas/v3/schemas/"+typeID+"/associations", `{"fromObjectTypeId":"`+typeID+`","toObjectTypeId":"COMPANY","name":"car_to_company"}`), 201)
	if def["fromObjectTypeId"] != typeID || def["toObjectTypeId"] != "0-2" || def["name"] != "car_to_company" {
		t.Errorf("association definition: %v", def)
	}
	again := mustStatus(t, s.Do("GET", "/crm/v3/schemas/"+typeID, nil), 200)
	if assocID(t, again, "0-2") != atoi(def["id"].(string)) {
		t.Errorf("definition not listed: %v", again["associations"])
	}
	labels := mustStatus(t, s.Do("GET", "/crm/v4/associations/"+typeID+"/companies/labels", nil), 200)
	if res := labels["results"].([]any); len(res) != 1 || res[0].(map[string]any)["category"] != "USER_DEFINED" || res[0].(map[string]any)["label"] != nil {
		t.Errorf("labels of the pair: %v", labels)
	}
	mustFail(t, s.Do("POST", "/crm-object-schemas/v3/schemas/"+typeID+"/associations", `{"fromObjectTypeId":"0-1","toObjectTypeId":"0-2"}`), 400, "must start or end")
	mustFail(t, s.Do("POST", "/crm-object-schemas/v3/schemas/"+typeID+"/associations", `{"fromObjectTypeId":"`+typeID+`","toObjectTypeId":"planets"}`), 400, "planets")
	mustFail(t, s.Do("POST", "/crm-object-schemas/v3/schemas/"+typeID+"/associations", `{"toObjectTypeId":"0-2"}`), 400, "fromObjectTypeId")
	mustFail(t, s.Do("POST", "/crm-object-schemas/v3/schemas/"+typeID+"/associations", `{"fromObjectTypeId":"`+typeID+`","toObjectTypeId":"deal","name":"Car To Deal"}`), 400, "Car To Deal")
	if got := mustStatus(t, s.Do("POST", "/crm-object-schemas/v3/schemas/"+typeID+"/associations", `{"fromObjectTypeId":"`+typeID+`","toObjectTypeId":"deal"}`), 201); got["name"] != "cars_to_deal" || got["toObjectTypeId"] != "0-3" {
		t.Errorf("definition without a name: %v", got)
	}
	// The unlabelled type of the pair is no label the labels API removes.
	mustStatus(t, s.Do("DELETE", "/crm/v4/associations/"+typeID+"/companies/labels/"+def["id"].(string), nil), 404)
	mustStatus(t, s.Do("DELETE", "/crm-object-schemas/v3/schemas/"+typeID+"/associations/"+def["id"].(string), nil), 204)
	mustStatus(t, s.Do("DELETE", "/crm-object-schemas/v3/schemas/"+typeID+"/associations/"+def["id"].(string), nil), 404)
	if got := mustStatus(t, s.Do("GET", "/crm/v3/schemas/"+typeID, nil), 200); strings.Contains(fmt.Sprint(got["associations"]), "toObjectTypeId:0-2]") {
		t.Errorf("deleted definition still listed: %v", got["associations"])
	}

	// Validation of creates.
	for _, c := range []struct {
		body   string
		status int
		word   string
	}{
		{`{"labels":{"singular":"A","plural":"As"}}`, 400, "name"},
		{`{"name":"boats"}`, 400, "labels"},
		{`{"name":"9boats","labels":{"singular":"A","plural":"As"}}`, 400, "9boats"},
		{`{"name":"bo-ats","labels":{"singular":"A","plural":"As"}}`, 400, "bo-ats"},
		{`{"name":"boats","labels":{"singular":"Boat"}}`, 400, "labels"},
		{`{"name":"boats","labels":{"singular":"Boat","plural":"Boats"},"requiredProperties":["hull"]}`, 400, "hull"},
		{`{"name":"boats","labels":{"singular":"Boat","plural":"Boats"},"searchableProperties":["hull"]}`, 400, "hull"},
		{`{"name":"boats","labels":{"singular":"Boat","plural":"Boats"},"primaryDisplayProperty":"hull"}`, 400, "hull"},
		{`{"name":"boats","labels":{"singular":"Boat","plural":"Boats"},"properties":[{"name":"hull","label":"Hull","type":"colour","fieldType":"text"}]}`, 400, "colour"},
		{`{"name":"boats","labels":{"singular":"Boat","plural":"Boats"},"properties":[{"name":"hs_hull","label":"Hull"}]}`, 400, "hs_"},
		{`{"name":"boats","labels":{"singular":"Boat","plural":"Boats"},"properties":[{"name":"hull","label":"Hull"},{"name":"hull","label":"Hull"}]}`, 409, "hull"},
		{`{"name":"boats","labels":{"singular":"Boat","plural":"Boats"},"properties":[{"label":"Hull"}]}`, 400, "properties[0]"},
		{`{"name":"boats","labels":{"singular":"Boat","plural":"Boats"},"associatedObjects":["PLANET"]}`, 400, "PLANET"},
		{`{"name":"CARS","labels":{"singular":"Car","plural":"Cars"}}`, 409, "cars"},
		{`{"name":"Contact","labels":{"singular":"C","plural":"Cs"}}`, 400, "0-1"},
		{`{"name":"postal_mail","labels":{"singular":"P","plural":"Ps"}}`, 400, "0-116"},
		{`{"name":"boats","labels":{"singular":"Boat","plural":"Boats"},"properties":{}}`, 400, "properties"},
	} {
		mustFail(t, s.Do("POST", "/crm-object-schemas/v3/schemas", c.body), c.status, c.word)
	}
	var uniques []string
	for i := range 11 {
		uniques = append(uniques, fmt.Sprintf(`{"name":"u%d","label":"U%d","hasUniqueValue":true}`, i, i))
	}
	mustFail(t, s.Do("POST", "/crm-object-schemas/v3/schemas", `{"name":"boats","labels":{"singular":"Boat","plural":"Boats"},"properties":[`+strings.Join(uniques, ",")+`]}`), 400, "10")
	// Nothing of the refused creates was stored.
	if res := mustStatus(t, s.Do("GET", "/crm-object-schemas/v3/schemas", nil), 200)["results"].([]any); len(res) != 1 {
		t.Errorf("schemas after refused creates: %d", len(res))
	}
	// The second schema gets the next type id; the old path creates too.
	boats := mustStatus(t, s.Do("POST", "/crm/v3/schemas", `{"name":"boats","labels":{"singular":"Boat","plural":"Boats"},"associatedObjects":["`+typeID+`","0-2"]}`), 201)
	if boats["objectTypeId"] != fmt.Sprintf("2-%d", atoi(number)+1) {
		t.Errorf("second type id %v after %v", boats["objectTypeId"], typeID)
	}
	// The pair between two custom types is listed from both.
	if assocID(t, boats, typeID) == 0 {
		t.Error("boats to cars")
	}
	mustStatus(t, s.Do("GET", "/crm/v4/associations/"+typeID+"/"+boats["objectTypeId"].(string)+"/labels", nil), 200)

	// shouldCreateSameObjectAssociation: one type id between records of the type.
	trains := mustStatus(t, s.Do("POST", "/crm-object-schemas/v3/schemas", `{"name":"trains","labels":{"singular":"Train","plural":"Trains"},"shouldCreateSameObjectAssociation":true}`), 201)
	trainType := trains["objectTypeId"].(string)
	self := assocID(t, trains, trainType)
	a, b := create(t, s, trainType, `{"properties":{}}`)["id"].(string), create(t, s, trainType, `{"properties":{}}`)["id"].(string)
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/"+trainType+"/"+a+"/associations/default/"+trainType+"/"+b, nil), 200)
	if got := v4Types(t, s, trainType, b, trainType)[a]; fmt.Sprint(got) != fmt.Sprintf("[USER_DEFINED/%d/<nil>]", self) {
		t.Errorf("train to train: %v", got)
	}
}

func atoi(s string) int {
	var n int
	fmt.Sscan(s, &n)
	return n
}

// Scopes: crm.schemas.custom.* for schemas (reads also with
// crm.objects.custom.read), crm.objects.custom.* for records.
func TestCustomObjectScopes(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	typeID := newCarSchema(t, s)["objectTypeId"].(string)
	schemaRead, objRead := s.NewToken("crm.schemas.custom.read"), s.NewToken("crm.objects.custom.read")
	objWrite, contacts := s.NewToken("crm.objects.custom.write"), s.NewToken("crm.objects.contacts.write", "crm.objects.contacts.read")
	schemaWrite := s.NewToken("crm.schemas.custom.write")
	for _, c := range []struct {
		token, method, path, body string
		status                    int
	}{
		{schemaRead, "GET", "/crm-object-schemas/v3/schemas", "", 200},
		{objRead, "GET", "/crm-object-schemas/v3/schemas/" + typeID, "", 200},
		{contacts, "GET", "/crm-object-schemas/v3/schemas", "", 403},
		{schemaRead, "POST", "/crm-object-schemas/v3/schemas", `{"name":"x","labels":{"singular":"X","plural":"Xs"}}`, 403},
		{schemaWrite, "POST", "/crm-object-schemas/v3/schemas", `{"name":"x","labels":{"singular":"X","plural":"Xs"}}`, 201},
		{schemaRead, "DELETE", "/crm-object-schemas/v3/schemas/" + typeID, "", 403},
		{objWrite, "POST", "/crm/v3/objects/" + typeID, `{"properties":{"model":"T"}}`, 201},
		{objRead, "POST", "/crm/v3/objects/" + typeID, `{"properties":{"model":"T"}}`, 403},
		{contacts, "GET", "/crm/v3/objects/" + typeID, "", 403},
		{objRead, "GET", "/crm/v3/objects/" + typeID, "", 200},
		{objRead, "GET", "/crm/v3/properties/" + typeID, "", 200},
		{schemaWrite, "POST", "/crm/v3/properties/" + typeID, `{"name":"trim","label":"Trim","type":"string","fieldType":"text","groupName":"cars_information"}`, 201},
		{objWrite, "POST", "/crm/v3/properties/" + typeID, `{"name":"trim2","label":"Trim","type":"string","fieldType":"text","groupName":"cars_information"}`, 403},
	} {
		if got := s.DoToken(c.token, c.method, c.path, c.body); got.Status != c.status {
			t.Errorf("%s %s: %d, want %d: %s", c.method, c.path, got.Status, c.status, got.Body)
		}
	}
}

// Records of a custom type have everything the built-in types have.
func TestCustomObjectRecords(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	schema := newCarSchema(t, s)
	typeID := schema["objectTypeId"].(string)
	base := "/crm/v3/objects/" + typeID
	s.Clock.Set(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))

	// Create and read: the defaults, the required property, bad values.
	car := create(t, s, typeID, `{"properties":{"model":"Beetle","make":"VW","vin":"W1","year":"1967","color":"red"}}`)
	id := car["id"].(string)
	if p := props(mustStatus(t, s.Do("GET", base+"/"+id, nil), 200)); len(p) != 3 || p["hs_object_id"] != id || p["hs_createdate"] == nil {
		t.Errorf("default properties: %v", p)
	}
	// HubSpot's message for a custom type names the schema and has two
	// spaces after its first full stop (a 2026 capture).
	missing := mustStatus(t, s.Do("POST", base, `{"properties":{"make":"VW"}}`), 400)
	if missing["message"] != "Error creating cars.  Some required properties were not set." || missing["category"] != "VALIDATION_ERROR" ||
		fmt.Sprint(missing["context"]) != "map[properties:[model]]" {
		t.Errorf("missing required property: %v", missing)
	}
	mustFail(t, s.Do("POST", base, `{"properties":{"model":"X","color":"green"}}`), 400, "Property values were not valid")
	mustFail(t, s.Do("POST", base, `{"properties":{"model":"X","wheels":"4"}}`), 400, "Property values were not valid")
	mustStatus(t, s.Do("POST", base, `{"properties":{"model":"X","vin":"W1"}}`), 409)
	if p := props(mustStatus(t, s.Do("GET", base+"/W1?idProperty=vin&properties=model", nil), 200)); p["model"] != "Beetle" {
		t.Errorf("by vin: %v", p)
	}
	s.Clock.Set(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	mustStatus(t, s.Do("PATCH", base+"/"+id, `{"properties":{"model":"Beetle 1300"}}`), 200)
	hist := mustStatus(t, s.Do("GET", base+"/"+id+"?propertiesWithHistory=model", nil), 200)["propertiesWithHistory"].(map[string]any)["model"].([]any)
	if len(hist) != 2 || hist[0].(map[string]any)["value"] != "Beetle 1300" || hist[1].(map[string]any)["value"] != "Beetle" {
		t.Errorf("history: %v", hist)
	}

	// Batch create, read, update, upsert on the unique VIN, archive.
	created := mustStatus(t, s.Do("POST", base+"/batch/create", inputs(`{"properties":{"model":"Golf","vin":"W2","year":"1974"}}`, `{"properties":{"model":"Polo","vin":"W3","year":"1975"}}`)), 201)
	if len(created["results"].([]any)) != 2 {
		t.Fatalf("batch create: %v", created)
	}
	read := mustStatus(t, s.Do("POST", base+"/batch/read", `{"idProperty":"vin","properties":["model"],"inputs":[{"id":"W2"},{"id":"W3"}]}`), 200)
	if len(read["results"].([]any)) != 2 {
		t.Errorf("batch read: %v", read)
	}
	mustStatus(t, s.Do("POST", base+"/batch/update", inputs(`{"id":"W2","idProperty":"vin","properties":{"make":"VW"}}`)), 200)
	up := mustStatus(t, s.Do("POST", base+"/batch/upsert", inputs(`{"id":"W3","idProperty":"vin","properties":{"make":"VW"}}`, `{"id":"W4","idProperty":"vin","properties":{"model":"Passat"}}`)), 200)
	var news []any
	for _, r := range up["results"].([]any) {
		news = append(news, r.(map[string]any)["new"])
	}
	if fmt.Sprint(news) != "[false true]" && fmt.Sprint(news) != "[true false]" {
		t.Errorf("upsert: %v", up)
	}

	// Search: the free-text query over searchableProperties, filters, sorts.
	found := mustStatus(t, s.Do("POST", base+"/search", `{"query":"golf"}`), 200)
	if found["total"] != float64(1) {
		t.Errorf("query golf: %v", found)
	}
	if got := mustStatus(t, s.Do("POST", base+"/search", `{"query":"W2"}`), 200); got["total"] != float64(0) {
		t.Errorf("vin is not searchable: %v", got)
	}
	byYear := mustStatus(t, s.Do("POST", base+"/search", `{"filterGroups":[{"filters":[{"propertyName":"year","operator":"GTE","value":"1974"}]}],"sorts":[{"propertyName":"year","direction":"DESCENDING"}],"properties":["model"]}`), 200)
	var models []string
	for _, r := range byYear["results"].([]any) {
		models = append(models, props(r.(map[string]any))["model"].(string))
	}
	if fmt.Sprint(models) != "[Polo Golf]" {
		t.Errorf("search by year: %v", byYear)
	}

	// Associations: v3 by name and v4 with a label, from both ends.
	contact := newContact(t, s, "driver@example.com")
	toContact := assocID(t, schema, "0-1")
	mustStatus(t, s.Do("PUT", fmt.Sprintf("%s/%s/associations/contacts/%s/cars_to_contact", base, id, contact), nil), 200)
	if got := v3Assoc(t, s, typeID, id, "contacts"); fmt.Sprint(got) != "["+contact+":cars_to_contact]" {
		t.Errorf("v3 associations: %v", got)
	}
	// Keyed by the fully qualified name, as a type's plural name keys the built-in types.
	if got := v3Assoc(t, s, "contacts", contact, fmt.Sprintf("p%d_cars", spoketest.PortalID)); fmt.Sprint(got) != "["+id+":contact_to_cars]" {
		t.Errorf("v3 associations from the contact: %v", got)
	}
	// associations.{type} search filters name the custom type by any of its names or its own name.
	for _, name := range []string{"cars", "p_cars", typeID} {
		got := mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/search", `{"filterGroups":[{"filters":[{"propertyName":"associations.`+name+`","operator":"EQ","value":"`+id+`"}]}]}`), 200)
		if got["total"] != float64(1) {
			t.Errorf("contacts associated with the car (%s): %v", name, got)
		}
	}
	labels := mustStatus(t, s.Do("POST", "/crm/v4/associations/"+typeID+"/contacts/labels", `{"label":"Driver","name":"driver","inverseLabel":"Drives"}`), 200)
	var driver float64
	for _, l := range labels["results"].([]any) {
		if m := l.(map[string]any); m["label"] == "Driver" {
			driver = m["typeId"].(float64)
		}
	}
	spec := fmt.Sprintf(`[{"associationCategory":"USER_DEFINED","associationTypeId":%.0f}]`, driver)
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/"+typeID+"/"+id+"/associations/contacts/"+contact, spec), 201)
	if got := v4Types(t, s, typeID, id, "contacts")[contact]; fmt.Sprint(got) != fmt.Sprintf("[USER_DEFINED/%d/<nil> USER_DEFINED/%.0f/Driver]", toContact, driver) {
		t.Errorf("v4 types: %v", got)
	}
	if got := v4Types(t, s, "contacts", contact, "p_cars")[id]; fmt.Sprint(got) != fmt.Sprintf("[USER_DEFINED/%d/<nil> USER_DEFINED/%.0f/Drives]", toContact+1, driver+1) {
		t.Errorf("v4 types from the contact: %v", got)
	}
	batch := mustStatus(t, s.Do("POST", "/crm/v4/associations/"+typeID+"/contacts/batch/read", `{"inputs":[{"id":"`+id+`"}]}`), 200)
	if len(batch["results"].([]any)) != 1 {
		t.Errorf("v4 batch read: %v", batch)
	}
	// No pair with companies was declared.
	company := newCompany(t, s, "Acme")
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/"+typeID+"/"+id+"/associations/default/companies/"+company, nil), 400)

	// Recycle bin: archive, listed with archived=true, restored with its associations.
	mustStatus(t, s.Do("DELETE", base+"/"+id, nil), 204)
	if got := mustStatus(t, s.Do("GET", base+"?archived=true", nil), 200); len(got["results"].([]any)) != 1 {
		t.Errorf("recycle bin: %v", got)
	}
	mustStatus(t, s.Do("POST", "/_spoke/objects/"+typeID+"/"+id+"/restore", nil), 200)
	if got := v4Types(t, s, typeID, id, "contacts"); len(got[contact]) != 2 {
		t.Errorf("associations after restore: %v", got)
	}
	// Batch archive, and the batch restore of the recycle bin.
	spare := create(t, s, typeID, `{"properties":{"model":"Spare","vin":"SP1"}}`)["id"].(string)
	mustStatus(t, s.Do("POST", base+"/batch/archive", `{"inputs":[{"id":"`+spare+`"}]}`), 204)
	mustStatus(t, s.Do("GET", base+"/"+spare, nil), 404)
	mustStatus(t, s.Do("GET", base+"/"+spare+"?archived=true", nil), 200)
	mustStatus(t, s.Do("POST", "/_spoke/objects/"+typeID+"/batch/restore", `{"inputs":[{"id":"`+spare+`"}]}`), 200)
	mustStatus(t, s.Do("GET", base+"/"+spare, nil), 200)

	// Properties API of the type.
	mustStatus(t, s.Do("POST", "/crm/v3/properties/"+typeID, `{"name":"mileage","label":"Mileage","type":"number","fieldType":"number","groupName":"cars_information"}`), 201)
	mustStatus(t, s.Do("PATCH", base+"/"+id, `{"properties":{"mileage":"120000"}}`), 200)
	if got := mustStatus(t, s.Do("GET", "/crm/v3/properties/p_cars/mileage", nil), 200); got["type"] != "number" {
		t.Errorf("property: %v", got)
	}
	if got := mustStatus(t, s.Do("GET", "/crm/v3/schemas/"+typeID, nil), 200); !strings.Contains(fmt.Sprint(got["properties"]), "mileage") {
		t.Error("the schema does not list a property made through the properties API")
	}
	mustStatus(t, s.Do("GET", "/crm/v3/properties/"+typeID+"/groups/cars_information", nil), 200)
	// Dated object paths.
	mustStatus(t, s.Do("GET", "/crm/objects/2026-03/"+typeID+"/"+id, nil), 200)
}

// A schema made on one node is usable on the other at once.
func TestCustomObjectTwoNodes(t *testing.T) {
	t.Parallel()
	nodes := sharedNodes(t)
	a, b := nodes[0], nodes[1]
	schema := newCarSchema(t, a)
	typeID := schema["objectTypeId"].(string)
	car := create(t, b, typeID, `{"properties":{"model":"Golf"}}`)["id"].(string)
	mustStatus(t, b.Do("GET", "/crm-object-schemas/v3/schemas/p_cars", nil), 200)
	mustStatus(t, b.Do("GET", "/crm/v3/objects/p_cars/"+car, nil), 200)
	msg := whatsApp("ready")
	msg["associations"] = []any{map[string]any{"to": map[string]any{"id": car},
		"types": []any{map[string]any{"associationCategory": "USER_DEFINED", "associationTypeId": assocID(t, schema, "0-18") + 1}}}}
	create(t, b, "communications", msg)
	// A property and an association definition made on one node.
	mustStatus(t, a.Do("POST", "/crm/v3/properties/"+typeID, `{"name":"trim","label":"Trim","type":"string","fieldType":"text","groupName":"cars_information"}`), 201)
	mustStatus(t, b.Do("PATCH", "/crm/v3/objects/"+typeID+"/"+car, `{"properties":{"trim":"GTI"}}`), 200)
	def := mustStatus(t, a.Do("POST", "/crm-object-schemas/v3/schemas/"+typeID+"/associations", `{"fromObjectTypeId":"`+typeID+`","toObjectTypeId":"0-2"}`), 201)
	company := newCompany(t, b, "Acme")
	mustStatus(t, b.Do("PUT", "/crm/v4/objects/"+typeID+"/"+car+"/associations/companies/"+company,
		`[{"associationCategory":"USER_DEFINED","associationTypeId":`+def["id"].(string)+`}]`), 201)
}

// Schemas, their properties and records survive a restart.
func TestCustomObjectsSurviveRestart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "spoke.db")
	first := spoketest.OpenPath(t, path)
	typeID := newCarSchema(t, first)["objectTypeId"].(string)
	car := create(t, first, typeID, `{"properties":{"model":"Golf","vin":"W9"}}`)["id"].(string)
	second := spoketest.OpenPath(t, path)
	if p := props(mustStatus(t, second.Do("GET", "/crm/v3/objects/p_cars/W9?idProperty=vin&properties=model", nil), 200)); p["model"] != "Golf" {
		t.Errorf("after restart: %v", p)
	}
	mustStatus(t, second.Do("POST", "/crm/v3/objects/"+typeID, `{"properties":{"model":"Polo","vin":"W9"}}`), 409)
	if got := mustStatus(t, second.Do("POST", "/crm/v3/objects/"+typeID+"/search", `{"query":"golf"}`), 200); got["total"] != float64(1) {
		t.Errorf("search after restart: %v", got)
	}
	_ = car
}

// Export carries schemas and records; reset empties them with the schema;
// seeding the export back gives the same data.
func TestCustomObjectsResetSeedExport(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	s.Clock.Set(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	schema := newCarSchema(t, s)
	typeID := schema["objectTypeId"].(string)
	car := create(t, s, typeID, `{"properties":{"model":"Golf","vin":"W1"}}`)["id"].(string)
	msg := whatsApp("ready")
	msg["associations"] = []any{map[string]any{"to": map[string]any{"id": car},
		"types": []any{map[string]any{"associationCategory": "USER_DEFINED", "associationTypeId": assocID(t, schema, "0-18") + 1}}}}
	msgID := create(t, s, "communications", msg)["id"].(string)
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/"+typeID+"/"+car, `{"properties":{"hs_pinned_engagement_id":"`+msgID+`"}}`), 200)
	// An archived schema goes into the export too: seeded back, its name
	// and type id stay taken until it is deleted for good.
	planes := mustStatus(t, s.Do("POST", "/crm/v3/schemas", `{"name":"planes","labels":{"singular":"Plane","plural":"Planes"},`+
		`"primaryDisplayProperty":"tail","properties":[{"name":"tail","label":"Tail","type":"string","fieldType":"text"}]}`), 201)
	mustStatus(t, s.Do("DELETE", "/crm/v3/schemas/"+planes["objectTypeId"].(string), nil), 204)
	once := exported(t, s)
	if !strings.Contains(fmt.Sprint(once["schemas"]), "cars") {
		t.Fatalf("export lacks the schema: %v", once["schemas"])
	}
	export := string(s.Do("GET", "/_spoke/export", nil).Body)

	// Reset keeping the schema keeps the type; records go.
	mustStatus(t, s.Do("POST", "/_spoke/reset", `{"schema":false}`), 204)
	mustStatus(t, s.Do("GET", "/crm-object-schemas/v3/schemas/"+typeID, nil), 200)
	mustStatus(t, s.Do("GET", "/crm/v3/objects/"+typeID+"/"+car, nil), 404)
	// A full reset removes the type.
	mustStatus(t, s.Do("POST", "/_spoke/reset", `{}`), 204)
	mustStatus(t, s.Do("GET", "/crm-object-schemas/v3/schemas/"+typeID, nil), 404)
	mustStatus(t, s.Do("GET", "/crm/v3/objects/"+typeID+"/"+car, nil), 400)

	mustStatus(t, s.Do("POST", "/_spoke/seed", export), 200)
	if again := exported(t, s); !reflect.DeepEqual(once, again) {
		t.Errorf("seeding the export back differs:\n%v\n%v", once, again)
	}
	archived := mustStatus(t, s.Do("GET", "/crm-object-schemas/v3/schemas?archived=true", nil), 200)
	if list := archived["results"].([]any); len(list) != 1 || list[0].(map[string]any)["objectTypeId"] != planes["objectTypeId"] || list[0].(map[string]any)["archived"] != true {
		t.Errorf("archived schemas after the seed: %v", archived)
	}
	mustFail(t, s.Do("POST", "/crm/v3/schemas", `{"name":"planes","labels":{"singular":"Plane","plural":"Planes"}}`), 409, "planes")
	mustStatus(t, s.Do("GET", "/crm/v3/objects/"+planes["objectTypeId"].(string), nil), 400)
	got := mustStatus(t, s.Do("GET", "/crm/v3/objects/"+typeID+"/"+car+"?properties=model,hs_pinned_engagement_id&associations=communications", nil), 200)
	if props(got)["hs_pinned_engagement_id"] != msgID || got["associations"] == nil {
		t.Errorf("seeded car: %v", got)
	}
	// Seeding twice replaces in place; a new schema gets a type id after the seeded one.
	mustStatus(t, s.Do("POST", "/_spoke/seed", export), 200)
	boats := mustStatus(t, s.Do("POST", "/crm/v3/schemas", `{"name":"boats","labels":{"singular":"Boat","plural":"Boats"}}`), 201)
	if boats["objectTypeId"] == typeID {
		t.Errorf("type id given twice")
	}
	// Clashes are 409s naming the place.
	mustFail(t, s.Do("POST", "/_spoke/seed", `{"schemas":[{"objectTypeId":"`+typeID+`","name":"trucks","labels":{"singular":"T","plural":"Ts"}}]}`), 409, "schemas[0]")
	mustFail(t, s.Do("POST", "/_spoke/seed", `{"schemas":[{"objectTypeId":"2-77","name":"boats","labels":{"singular":"T","plural":"Ts"}}]}`), 409, "schemas[0]")
	mustFail(t, s.Do("POST", "/_spoke/seed", `{"schemas":[{"objectTypeId":"0-77","name":"vans","labels":{"singular":"T","plural":"Ts"}}]}`), 400, "schemas[0]")
	mustFail(t, s.Do("POST", "/_spoke/seed", `{"schemas":[{"objectTypeId":"2-77","name":"deals","labels":{"singular":"T","plural":"Ts"}}]}`), 400, "schemas[0]")
	mustFail(t, s.Do("POST", "/_spoke/seed", `{"schemas":[{"objectTypeId":"2-77","name":"vans","labels":{"singular":"T","plural":"Ts"},"requiredProperties":["x"]}]}`), 400, "schemas[0]")
}

// Schemas created at once on two nodes get distinct type ids; of two
// creates of one name, one succeeds and the other is a 409.
func TestCustomObjectConcurrentCreates(t *testing.T) {
	t.Parallel()
	nodes := sharedNodes(t)
	const calls = 8
	var (
		mu  sync.Mutex
		ids = map[string]bool{}
	)
	failed := together(calls, func(i int) (int, string, error) {
		body := fmt.Sprintf(`{"name":"kind%d","labels":{"singular":"K","plural":"Ks"},"associatedObjects":["CONTACT"]}`, i)
		status, out, err := send(nodes[i%2], "POST", "/crm-object-schemas/v3/schemas", body)
		if status == 201 {
			var got struct {
				ObjectTypeID string `json:"objectTypeId"`
			}
			if jerr := json.Unmarshal([]byte(out), &got); jerr != nil {
				return status, out, jerr
			}
			mu.Lock()
			ids[got.ObjectTypeID] = true
			mu.Unlock()
		}
		return status, out, err
	}, func(status int) bool { return status == 201 })
	if len(failed) > 0 || len(ids) != calls {
		t.Fatalf("%d distinct type ids of %d creates; failed: %v", len(ids), calls, failed)
	}
	var created, conflicts int
	failed = together(2, func(i int) (int, string, error) {
		status, out, err := send(nodes[i], "POST", "/crm-object-schemas/v3/schemas", `{"name":"twice","labels":{"singular":"T","plural":"Ts"}}`)
		mu.Lock()
		if status == 201 {
			created++
		} else if status == 409 {
			conflicts++
		}
		mu.Unlock()
		return status, out, err
	}, func(status int) bool { return status == 201 || status == 409 })
	if len(failed) > 0 || created != 1 || conflicts != 1 {
		t.Errorf("one name twice: %d created, %d conflicts, failed %v", created, conflicts, failed)
	}
	// Every node serves every type at once.
	for id := range ids {
		mustStatus(t, nodes[0].Do("POST", "/crm/v3/objects/"+id, `{"properties":{}}`), 201)
		mustStatus(t, nodes[1].Do("GET", "/crm/v3/objects/"+id, nil), 200)
	}
}

// A property whose value Spoke computes cannot be required: no record of
// the type could then be created.
func TestCustomObjectRequiresNoReadOnlyProperty(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	typeID := newCarSchema(t, s)["objectTypeId"].(string)
	for _, name := range []string{"hs_object_id", "hs_createdate", "hs_lastmodifieddate"} {
		mustFail(t, s.Do("PATCH", "/crm-object-schemas/v3/schemas/"+typeID, `{"requiredProperties":["`+name+`"]}`), 400, "read-only")
	}
	mustFail(t, s.Do("POST", "/crm-object-schemas/v3/schemas", `{"name":"boats","labels":{"singular":"Boat","plural":"Boats"},`+
		`"requiredProperties":["hs_object_id"]}`), 400, "read-only")
	create(t, s, typeID, `{"properties":{"model":"Golf","vin":"W9"}}`)
	mustStatus(t, s.Do("GET", fmt.Sprintf("/crm-object-schemas/v3/schemas/p%d_boats", spoketest.PortalID), nil), 404)
}
