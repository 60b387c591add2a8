package api_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// randomSeed fixes what the clients of TestRandomClientsKeepInvariants do;
// each client's source is seeded with it plus the client's index.
const randomSeed = 20261130

// Many clients at once, each a random mix of what HubSpot clients do, on a
// small shared pool of contacts, companies and messages, so that they
// collide: creations (single and batch, with inline associations), updates
// (single, batch, upsert by email), archives and restores, associations
// (v4 single and batch, labels), merges, pins and searches; deals moved
// between the stages of a pipeline whose stages are added, archived,
// restored and replaced (see stepDeals); custom objects written while
// their custom properties are made and archived (see stepCars); a webhook
// app receives the events of their writes (see checkHooks). On PostgreSQL
// the clients talk to two nodes on one database. Every answer is one the
// operation may give for the state it met, never a server error; after
// they finish, what the API reads agrees with itself (see checkWorld).
func TestRandomClientsKeepInvariants(t *testing.T) {
	t.Parallel()
	var nodes []*spoketest.Server
	if spoketest.Postgres() {
		two := twoNodes(t)
		nodes = two[:]
		for _, n := range nodes {
			n.Engine.Shared = true
		}
	} else {
		nodes = []*spoketest.Server{spoketest.Open(t)}
	}
	// The servers' errors are kept, to tell what a 500 was.
	var errs logBuffer
	for _, n := range nodes {
		n.API.Logger = slog.New(slog.NewTextHandler(&errs, &slog.HandlerOptions{Level: slog.LevelError}))
	}
	w := newRandomWorld(t, nodes)
	w.subscribeHooks()
	const clients, steps = 16, 300
	var wg sync.WaitGroup
	for g := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewSource(randomSeed + int64(g)))
			for step := range steps {
				w.step(g, step, rnd)
			}
		}()
	}
	wg.Wait()
	t.Logf("answers: %v", w.answers)
	retried := int64(0)
	for _, n := range nodes {
		retried += deadlocksRetried(n)
	}
	if retried > 0 {
		// Writes lock in one order: a deadlock is a write out of it.
		t.Errorf("%d transactions deadlocked and were retried", retried)
	}
	w.checkWorld()
	if t.Failed() {
		t.Logf("seed %d, %d clients of %d steps; server errors:\n%s", randomSeed, clients, steps, errs.String())
	}
}

// randomWorld is the shared pool the clients draw on, and what they did.
type randomWorld struct {
	t      *testing.T
	nodes  []*spoketest.Server
	emails []string
	// label is the user-defined contact-to-company label, inverse its
	// company-to-contact type.
	label, inverse int

	mu       sync.Mutex
	pool     map[string][]string // type -> every id ever made
	logs     map[string][]string // id -> the calls that named it
	failures []string
	seq      atomic.Int64
	// blamed are the ids named by failures, whose logs are printed.
	blamed map[string]bool
	// answers counts the answers of each operation by status.
	answers map[string]int

	// pipeline is the clients' deal pipeline; stages every stage id ever
	// made in each pipeline; restoredDeals the deals a restore brought back.
	pipeline      string
	stages        map[string][]string
	restoredDeals map[string]bool
	// hooks receives the webhook events of the clients' writes.
	hooks *randomHooks
	// cars is the custom object type, carToContact its association type
	// with contacts, carGroup its property group.
	cars         string
	carToContact int
	carGroup     string
	// carProps are the car properties made, the newest last.
	carProps []string
	// carPropGone holds when each archived car property was answered 204
	// (w.seq).
	carPropGone map[string]int64
}

var randomTypes = []string{"contacts", "companies", "communications"}

func newRandomWorld(t *testing.T, nodes []*spoketest.Server) *randomWorld {
	w := &randomWorld{t: t, nodes: nodes, pool: map[string][]string{}, logs: map[string][]string{}, blamed: map[string]bool{}}
	s := nodes[0]
	for i := range 12 {
		w.emails = append(w.emails, fmt.Sprintf("pool%d@example.com", i))
	}
	for i := range 5 {
		w.add("contacts", newContact(t, s, w.emails[i]))
	}
	for i := range 3 {
		w.add("companies", newCompany(t, s, fmt.Sprint("Pool ", i)))
	}
	for i := range 4 {
		w.add("communications", newMessage(t, s, to(w.pool["contacts"][i], "HUBSPOT_DEFINED", 81)))
	}
	labels := mustStatus(t, s.Do("POST", "/crm/v4/associations/contacts/companies/labels", `{"label":"Signer","name":"signer","inverseLabel":"Signed by"}`), 200)
	for _, l := range labels["results"].([]any) {
		if m := l.(map[string]any); m["label"] == "Signer" {
			w.label = int(m["typeId"].(float64))
		}
	}
	inv := mustStatus(t, s.Do("GET", "/crm/v4/associations/companies/contacts/labels", nil), 200)
	for _, l := range inv["results"].([]any) {
		if m := l.(map[string]any); m["label"] == "Signed by" {
			w.inverse = int(m["typeId"].(float64))
		}
	}
	if w.label == 0 || w.inverse == 0 {
		t.Fatalf("labels %v %v", labels, inv)
	}
	w.setUpDeals()
	w.setUpCars()
	return w
}

func (w *randomWorld) add(typ string, ids ...string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, id := range ids {
		if !slices.Contains(w.pool[typ], id) {
			w.pool[typ] = append(w.pool[typ], id)
		}
	}
}

// pick draws an id of the pool of typ, now and then one no record has.
func (w *randomWorld) pick(rnd *rand.Rand, typ string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	ids := w.pool[typ]
	if len(ids) == 0 || rnd.Intn(40) == 0 {
		return "9999999"
	}
	// The newer records are drawn more often: they are the live ones.
	n := len(ids)
	if rnd.Intn(2) == 0 && n > 6 {
		return ids[n-1-rnd.Intn(6)]
	}
	return ids[rnd.Intn(n)]
}

func (w *randomWorld) email(rnd *rand.Rand) string { return w.emails[rnd.Intn(len(w.emails))] }

// call sends one request through a random node and logs it under ids; a
// status outside allowed is a failure.
func (w *randomWorld) call(g int, rnd *rand.Rand, op, method, path, body string, allowed []int, ids ...string) (int, map[string]any) {
	node := rnd.Intn(len(w.nodes))
	start := w.seq.Add(1)
	status, out, err := send(w.nodes[node], method, path, body)
	end := w.seq.Add(1)
	var m map[string]any
	json.Unmarshal([]byte(out), &m)
	short := out
	if len(short) > 300 {
		short = short[:300] + "..."
	}
	line := fmt.Sprintf("[%d-%d] client %d node %d %s: %s %s %s -> %d %s", start, end, g, node, op, method, path, body, status, short)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.answers == nil {
		w.answers = map[string]int{}
	}
	w.answers[fmt.Sprintf("%s %d", op, status)]++
	for _, id := range ids {
		w.logs[id] = append(w.logs[id], line)
	}
	refused := status >= 400 && (m["status"] != "error" || m["message"] == nil || m["correlationId"] == nil)
	if err != nil || !slices.Contains(allowed, status) || refused {
		w.failures = append(w.failures, fmt.Sprintf("unexpected answer (want one of %v, errors in HubSpot's shape): %s %v", allowed, line, err))
		for _, id := range ids {
			w.blamed[id] = true
		}
	}
	return status, m
}

// created adds the ids of a create's or batch's answer to the pool and
// returns them, with their log lines.
func (w *randomWorld) created(typ string, m map[string]any, ids []string) []string {
	var out []string
	if id, ok := m["id"].(string); ok {
		out = append(out, id)
	}
	if rs, ok := m["results"].([]any); ok {
		for _, r := range rs {
			if id, ok := r.(map[string]any)["id"].(string); ok {
				out = append(out, id)
			}
		}
	}
	w.add(typ, out...)
	return out
}

var (
	ok200     = []int{200, 404}
	createOK  = []int{201, 400, 404, 409}
	updateOK  = []int{200, 400, 404, 409}
	batchOK   = []int{200, 201, 207, 400, 404, 409}
	archiveOK = []int{204}
)

func assocSpec(category string, typeID int) string {
	return fmt.Sprintf(`{"associationCategory":%q,"associationTypeId":%d}`, category, typeID)
}

// step does one random operation.
func (w *randomWorld) step(g, step int, rnd *rand.Rand) {
	name := fmt.Sprintf("first%d.%d", g, step)
	switch op := rnd.Intn(36); op {
	case 28, 29, 30, 31:
		w.stepDeals(g, name, rnd)
	case 32, 33, 34, 35:
		w.stepCars(g, name, rnd)
	case 0: // create a contact, with a company
		c := w.pick(rnd, "companies")
		body := fmt.Sprintf(`{"properties":{"email":%q,"firstname":%q},"associations":[%s]}`, w.email(rnd), name, to(c, "HUBSPOT_DEFINED", 279))
		status, m := w.call(g, rnd, "create contact", "POST", "/crm/v3/objects/contacts", body, createOK, c)
		w.logCreated("contacts", m, "create contact")
		w.madeBy(status, m)
	case 1: // batch create contacts
		a, b := w.email(rnd), w.email(rnd)
		body := fmt.Sprintf(`{"inputs":[{"properties":{"email":%q,"firstname":%q}},{"properties":{"email":%q,"firstname":%q}}]}`, a, name, b, name)
		_, m := w.call(g, rnd, "batch create contacts", "POST", "/crm/v3/objects/contacts/batch/create", body, []int{201, 207, 400, 409})
		w.logCreated("contacts", m, "batch create contacts")
	case 2: // create a company with a contact
		c := w.pick(rnd, "contacts")
		body := fmt.Sprintf(`{"properties":{"name":%q},"associations":[%s]}`, name, to(c, "HUBSPOT_DEFINED", 280))
		_, m := w.call(g, rnd, "create company", "POST", "/crm/v3/objects/companies", body, createOK, c)
		w.logCreated("companies", m, "create company")
	case 3: // create a message on a contact and a company
		c, co := w.pick(rnd, "contacts"), w.pick(rnd, "companies")
		body := `{"properties":{"hs_communication_channel_type":"SMS","hs_timestamp":1,"hs_communication_body":"` + name + `"},"associations":[` +
			to(c, "HUBSPOT_DEFINED", 81) + "," + to(co, "HUBSPOT_DEFINED", 87) + `]}`
		_, m := w.call(g, rnd, "create message", "POST", "/crm/v3/objects/communications", body, createOK, c, co)
		w.logCreated("communications", m, "create message")
	case 4: // batch create messages
		c1, c2 := w.pick(rnd, "contacts"), w.pick(rnd, "contacts")
		body := inputs(sms(name+"a", ",\"associations\":["+to(c1, "HUBSPOT_DEFINED", 81)+"]"), sms(name+"b", ",\"associations\":["+to(c2, "HUBSPOT_DEFINED", 81)+"]"))
		_, m := w.call(g, rnd, "batch create messages", "POST", "/crm/v3/objects/communications/batch/create", body, []int{201, 207, 400, 404}, c1, c2)
		w.logCreated("communications", m, "batch create messages")
	case 5, 6: // update a contact
		c := w.pick(rnd, "contacts")
		props := fmt.Sprintf(`"firstname":%q`, name)
		if rnd.Intn(3) == 0 {
			props += fmt.Sprintf(`,"email":%q`, w.email(rnd))
		}
		w.call(g, rnd, "update contact", "PATCH", "/crm/v3/objects/contacts/"+c, `{"properties":{`+props+`}}`, updateOK, c)
	case 7: // batch update contacts
		a, b := w.pick(rnd, "contacts"), w.pick(rnd, "contacts")
		body := fmt.Sprintf(`{"inputs":[{"id":%q,"properties":{"firstname":%q}},{"id":%q,"properties":{"firstname":%q,"email":%q}}]}`, a, name, b, name, w.email(rnd))
		w.call(g, rnd, "batch update contacts", "POST", "/crm/v3/objects/contacts/batch/update", body, batchOK, a, b)
	case 8: // upsert by email
		body := fmt.Sprintf(`{"inputs":[{"id":%q,"idProperty":"email","properties":{"firstname":%q}}]}`, w.email(rnd), name)
		_, m := w.call(g, rnd, "upsert contact", "POST", "/crm/v3/objects/contacts/batch/upsert", body, []int{200, 207, 400, 409})
		w.logCreated("contacts", m, "upsert contact")
	case 9: // archive one record
		typ := randomTypes[rnd.Intn(3)]
		id := w.pick(rnd, typ)
		w.call(g, rnd, "archive", "DELETE", "/crm/v3/objects/"+typ+"/"+id, "", archiveOK, id)
	case 10: // batch archive
		typ := randomTypes[rnd.Intn(3)]
		a, b := w.pick(rnd, typ), w.pick(rnd, typ)
		allowed := archiveOK
		if a == b {
			allowed = []int{400} // the same id twice
		}
		w.call(g, rnd, "batch archive", "POST", "/crm/v3/objects/"+typ+"/batch/archive", fmt.Sprintf(`{"inputs":[{"id":%q},{"id":%q}]}`, a, b), allowed, a, b)
	case 11, 12: // restore
		typ := randomTypes[rnd.Intn(3)]
		id := w.pick(rnd, typ)
		w.call(g, rnd, "restore", "POST", "/_spoke/objects/"+typ+"/"+id+"/restore", "", []int{200, 404, 409}, id)
	case 13: // v4 default association, any pair of types
		from, to := randomTypes[rnd.Intn(3)], randomTypes[rnd.Intn(3)]
		if from == to {
			to = randomTypes[(slices.Index(randomTypes, from)+1)%3]
		}
		a, b := w.pick(rnd, from), w.pick(rnd, to)
		w.call(g, rnd, "associate default", "PUT", "/crm/v4/objects/"+from+"/"+a+"/associations/default/"+to+"/"+b, "", []int{200, 400, 404}, a, b)
	case 14: // v4 labelled association contact-company (label or primary)
		c, co := w.pick(rnd, "contacts"), w.pick(rnd, "companies")
		spec := assocSpec("USER_DEFINED", w.label)
		if rnd.Intn(2) == 0 {
			spec = assocSpec("HUBSPOT_DEFINED", 1)
		}
		if rnd.Intn(2) == 0 {
			w.call(g, rnd, "associate label", "PUT", "/crm/v4/objects/contacts/"+c+"/associations/companies/"+co, "["+spec+"]", []int{200, 201, 400, 404}, c, co)
		} else {
			spec = strings.Replace(spec, fmt.Sprint(w.label), fmt.Sprint(w.inverse), 1)
			spec = strings.Replace(spec, `"associationTypeId":1}`, `"associationTypeId":2}`, 1)
			w.call(g, rnd, "associate label", "PUT", "/crm/v4/objects/companies/"+co+"/associations/contacts/"+c, "["+spec+"]", []int{200, 201, 400, 404}, c, co)
		}
	case 15: // v4 unassociate
		from, to := randomTypes[rnd.Intn(3)], randomTypes[rnd.Intn(3)]
		if from == to {
			to = randomTypes[(slices.Index(randomTypes, from)+2)%3]
		}
		a, b := w.pick(rnd, from), w.pick(rnd, to)
		w.call(g, rnd, "unassociate", "DELETE", "/crm/v4/objects/"+from+"/"+a+"/associations/"+to+"/"+b, "", []int{204, 400, 404}, a, b)
	case 16: // v4 batch create
		c, co1, co2 := w.pick(rnd, "contacts"), w.pick(rnd, "companies"), w.pick(rnd, "companies")
		body := fmt.Sprintf(`{"inputs":[{"from":{"id":%q},"to":{"id":%q},"types":[%s]},{"from":{"id":%q},"to":{"id":%q},"types":[%s]}]}`,
			c, co1, assocSpec("HUBSPOT_DEFINED", 279), c, co2, assocSpec("USER_DEFINED", w.label))
		w.call(g, rnd, "batch associate", "POST", "/crm/v4/associations/contacts/companies/batch/create", body, []int{200, 201, 207, 400, 404}, c, co1, co2)
	case 17: // v4 batch archive, or archive of labels
		m, c1, c2 := w.pick(rnd, "communications"), w.pick(rnd, "contacts"), w.pick(rnd, "contacts")
		if rnd.Intn(2) == 0 {
			body := fmt.Sprintf(`{"inputs":[{"from":{"id":%q},"to":[{"id":%q},{"id":%q}]}]}`, m, c1, c2)
			w.call(g, rnd, "batch unassociate", "POST", "/crm/v4/associations/communications/contacts/batch/archive", body, []int{204, 207, 400, 404}, m, c1, c2)
		} else {
			co := w.pick(rnd, "companies")
			body := fmt.Sprintf(`{"inputs":[{"from":{"id":%q},"to":{"id":%q},"types":[%s]}]}`, c1, co, assocSpec("USER_DEFINED", w.label))
			w.call(g, rnd, "batch archive labels", "POST", "/crm/v4/associations/contacts/companies/batch/labels/archive", body, []int{204, 207, 400, 404}, c1, co)
		}
	case 18, 19: // merge contacts
		a, b := w.pick(rnd, "contacts"), w.pick(rnd, "contacts")
		_, m := w.call(g, rnd, "merge", "POST", "/crm/v3/objects/contacts/merge", mergeBody(a, b), []int{200, 400, 404}, a, b)
		for _, id := range w.created("contacts", m, nil) {
			w.mu.Lock()
			w.logs[id] = append(w.logs[id], fmt.Sprintf("merged from %s and %s", a, b))
			w.mu.Unlock()
		}
	case 20, 21: // pin or unpin a message
		c, msg := w.pick(rnd, "contacts"), w.pick(rnd, "communications")
		// Mostly a message the contact is associated with, as read now.
		if status, out, _ := send(w.nodes[rnd.Intn(len(w.nodes))], "GET", "/crm/v4/objects/contacts/"+c+"/associations/communications", ""); status == 200 && rnd.Intn(4) > 0 {
			var m struct {
				Results []struct {
					ToObjectID json.Number `json:"toObjectId"`
				} `json:"results"`
			}
			if json.Unmarshal([]byte(out), &m) == nil && len(m.Results) > 0 {
				msg = m.Results[rnd.Intn(len(m.Results))].ToObjectID.String()
			}
		}
		if rnd.Intn(3) == 0 {
			w.call(g, rnd, "unpin", "PATCH", "/crm/v3/objects/contacts/"+c, `{"properties":{"hs_pinned_engagement_id":""}}`, []int{200, 404}, c)
		} else {
			w.call(g, rnd, "pin", "PATCH", "/crm/v3/objects/contacts/"+c, `{"properties":{"hs_pinned_engagement_id":"`+msg+`"}}`, []int{200, 400, 404}, c, msg)
		}
	case 22: // search by email: one live contact at most, at every moment
		e := w.email(rnd)
		body := fmt.Sprintf(`{"filterGroups":[{"filters":[%s]}],"properties":["email"]}`, filter("email", "EQ", e))
		status, m := w.call(g, rnd, "search email", "POST", "/crm/v3/objects/contacts/search", body, []int{200})
		if status == 200 && m["total"].(float64) > 1 {
			w.fail(fmt.Sprintf("search by %s found %v contacts: %v", e, m["total"], m["results"]), answerIDs(m)...)
		}
	case 23: // search by association
		c := w.pick(rnd, "contacts")
		body := fmt.Sprintf(`{"filterGroups":[{"filters":[%s]}]}`, filter("associations.contact", "EQ", c))
		w.call(g, rnd, "search association", "POST", "/crm/v3/objects/communications/search", body, []int{200}, c)
	case 24: // read
		typ := randomTypes[rnd.Intn(3)]
		id := w.pick(rnd, typ)
		w.call(g, rnd, "read", "GET", "/crm/v3/objects/"+typ+"/"+id+"?associations=contacts,companies", "", ok200, id)
	case 26: // merge companies
		a, b := w.pick(rnd, "companies"), w.pick(rnd, "companies")
		_, m := w.call(g, rnd, "merge companies", "POST", "/crm/v3/objects/companies/merge", mergeBody(a, b), []int{200, 400, 404}, a, b)
		for _, id := range w.created("companies", m, nil) {
			w.mu.Lock()
			w.logs[id] = append(w.logs[id], fmt.Sprintf("merged from %s and %s", a, b))
			w.mu.Unlock()
		}
	case 27: // v3 association by name, from a message
		msg, c := w.pick(rnd, "communications"), w.pick(rnd, "contacts")
		if rnd.Intn(2) == 0 {
			w.call(g, rnd, "v3 associate", "PUT", "/crm/v3/objects/communications/"+msg+"/associations/contacts/"+c+"/communication_to_contact", "", []int{200, 400, 404}, msg, c)
		} else {
			w.call(g, rnd, "v3 unassociate", "DELETE", "/crm/v3/objects/communications/"+msg+"/associations/contacts/"+c+"/communication_to_contact", "", []int{204, 400, 404}, msg, c)
		}
	case 25: // batch restore
		a, b := w.pick(rnd, "contacts"), w.pick(rnd, "contacts")
		w.call(g, rnd, "batch restore", "POST", "/_spoke/objects/contacts/batch/restore", fmt.Sprintf(`{"inputs":[{"id":%q},{"id":%q}]}`, a, b), []int{200, 207, 400, 404, 409}, a, b)
	}
}

func answerIDs(m map[string]any) []string {
	var out []string
	rs, _ := m["results"].([]any)
	for _, r := range rs {
		if id, ok := r.(map[string]any)["id"].(string); ok {
			out = append(out, id)
		}
	}
	return out
}

func (w *randomWorld) logCreated(typ string, m map[string]any, op string) {
	for _, id := range w.created(typ, m, nil) {
		w.mu.Lock()
		w.logs[id] = append(w.logs[id], "made by "+op)
		w.mu.Unlock()
	}
}

// fail records a broken invariant and the ids whose logs tell its story.
func (w *randomWorld) fail(msg string, ids ...string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.failures = append(w.failures, msg)
	for _, id := range ids {
		w.blamed[id] = true
	}
}

// get reads a path through the first node (the check runs after every
// client has finished).
func (w *randomWorld) get(method, path, body string) (int, map[string]any) {
	status, out, err := send(w.nodes[len(w.nodes)-1], method, path, body)
	if err != nil {
		w.t.Fatal(err)
	}
	if status >= 500 {
		w.t.Errorf("%s %s: %d %s", method, path, status, out)
	}
	var m map[string]any
	json.Unmarshal([]byte(out), &m)
	return status, m
}

// listIDs reads every page of a list.
func (w *randomWorld) listIDs(typ string, archived bool) map[string]bool {
	out, after := map[string]bool{}, ""
	for {
		status, m := w.get("GET", fmt.Sprintf("/crm/v3/objects/%s?limit=100&archived=%t&after=%s", typ, archived, after), "")
		if status != 200 {
			w.t.Fatalf("list %s: %d %v", typ, status, m)
		}
		for _, id := range answerIDs(m) {
			out[id] = true
		}
		p, ok := m["paging"].(map[string]any)
		if !ok {
			return out
		}
		after = p["next"].(map[string]any)["after"].(string)
	}
}

// v4 lists "to id" -> type ids ("category/typeId") of a record's associations.
func (w *randomWorld) v4(from, id, to string) map[string][]string {
	status, m := w.get("GET", "/crm/v4/objects/"+from+"/"+id+"/associations/"+to+"?limit=500", "")
	if status != 200 {
		w.fail(fmt.Sprintf("v4 list %s %s -> %s: %d %v", from, id, to, status, m), id)
		return nil
	}
	out := map[string][]string{}
	for _, r := range m["results"].([]any) {
		r := r.(map[string]any)
		tid := fmt.Sprintf("%.0f", r["toObjectId"].(float64))
		for _, at := range r["associationTypes"].([]any) {
			a := at.(map[string]any)
			out[tid] = append(out[tid], fmt.Sprintf("%s/%.0f", a["category"], a["typeId"]))
		}
		sort.Strings(out[tid])
	}
	return out
}

func (w *randomWorld) search(typ, body string) map[string]bool {
	status, m := w.get("POST", "/crm/v3/objects/"+typ+"/search", body)
	if status != 200 {
		w.t.Errorf("search %s %s: %d %v", typ, body, status, m)
		return nil
	}
	out := map[string]bool{}
	for _, id := range answerIDs(m) {
		out[id] = true
	}
	if int(m["total"].(float64)) != len(out) {
		w.t.Errorf("search %s %s: total %v for %d results", typ, body, m["total"], len(out))
	}
	return out
}

func setKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sameIDs(a, b map[string]bool) bool {
	return slices.Equal(setKeys(a), setKeys(b))
}

var randomSingular = map[string]string{"contacts": "contact", "companies": "company", "communications": "communication"}

// checkWorld reads the pool through the API and checks the invariants.
func (w *randomWorld) checkWorld() {
	inverseOf := map[string]string{}
	for _, p := range [][2]string{{"279", "280"}, {"1", "2"}, {"81", "82"}, {"87", "88"}, {fmt.Sprint(w.label), fmt.Sprint(w.inverse)}} {
		cat := "HUBSPOT_DEFINED"
		if p[0] == fmt.Sprint(w.label) {
			cat = "USER_DEFINED"
		}
		inverseOf[cat+"/"+p[0]], inverseOf[cat+"/"+p[1]] = cat+"/"+p[1], cat+"/"+p[0]
	}
	live := map[string]map[string]bool{}
	archived := map[string]map[string]bool{}
	values := map[string]map[string]any{} // live contact -> properties
	for _, typ := range randomTypes {
		live[typ], archived[typ] = map[string]bool{}, map[string]bool{}
		w.mu.Lock()
		ids := slices.Clone(w.pool[typ])
		w.mu.Unlock()
		merged := map[string]string{}
		for _, id := range ids {
			status, m := w.get("GET", "/crm/v3/objects/"+typ+"/"+id+"?properties=email,firstname,hs_pinned_engagement_id,hs_merged_object_ids", "")
			switch {
			case status == 200 && m["id"] == id:
				live[typ][id] = true
				values[id] = m["properties"].(map[string]any)
			case status == 200:
				merged[id] = m["id"].(string)
			case status == 404:
				status, m = w.get("GET", "/crm/v3/objects/"+typ+"/"+id+"?archived=true", "")
				if status == 200 && m["id"] == id {
					archived[typ][id] = true
				} else if status != 200 && status != 404 {
					w.fail(fmt.Sprintf("archived read of %s %s: %d %v", typ, id, status, m), id)
				}
			default:
				w.fail(fmt.Sprintf("read of %s %s: %d %v", typ, id, status, m), id)
			}
		}
		// A merged-away id reads as a live record that lists it.
		for old, now := range merged {
			if typ == "communications" {
				w.fail(fmt.Sprintf("%s %s reads as %s", typ, old, now), old, now)
				continue
			}
			if !live[typ][now] {
				w.fail(fmt.Sprintf("%s %s reads as %s, which is not a live record of its own", typ, old, now), old, now)
				continue
			}
			list, _ := values[now]["hs_merged_object_ids"].(string)
			if !slices.Contains(strings.Split(list, ";"), old) {
				w.fail(fmt.Sprintf("%s %s reads as %s, whose hs_merged_object_ids %q lacks it", typ, old, now, list), old, now)
			}
		}
		// Lists agree with reads: the live list and the recycle bin.
		if got := w.listIDs(typ, false); !sameIDs(got, live[typ]) {
			w.fail(fmt.Sprintf("live %s listed %v, read %v", typ, setKeys(got), setKeys(live[typ])), setDiff(got, live[typ])...)
		}
		if got := w.listIDs(typ, true); !sameIDs(got, archived[typ]) {
			w.fail(fmt.Sprintf("recycle bin of %s lists %v, read %v", typ, setKeys(got), setKeys(archived[typ])), setDiff(got, archived[typ])...)
		}
	}

	// Associations: both ends, live, inverse types; search agrees.
	assoc := map[[2]string]bool{} // live contact, live message
	for _, from := range randomTypes {
		for id := range live[from] {
			for _, to := range randomTypes {
				if to == from {
					continue
				}
				got := w.v4(from, id, to)
				for tid, types := range got {
					if !live[to][tid] {
						w.fail(fmt.Sprintf("%s %s lists %s %s (%v), which is not live", from, id, to, tid, types), id, tid)
						continue
					}
					back := w.v4(to, tid, from)[id]
					var want []string
					for _, ty := range types {
						want = append(want, inverseOf[ty])
					}
					sort.Strings(want)
					if !slices.Equal(back, want) {
						w.fail(fmt.Sprintf("%s %s lists %s %s as %v, which lists it back as %v", from, id, to, tid, types, back), id, tid)
					}
					if from == "contacts" && to == "communications" {
						assoc[[2]string{id, tid}] = true
					}
					// A primary company is also an unlabelled one.
					if from == "contacts" && slices.Contains(types, "HUBSPOT_DEFINED/1") && !slices.Contains(types, "HUBSPOT_DEFINED/279") {
						w.fail(fmt.Sprintf("contact %s has company %s as primary only: %v", id, tid, types), id, tid)
					}
				}
				if from == "contacts" && to == "companies" {
					var primary []string
					for tid, types := range got {
						if slices.Contains(types, "HUBSPOT_DEFINED/1") {
							primary = append(primary, tid)
						}
					}
					if len(primary) > 1 {
						w.fail(fmt.Sprintf("contact %s has %d primary companies: %v", id, len(primary), primary), append([]string{id}, primary...)...)
					}
				}
				if from == "communications" {
					continue
				}
				// Searching the other type by association finds the same.
				want := map[string]bool{}
				for tid := range got {
					if live[to][tid] {
						want[tid] = true
					}
				}
				body := fmt.Sprintf(`{"limit":100,"filterGroups":[{"filters":[%s]}]}`, filter("associations."+randomSingular[from], "EQ", id))
				if found := w.search(to, body); !sameIDs(found, want) {
					w.fail(fmt.Sprintf("search of %s associated with %s %s found %v, the record lists %v", to, from, id, setKeys(found), setKeys(want)), append([]string{id}, setDiff(found, want)...)...)
				}
			}
		}
	}

	// Emails: one live contact at most; search agrees with reads.
	for _, e := range w.emails {
		holders := map[string]bool{}
		for id := range live["contacts"] {
			if v, _ := values[id]["email"].(string); strings.EqualFold(v, e) {
				holders[id] = true
			}
		}
		found := w.search("contacts", fmt.Sprintf(`{"limit":100,"filterGroups":[{"filters":[%s]}]}`, filter("email", "EQ", e)))
		if len(holders) > 1 || !sameIDs(found, holders) {
			w.fail(fmt.Sprintf("email %s: held by live contacts %v, search finds %v", e, setKeys(holders), setKeys(found)), append(setKeys(holders), setKeys(found)...)...)
		}
	}

	// Pins point to live messages associated with the record.
	for id := range live["contacts"] {
		pin, _ := values[id]["hs_pinned_engagement_id"].(string)
		if pin != "" && !assoc[[2]string{id, pin}] {
			w.fail(fmt.Sprintf("contact %s pins %s, which is not a live message associated with it", id, pin), id, pin)
		}
	}

	live["deals"], archived["deals"] = w.checkDeals(live["contacts"])
	w.checkCars(live["contacts"])
	if w.hooks != nil {
		w.checkHooks(live, archived, values)
	}

	// History ends with the current value.
	for id := range live["contacts"] {
		status, m := w.get("GET", "/crm/v3/objects/contacts/"+id+"?properties=email,firstname&propertiesWithHistory=email,firstname", "")
		if status != 200 {
			w.fail(fmt.Sprintf("history of %s: %d %v", id, status, m), id)
			continue
		}
		hist, _ := m["propertiesWithHistory"].(map[string]any)
		for _, name := range []string{"email", "firstname"} {
			cur, _ := m["properties"].(map[string]any)[name].(string)
			hs, _ := hist[name].([]any)
			newest := ""
			if len(hs) > 0 {
				newest, _ = hs[0].(map[string]any)["value"].(string)
			}
			if newest != cur {
				w.fail(fmt.Sprintf("contact %s: %s is %q, its newest history %q (%v)", id, name, cur, newest, hs), id)
			}
		}
	}

	w.mu.Lock()
	defer w.mu.Unlock()
	for _, f := range w.failures {
		w.t.Error(f)
	}
	for _, id := range setKeys(w.blamed) {
		w.t.Logf("calls naming %s:\n  %s", id, strings.Join(w.logs[id], "\n  "))
	}
}

// diff lists the keys in one set only.
func setDiff(a, b map[string]bool) []string {
	var out []string
	for k := range a {
		if !b[k] {
			out = append(out, k)
		}
	}
	for k := range b {
		if !a[k] {
			out = append(out, k)
		}
	}
	return out
}
