package api_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// Filters and sorts on hs_object_id, whose value is the record's id, with
// every operator, alone, with another filter and in several groups, on a
// built-in and a custom object type; archived records are never found.
// Values that are not whole numbers compare as numbers do.
func TestSearchByObjectID(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	cars := newCarSchema(t, s)["objectTypeId"].(string)
	for _, tc := range []struct {
		typ, stage, won, name string
		props                 func(i int) string
	}{
		{"deals", "dealstage", "closedwon", "D", func(i int) string {
			return fmt.Sprintf(`"dealname":"D%d","pipeline":"default","dealstage":%q`, i, []string{"closedwon", "closedlost"}[i%3%2])
		}},
		{cars, "color", "red", "M", func(i int) string {
			return fmt.Sprintf(`"model":"M%d","color":%q`, i, []string{"red", "blue"}[i%3%2])
		}},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			t.Parallel()
			// r0..r5, created in id order; r2 and r5 archived. The stage
			// (closedwon/red) is "won" for r0 and r3, the others "lost".
			var ids []string
			var nums []int64
			for i := range 6 {
				id := create(t, s, tc.typ, `{"properties":{`+tc.props(i)+`}}`)["id"].(string)
				n, err := strconv.ParseInt(id, 10, 64)
				if err != nil || len(nums) > 0 && n <= nums[len(nums)-1] {
					t.Fatalf("record id %q after %v", id, nums)
				}
				ids, nums = append(ids, id), append(nums, n)
			}
			for _, i := range []int{2, 5} {
				mustStatus(t, s.Do("DELETE", "/crm/v3/objects/"+tc.typ+"/"+ids[i], nil), 204)
			}
			won := filter(tc.stage, "EQ", tc.won)
			label := map[string]string{}
			for i, id := range ids {
				label[id] = fmt.Sprintf("r%d", i)
			}
			id := func(i int) string { return ids[i] }
			half := func(i int, d float64) string {
				return strconv.FormatFloat(float64(nums[i])+d, 'f', -1, 64)
			}
			oid := func(op, value string) string { return filter("hs_object_id", op, value) }
			in := func(op string, values ...string) string {
				return fmt.Sprintf(`{"propertyName":"hs_object_id","operator":%q,"values":["%s"]}`, op, strings.Join(values, `","`))
			}
			between := func(low, high string) string {
				return fmt.Sprintf(`{"propertyName":"hs_object_id","operator":"BETWEEN","value":%q,"highValue":%q}`, low, high)
			}
			has := func(op string) string { return fmt.Sprintf(`{"propertyName":"hs_object_id","operator":%q}`, op) }
			for _, c := range []struct {
				name, body, want string
			}{
				{"EQ", groups([]string{oid("EQ", id(3))}), "r3"},
				{"EQ archived", groups([]string{oid("EQ", id(2))}), ""},
				{"EQ not whole", groups([]string{oid("EQ", half(3, 0.5))}), ""},
				{"EQ in exponent form", groups([]string{oid("EQ", strconv.FormatFloat(float64(nums[4]), 'e', -1, 64))}), "r4"},
				{"NEQ", groups([]string{oid("NEQ", id(3))}), "r0,r1,r4"},
				{"NEQ not whole", groups([]string{oid("NEQ", half(3, 0.5))}), "r0,r1,r3,r4"},
				{"IN", groups([]string{in("IN", id(0), id(3), id(2), half(4, 0.5))}), "r0,r3"},
				{"IN none live", groups([]string{in("IN", id(2), half(1, -0.5))}), ""},
				{"NOT_IN", groups([]string{in("NOT_IN", id(0), id(3), half(4, 0.5))}), "r1,r4"},
				{"GT", groups([]string{oid("GT", id(3))}), "r4"},
				{"GT below", groups([]string{oid("GT", half(3, -0.5))}), "r3,r4"},
				{"GT above", groups([]string{oid("GT", half(3, 0.5))}), "r4"},
				{"GTE", groups([]string{oid("GTE", id(3))}), "r3,r4"},
				{"GTE below", groups([]string{oid("GTE", half(3, -0.5))}), "r3,r4"},
				{"GTE above", groups([]string{oid("GTE", half(3, 0.5))}), "r4"},
				{"LT", groups([]string{oid("LT", id(3))}), "r0,r1"},
				{"LT below", groups([]string{oid("LT", half(3, -0.5))}), "r0,r1"},
				{"LT above", groups([]string{oid("LT", half(3, 0.5))}), "r0,r1,r3"},
				{"LTE", groups([]string{oid("LTE", id(3))}), "r0,r1,r3"},
				{"LTE below", groups([]string{oid("LTE", half(3, -0.5))}), "r0,r1"},
				{"LTE above", groups([]string{oid("LTE", half(3, 0.5))}), "r0,r1,r3"},
				{"GT huge", groups([]string{oid("GT", "1e300")}), ""},
				{"LT huge", groups([]string{oid("LT", "1e300")}), "r0,r1,r3,r4"},
				{"GTE negative huge", groups([]string{oid("GTE", "-1e300")}), "r0,r1,r3,r4"},
				{"LTE negative", groups([]string{oid("LTE", "-1")}), ""},
				{"BETWEEN", groups([]string{between(id(1), id(3))}), "r1,r3"},
				{"BETWEEN not whole", groups([]string{between(half(1, 0.5), half(3, 0.5))}), "r3"},
				{"BETWEEN one", groups([]string{between(half(0, -0.5), half(0, 0.5))}), "r0"},
				{"BETWEEN reversed", groups([]string{between(id(3), id(1))}), ""},
				{"HAS_PROPERTY", groups([]string{has("HAS_PROPERTY")}), "r0,r1,r3,r4"},
				{"NOT_HAS_PROPERTY", groups([]string{has("NOT_HAS_PROPERTY")}), ""},
				{"CONTAINS_TOKEN", groups([]string{oid("CONTAINS_TOKEN", id(3))}), ""},
				{"NOT_CONTAINS_TOKEN", groups([]string{oid("NOT_CONTAINS_TOKEN", id(3))}), "r0,r1,r3,r4"},
				{"with another: EQ", groups([]string{won, oid("EQ", id(3))}), "r3"},
				{"with another: EQ other stage", groups([]string{won, oid("EQ", id(1))}), ""},
				{"with another: NEQ", groups([]string{won, oid("NEQ", id(3))}), "r0"},
				{"with another: IN", groups([]string{won, in("IN", id(1), id(3))}), "r3"},
				{"with another: NOT_IN", groups([]string{won, in("NOT_IN", id(0), half(3, 0.5))}), "r3"},
				{"with another: GT", groups([]string{won, oid("GT", half(0, 0.5))}), "r3"},
				{"with another: GTE", groups([]string{won, oid("GTE", id(3))}), "r3"},
				{"with another: LT", groups([]string{won, oid("LT", id(3))}), "r0"},
				{"with another: LTE", groups([]string{won, oid("LTE", half(3, -0.5))}), "r0"},
				{"with another: BETWEEN", groups([]string{won, between(id(0), id(1))}), "r0"},
				{"with another: HAS_PROPERTY", groups([]string{won, has("HAS_PROPERTY")}), "r0,r3"},
				{"with another: NOT_HAS_PROPERTY", groups([]string{won, has("NOT_HAS_PROPERTY")}), ""},
				{"with another: CONTAINS_TOKEN", groups([]string{won, oid("CONTAINS_TOKEN", id(3))}), ""},
				{"with another: NOT_CONTAINS_TOKEN", groups([]string{won, oid("NOT_CONTAINS_TOKEN", id(3))}), "r0,r3"},
				{"two of them", groups([]string{oid("GT", id(0)), oid("LT", id(4))}), "r1,r3"},
				{"two of them, one negated", groups([]string{oid("GT", id(0)), oid("NEQ", id(3))}), "r1,r4"},
				{"groups", groups([]string{oid("EQ", id(0))}, []string{oid("EQ", id(4))}), "r0,r4"},
				{"groups with another", groups([]string{oid("GT", id(3))}, []string{won}), "r0,r3,r4"},
				{"groups, one never", groups([]string{has("NOT_HAS_PROPERTY")}, []string{oid("EQ", id(1))}), "r1"},
				{"groups overlapping", groups([]string{oid("LTE", id(1))}, []string{oid("GTE", id(1)), oid("NEQ", id(4))}), "r0,r1,r3"},
				{"query and filter", `{"query":"` + tc.name + `3","filterGroups":[{"filters":[` + has("HAS_PROPERTY") + `]}]}`, "r3"},
			} {
				got, total := searchIDs(t, s, tc.typ, c.body)
				var out []string
				for _, id := range got {
					out = append(out, label[id])
				}
				if strings.Join(out, ",") != c.want || total != len(got) {
					t.Errorf("%s: got %q (total %d), want %q", c.name, strings.Join(out, ","), total, c.want)
				}
			}

			// Sorted by hs_object_id, in pages.
			for _, c := range []struct {
				name, filters, dir string
				want               []string
			}{
				{"ascending", "", "ASCENDING", []string{"r0,r1", "r3,r4"}},
				{"descending", "", "DESCENDING", []string{"r4,r3", "r1,r0"}},
				{"descending, filtered", `"filterGroups":[{"filters":[` + oid("GT", id(0)) + `]}],`, "DESCENDING", []string{"r4,r3", "r1"}},
				{"ascending, another filter", `"filterGroups":[{"filters":[` + won + `]}],`, "ASCENDING", []string{"r0,r3"}},
				{"descending, groups", `"filterGroups":[{"filters":[` + won + `]},{"filters":[` + oid("EQ", id(4)) + `]}],`, "DESCENDING", []string{"r4,r3", "r0"}},
			} {
				after := ""
				var pages []string
				for range 4 {
					body := `{` + c.filters + `"limit":2,"sorts":[{"propertyName":"hs_object_id","direction":"` + c.dir + `"}]` + after + `}`
					got := mustStatus(t, s.Do("POST", "/crm/v3/objects/"+tc.typ+"/search", body), 200)
					var out []string
					for _, r := range got["results"].([]any) {
						out = append(out, label[r.(map[string]any)["id"].(string)])
					}
					pages = append(pages, strings.Join(out, ","))
					p, ok := got["paging"]
					if !ok {
						break
					}
					after = `,"after":"` + p.(map[string]any)["next"].(map[string]any)["after"].(string) + `"`
				}
				if fmt.Sprint(pages) != fmt.Sprint(c.want) {
					t.Errorf("sorted %s: pages %v, want %v", c.name, pages, c.want)
				}
			}
		})
	}
}

// A seeded record's hs_object_id is its id, whatever the fixture says: the
// id is what search compares, and what HubSpot's property always holds.
func TestSeededObjectIDIsTheRecordID(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	mustStatus(t, s.Do("POST", "/_spoke/seed", `{"objects":{"contacts":[
		{"id":"77","properties":{"email":"given@example.com","hs_object_id":"5"}},
		{"properties":{"email":"drawn@example.com","hs_object_id":"6"}}]}}`), 200)
	drawn, _ := searchIDs(t, s, "contacts", groups([]string{filter("email", "EQ", "drawn@example.com")}))
	if len(drawn) != 1 {
		t.Fatalf("seeded contact without id: %v", drawn)
	}
	for _, id := range []string{"77", drawn[0]} {
		if p := props(mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/"+id, nil), 200)); p["hs_object_id"] != id {
			t.Errorf("contact %s: hs_object_id %v", id, p["hs_object_id"])
		}
	}
	for value, want := range map[string]string{"77": "[77]", drawn[0]: "[" + drawn[0] + "]", "5": "[]", "6": "[]"} {
		if got, _ := searchIDs(t, s, "contacts", groups([]string{filter("hs_object_id", "EQ", value)})); fmt.Sprint(got) != want {
			t.Errorf("hs_object_id EQ %s: %v, want %s", value, got, want)
		}
	}
}
