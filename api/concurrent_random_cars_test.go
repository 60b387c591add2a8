package api_test

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"slices"
	"strings"
)

// The random clients' custom objects: cars (a schema made up front, with a
// unique VIN, associated with contacts), created, updated, upserted by VIN,
// archived, restored and associated with contacts, while custom properties
// of cars are made, written and archived.

var carVINs = []string{"V0", "V1", "V2", "V3", "V4", "V5", "V6", "V7", "V8", "V9", "V10", "V11"}

// setUpCars makes the cars schema, a few cars and the first custom property.
func (w *randomWorld) setUpCars() {
	do := func(method, path, body string, want int) map[string]any {
		status, out, err := send(w.nodes[0], method, path, body)
		var m map[string]any
		if json.Unmarshal([]byte(out), &m); err != nil || status != want {
			w.t.Fatalf("%s %s: %d %s %v", method, path, status, out, err)
		}
		return m
	}
	schema := do("POST", "/crm-object-schemas/v3/schemas", carSchema, 201)
	w.cars = schema["objectTypeId"].(string)
	for _, a := range schema["associations"].([]any) {
		if a := a.(map[string]any); a["toObjectTypeId"] == "0-1" {
			fmt.Sscan(a["id"].(string), &w.carToContact)
		}
	}
	groups := do("GET", "/crm/v3/properties/"+w.cars+"/groups", "", 200)
	w.carGroup = groups["results"].([]any)[0].(map[string]any)["name"].(string)
	do("POST", "/crm/v3/properties/"+w.cars, w.carPropBody("rating"), 201)
	w.carProps = []string{"rating"}
	w.carPropGone = map[string]int64{}
	for i := range 3 {
		m := do("POST", "/crm/v3/objects/"+w.cars, fmt.Sprintf(`{"properties":{"model":"Pool %d","vin":%q}}`, i, carVINs[i]), 201)
		w.add("cars", m["id"].(string))
	}
}

func (w *randomWorld) carPropBody(name string) string {
	return fmt.Sprintf(`{"name":%q,"label":%q,"type":"string","fieldType":"text","groupName":%q}`, name, "Rating "+name, w.carGroup)
}

// stepCars does one random operation on cars or their properties.
func (w *randomWorld) stepCars(g int, name string, rnd *rand.Rand) {
	base := "/crm/v3/objects/" + w.cars
	vin := carVINs[rnd.Intn(len(carVINs))]
	w.mu.Lock()
	props := w.carProps
	prop := props[rnd.Intn(len(props))]
	if rnd.Intn(3) > 0 {
		prop = props[len(props)-1] // mostly the newest property made
	}
	w.mu.Unlock()
	// A write naming a property archived before it was sent is refused by
	// the node that archived it. Another node may take it until it reloads
	// the properties (within a second): the value is kept but never read.
	wrote := func(op string, start int64, status int, id string) {
		if len(w.nodes) > 1 {
			return
		}
		w.mu.Lock()
		at, gone := w.carPropGone[prop]
		w.mu.Unlock()
		if gone && at < start && (status == 200 || status == 201) {
			w.fail(fmt.Sprintf("%s wrote %s, archived before it was sent", op, prop), id, "property "+prop)
		}
	}
	switch rnd.Intn(11) {
	case 0, 1: // create a car, with a contact and a rating
		c := w.pick(rnd, "contacts")
		assoc := ""
		if rnd.Intn(2) == 0 {
			assoc = to(c, "USER_DEFINED", w.carToContact)
		}
		body := fmt.Sprintf(`{"properties":{"model":%q,"vin":%q,%q:%q},"associations":[%s]}`, name, vin, prop, name, assoc)
		start := w.seq.Load()
		status, m := w.call(g, rnd, "create car", "POST", base, body, createOK, c, "vin "+vin, "property "+prop)
		w.logCreated("cars", m, "create car")
		id, _ := m["id"].(string)
		wrote("create car", start, status, id)
	case 2: // update a car's rating, or its VIN
		id := w.pick(rnd, "cars")
		props := fmt.Sprintf(`%q:%q`, prop, name)
		if rnd.Intn(3) == 0 {
			props = fmt.Sprintf(`"vin":%q`, vin)
		}
		start := w.seq.Load()
		status, _ := w.call(g, rnd, "update car", "PATCH", base+"/"+id, `{"properties":{`+props+`}}`, updateOK, id, "vin "+vin, "property "+prop)
		if strings.Contains(props, prop) {
			wrote("update car", start, status, id)
		}
	case 3: // upsert by VIN
		body := fmt.Sprintf(`{"inputs":[{"id":%q,"idProperty":"vin","properties":{"model":%q,%q:%q}}]}`, vin, name, prop, name)
		start := w.seq.Load()
		status, m := w.call(g, rnd, "upsert car", "POST", base+"/batch/upsert", body, []int{200, 207, 400, 409}, "vin "+vin, "property "+prop)
		w.logCreated("cars", m, "upsert car")
		wrote("upsert car", start, status, "vin "+vin)
	case 4: // archive a car
		id := w.pick(rnd, "cars")
		w.call(g, rnd, "archive car", "DELETE", base+"/"+id, "", archiveOK, id)
	case 5: // restore a car
		id := w.pick(rnd, "cars")
		w.call(g, rnd, "restore car", "POST", "/_spoke/objects/"+w.cars+"/"+id+"/restore", "", []int{200, 404, 409}, id)
	case 6: // associate a car with a contact, or not
		id, c := w.pick(rnd, "cars"), w.pick(rnd, "contacts")
		if rnd.Intn(3) > 0 {
			w.call(g, rnd, "associate car", "PUT", "/crm/v4/objects/"+w.cars+"/"+id+"/associations/default/contacts/"+c, "", []int{200, 400, 404}, id, c)
		} else {
			w.call(g, rnd, "unassociate car", "DELETE", "/crm/v4/objects/"+w.cars+"/"+id+"/associations/contacts/"+c, "", []int{204, 400, 404}, id, c)
		}
	case 7, 10: // make a property, or one of the same name again (it stays taken once archived)
		if rnd.Intn(3) > 0 {
			prop = strings.ReplaceAll("r_"+name, ".", "_")
		}
		if status, _ := w.call(g, rnd, "create car property", "POST", "/crm/v3/properties/"+w.cars, w.carPropBody(prop), []int{201, 409}, "property "+prop); status == 201 {
			w.mu.Lock()
			w.carProps = append(w.carProps, prop)
			w.mu.Unlock()
		}
	case 8: // archive a property
		if rnd.Intn(3) == 0 {
			if status, _ := w.call(g, rnd, "archive car property", "DELETE", "/crm/v3/properties/"+w.cars+"/"+prop, "", []int{204, 404}, "property "+prop); status == 204 {
				w.mu.Lock()
				w.carPropGone[prop] = w.seq.Load()
				w.mu.Unlock()
			}
		} else {
			w.call(g, rnd, "read car property", "GET", "/crm/v3/properties/"+w.cars+"/"+prop, "", []int{200, 404}, "property "+prop)
		}
	case 9: // search by VIN: one live car at most, at every moment
		body := fmt.Sprintf(`{"filterGroups":[{"filters":[%s]}],"properties":["vin"]}`, filter("vin", "EQ", vin))
		status, m := w.call(g, rnd, "search car", "POST", base+"/search", body, []int{200}, "vin "+vin)
		if status == 200 && m["total"].(float64) > 1 {
			w.fail(fmt.Sprintf("search by VIN %s found %v cars: %v", vin, m["total"], m["results"]), answerIDs(m)...)
		}
	}
}

// checkCars: cars listed are those read; a VIN is held by one live car at
// most, which search finds; a live car's contacts are live and list it
// back; a property archived returns no value, a live one the newest of
// its history.
func (w *randomWorld) checkCars(liveContacts map[string]bool) {
	base := "/crm/v3/objects/" + w.cars
	archivedProps := map[string]bool{}
	w.mu.Lock()
	carProps := slices.Clone(w.carProps)
	w.mu.Unlock()
	for _, p := range carProps {
		status, m := w.get("GET", "/crm/v3/properties/"+w.cars+"/"+p, "")
		switch status {
		case 200:
		case 404:
			if status, _ := w.get("GET", "/crm/v3/properties/"+w.cars+"/"+p+"?archived=true", ""); status == 200 {
				archivedProps[p] = true
			}
		default:
			w.fail(fmt.Sprintf("property %s of cars: %d %v", p, status, m), "property "+p)
		}
	}
	names := strings.Join(append([]string{"vin"}, carProps...), ",")
	live := map[string]bool{}
	vins := map[string][]string{}
	w.mu.Lock()
	ids := slices.Clone(w.pool["cars"])
	w.mu.Unlock()
	for _, id := range ids {
		status, m := w.get("GET", base+"/"+id+"?properties="+names+"&propertiesWithHistory="+names, "")
		if status == 404 {
			continue
		}
		if status != 200 || m["id"] != id {
			w.fail(fmt.Sprintf("read of car %s: %d %v", id, status, m), id)
			continue
		}
		live[id] = true
		props := m["properties"].(map[string]any)
		hist, _ := m["propertiesWithHistory"].(map[string]any)
		if v, _ := props["vin"].(string); v != "" {
			vins[v] = append(vins[v], id)
		}
		for _, p := range carProps {
			v, has := props[p]
			if archivedProps[p] {
				if has || hist[p] != nil {
					w.fail(fmt.Sprintf("car %s returns %s (%v, history %v), an archived property", id, p, v, hist[p]), id, "property "+p)
				}
				continue
			}
			hs, _ := hist[p].([]any)
			newest := ""
			if len(hs) > 0 {
				newest, _ = hs[0].(map[string]any)["value"].(string)
			}
			if cur, _ := v.(string); cur != newest {
				w.fail(fmt.Sprintf("car %s: %s is %q, its newest history %q", id, p, cur, newest), id, "property "+p)
			}
		}
	}
	if got := w.listIDs(w.cars, false); !sameIDs(got, live) {
		w.fail(fmt.Sprintf("live cars listed %v, read %v", setKeys(got), setKeys(live)), setDiff(got, live)...)
	}
	for _, v := range carVINs {
		want := map[string]bool{}
		for _, id := range vins[v] {
			want[id] = true
		}
		found := w.search(w.cars, fmt.Sprintf(`{"limit":100,"filterGroups":[{"filters":[%s]}]}`, filter("vin", "EQ", v)))
		if len(vins[v]) > 1 || !sameIDs(found, want) {
			w.fail(fmt.Sprintf("VIN %s: held by live cars %v, search finds %v", v, vins[v], setKeys(found)), append(vins[v], setKeys(found)...)...)
		}
	}
	for id := range live {
		for c, types := range w.v4(w.cars, id, "contacts") {
			if !liveContacts[c] {
				w.fail(fmt.Sprintf("car %s lists contact %s (%v), which is not live", id, c, types), id, c)
				continue
			}
			if _, ok := w.v4("contacts", c, w.cars)[id]; !ok {
				w.fail(fmt.Sprintf("car %s lists contact %s, which does not list it back", id, c), id, c)
			}
		}
	}
}
