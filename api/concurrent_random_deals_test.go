package api_test

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"slices"
	"strings"
)

// The random clients' deals: a pipeline of their own besides the default
// one, deals created in, moved between, archived from and restored to its
// stages while other clients add, archive, restore and replace stages.

var defaultDealStages = []string{"appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin", "contractsent", "closedwon", "closedlost"}

// setUpDeals makes the clients' pipeline and a few deals in it.
func (w *randomWorld) setUpDeals() {
	post := func(path, body string) map[string]any {
		status, out, err := send(w.nodes[0], "POST", path, body)
		var m map[string]any
		if json.Unmarshal([]byte(out), &m); err != nil || status != 201 {
			w.t.Fatalf("POST %s: %d %s %v", path, status, out, err)
		}
		return m
	}
	p := post("/crm/v3/pipelines/deals", `{"label":"Random","displayOrder":5,"stages":`+dealStages+`}`)
	w.pipeline = p["id"].(string)
	w.stages = map[string][]string{"default": slices.Clone(defaultDealStages)}
	for _, x := range p["stages"].([]any) {
		w.stages[w.pipeline] = append(w.stages[w.pipeline], x.(map[string]any)["id"].(string))
	}
	w.restoredDeals = map[string]bool{}
	for i := range 4 {
		st := w.stages[w.pipeline][i%3]
		m := post("/crm/v3/objects/deals", fmt.Sprintf(`{"properties":{"dealname":"Pool %d","pipeline":%q,"dealstage":%q}}`, i, w.pipeline, st))
		w.add("deals", m["id"].(string))
	}
}

// dealPlace draws a pipeline and one of the stages ever made in it (now and
// then one of the other pipeline's).
func (w *randomWorld) dealPlace(rnd *rand.Rand) (string, string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	p, other := w.pipeline, "default"
	if rnd.Intn(4) == 0 {
		p, other = other, p
	}
	from := p
	if rnd.Intn(15) == 0 {
		from = other
	}
	ss := w.stages[from]
	st := ss[rnd.Intn(len(ss))]
	w.mu.Unlock()
	defer w.mu.Lock()
	// Mostly a stage live as read now.
	if rnd.Intn(4) > 0 {
		if status, out, _ := send(w.nodes[rnd.Intn(len(w.nodes))], "GET", "/crm/v3/pipelines/deals/"+from+"/stages", ""); status == 200 {
			var m struct{ Results []struct{ ID string } }
			if json.Unmarshal([]byte(out), &m) == nil && len(m.Results) > 0 {
				st = m.Results[rnd.Intn(len(m.Results))].ID
			}
		}
	}
	return p, st
}

func (w *randomWorld) addStage(p, id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !slices.Contains(w.stages[p], id) {
		w.stages[p] = append(w.stages[p], id)
	}
}

// stepDeals does one random operation on deals or their pipeline.
func (w *randomWorld) stepDeals(g int, name string, rnd *rand.Rand) {
	stagePath := func() (string, string) {
		w.mu.Lock()
		defer w.mu.Unlock()
		ss := w.stages[w.pipeline]
		st := ss[rnd.Intn(len(ss))]
		return "/crm/v3/pipelines/deals/" + w.pipeline + "/stages/" + st, st
	}
	switch rnd.Intn(9) {
	case 0: // create a deal, with a contact
		p, st := w.dealPlace(rnd)
		c := w.pick(rnd, "contacts")
		body := fmt.Sprintf(`{"properties":{"dealname":%q,"pipeline":%q,"dealstage":%q},"associations":[%s]}`, name, p, st, to(c, "HUBSPOT_DEFINED", 3))
		status, m := w.call(g, rnd, "create deal", "POST", "/crm/v3/objects/deals", body, createOK, c, "stage "+st)
		w.logCreated("deals", m, "create deal")
		w.madeBy(status, m)
	case 1: // move a deal
		d := w.pick(rnd, "deals")
		p, st := w.dealPlace(rnd)
		props := fmt.Sprintf(`"dealstage":%q`, st)
		if rnd.Intn(2) == 0 {
			props += fmt.Sprintf(`,"pipeline":%q`, p)
		}
		w.call(g, rnd, "move deal", "PATCH", "/crm/v3/objects/deals/"+d, `{"properties":{`+props+`}}`, updateOK, d, "stage "+st)
	case 2: // batch move deals
		a, b := w.pick(rnd, "deals"), w.pick(rnd, "deals")
		_, s1 := w.dealPlace(rnd)
		_, s2 := w.dealPlace(rnd)
		body := fmt.Sprintf(`{"inputs":[{"id":%q,"properties":{"dealstage":%q}},{"id":%q,"properties":{"dealstage":%q}}]}`, a, s1, b, s2)
		allowed := batchOK
		if a == b {
			allowed = []int{400}
		}
		w.call(g, rnd, "batch move deals", "POST", "/crm/v3/objects/deals/batch/update", body, allowed, a, b, "stage "+s1, "stage "+s2)
	case 3: // archive a stage
		path, st := stagePath()
		w.call(g, rnd, "archive stage", "DELETE", path, "", []int{204, 400, 404}, "stage "+st)
	case 4: // restore a stage, or add one
		if rnd.Intn(2) == 0 {
			path, st := stagePath()
			w.call(g, rnd, "restore stage", "PATCH", path, `{"archived":false}`, []int{200, 400, 404}, "stage "+st)
			break
		}
		status, m := w.call(g, rnd, "create stage", "POST", "/crm/v3/pipelines/deals/"+w.pipeline+"/stages", fmt.Sprintf(`{"label":%q,"displayOrder":%d,"metadata":{"probability":"0.5"}}`, name, rnd.Intn(9)), []int{201, 400, 404})
		if status == 201 {
			w.addStage(w.pipeline, m["id"].(string))
			w.mu.Lock()
			w.logs["stage "+m["id"].(string)] = append(w.logs["stage "+m["id"].(string)], "made by create stage")
			w.mu.Unlock()
		}
	case 5: // replace the pipeline: some of its live stages and a new one
		_, m := w.get("GET", "/crm/v3/pipelines/deals/"+w.pipeline, "")
		var keep []string
		ids := []string{}
		stages, _ := m["stages"].([]any)
		for _, x := range stages {
			st := x.(map[string]any)
			if rnd.Intn(4) > 0 {
				meta, _ := json.Marshal(st["metadata"])
				keep = append(keep, fmt.Sprintf(`{"stageId":%q,"label":%q,"displayOrder":%v,"metadata":%s}`, st["id"], st["label"], st["displayOrder"], meta))
				ids = append(ids, "stage "+st["id"].(string))
			}
		}
		keep = append(keep, fmt.Sprintf(`{"label":%q,"displayOrder":9,"metadata":{"probability":"0.5"}}`, name))
		body := fmt.Sprintf(`{"label":"Random","displayOrder":5,"stages":[%s]}`, strings.Join(keep, ","))
		status, out := w.call(g, rnd, "replace pipeline", "PUT", "/crm/v3/pipelines/deals/"+w.pipeline, body, []int{200, 400, 404}, ids...)
		if status == 200 {
			for _, x := range out["stages"].([]any) {
				w.addStage(w.pipeline, x.(map[string]any)["id"].(string))
			}
		}
	case 6: // archive a deal
		d := w.pick(rnd, "deals")
		w.call(g, rnd, "archive deal", "DELETE", "/crm/v3/objects/deals/"+d, "", archiveOK, d)
	case 8: // archive the pipeline, or restore it
		if rnd.Intn(2) == 0 {
			w.call(g, rnd, "archive pipeline", "DELETE", "/crm/v3/pipelines/deals/"+w.pipeline, "", []int{204, 400, 404}, "pipeline")
		} else {
			w.call(g, rnd, "restore pipeline", "PATCH", "/crm/v3/pipelines/deals/"+w.pipeline, `{"archived":false}`, []int{200, 400}, "pipeline")
		}
	case 7: // restore a deal
		d := w.pick(rnd, "deals")
		if status, _ := w.call(g, rnd, "restore deal", "POST", "/_spoke/objects/deals/"+d+"/restore", "", []int{200, 404, 409}, d); status == 200 {
			w.mu.Lock()
			w.restoredDeals[d] = true
			w.mu.Unlock()
		}
	}
}

// checkDeals: every live deal is in its pipeline and in a live stage of
// it, unless it was restored (a deal in the recycle bin keeps its stage);
// searching by stage finds the deals read in it; no live deal is associated
// with a contact that is not live.
func (w *randomWorld) checkDeals(liveContacts map[string]bool) (live, archived map[string]bool) {
	live, archived = map[string]bool{}, map[string]bool{}
	liveStages := map[string][]string{}
	for _, p := range []string{"default", w.pipeline} {
		status, m := w.get("GET", "/crm/v3/pipelines/deals/"+p+"/stages", "")
		if status == 404 && p == w.pipeline {
			continue // archived
		}
		if status != 200 {
			w.fail(fmt.Sprintf("stages of %s: %d %v", p, status, m))
			continue
		}
		for _, x := range m["results"].([]any) {
			liveStages[p] = append(liveStages[p], x.(map[string]any)["id"].(string))
		}
	}
	inStage := map[string]map[string]bool{}
	w.mu.Lock()
	ids := slices.Clone(w.pool["deals"])
	w.mu.Unlock()
	for _, id := range ids {
		status, m := w.get("GET", "/crm/v3/objects/deals/"+id+"?properties=pipeline,dealstage", "")
		if status == 404 {
			if status, m := w.get("GET", "/crm/v3/objects/deals/"+id+"?archived=true", ""); status == 200 && m["id"] == id {
				archived[id] = true
			}
			continue
		}
		if status != 200 || m["id"] != id {
			w.fail(fmt.Sprintf("read of deal %s: %d %v", id, status, m), id)
			continue
		}
		live[id] = true
		props := m["properties"].(map[string]any)
		p, _ := props["pipeline"].(string)
		st, _ := props["dealstage"].(string)
		if inStage[st] == nil {
			inStage[st] = map[string]bool{}
		}
		inStage[st][id] = true
		w.mu.Lock()
		ever, restored := slices.Contains(w.stages[p], st), w.restoredDeals[id]
		w.mu.Unlock()
		switch {
		case liveStages[p] == nil:
			if !restored {
				w.fail(fmt.Sprintf("deal %s is in pipeline %q, which is not live", id, p), id, "stage "+st, "pipeline")
			}
		case !ever:
			w.fail(fmt.Sprintf("deal %s is in stage %q, not a stage of its pipeline %q", id, st, p), id, "stage "+st)
		case !slices.Contains(liveStages[p], st) && !restored:
			w.fail(fmt.Sprintf("deal %s is in stage %q of %q, which is archived (live: %v)", id, st, p, liveStages[p]), id, "stage "+st)
		}
	}
	if got := w.listIDs("deals", false); !sameIDs(got, live) {
		w.fail(fmt.Sprintf("live deals listed %v, read %v", setKeys(got), setKeys(live)), setDiff(got, live)...)
	}
	for _, p := range []string{"default", w.pipeline} {
		for _, st := range liveStages[p] {
			want := inStage[st]
			if want == nil {
				want = map[string]bool{}
			}
			found := w.search("deals", fmt.Sprintf(`{"limit":100,"filterGroups":[{"filters":[%s]}]}`, filter("dealstage", "EQ", st)))
			if !sameIDs(found, want) {
				w.fail(fmt.Sprintf("search of deals in stage %s found %v, reads %v", st, setKeys(found), setKeys(want)), append([]string{"stage " + st}, setDiff(found, want)...)...)
			}
		}
	}
	for id := range live {
		for c, types := range w.v4("deals", id, "contacts") {
			if !liveContacts[c] {
				w.fail(fmt.Sprintf("deal %s lists contact %s (%v), which is not live", id, c, types), id, c)
			}
		}
	}
	return live, archived
}
