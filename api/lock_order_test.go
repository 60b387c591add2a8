package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"math/rand"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/api"
	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/pgtest"
	"github.com/spoke-crm/spoke/internal/spoketest"
	"github.com/spoke-crm/spoke/storage/postgres"
	"github.com/spoke-crm/spoke/storage/sqlite"
)

// lockOrder is a real store that checks the order in which each write
// transaction locks records: never a record with a lower id than one it
// holds, which is how two writes deadlock on PostgreSQL. Armed with an id,
// the first read of that record's associations in a write leaves out the
// association with hide: what a write reads when another commits an
// association between its read and its lock.
type lockOrder struct {
	crm.Store
	stale, hide *atomic.Int64
	// staleReads is how many reads of stale's associations leave hide out
	// (one when 0).
	staleReads *atomic.Int32
	// before, when set, runs once before the next write transaction starts.
	before *atomic.Pointer[func()]
	// unseen is a record that reads outside write transactions see live
	// until a write commits: what they see on SQLite while the archive
	// that another write of the same commit found is not yet committed.
	unseen *atomic.Int64
	// unmerged is an id merged into another record that the next look-up
	// of merged ids in a write does not yet see merged: what it sees on
	// PostgreSQL when the merge commits just after.
	unmerged   *atomic.Int64
	mu         *sync.Mutex
	violations *[]string
}

func (s lockOrder) Write(ctx context.Context, fn func(crm.Tx) error) error {
	if f := s.before.Swap(nil); f != nil {
		(*f)()
	}
	err := s.Store.Write(ctx, func(tx crm.Tx) error {
		return fn(&lockOrderTx{Tx: tx, s: s, held: map[int64]bool{}, values: map[crm.UniqueKey]bool{}})
	})
	if err == nil {
		s.unseen.Store(0)
	}
	return err
}

func (s lockOrder) Read(ctx context.Context, fn func(crm.ReadTx) error) error {
	return s.Store.Read(ctx, func(tx crm.ReadTx) error { return fn(unseenTx{tx, s.unseen.Load()}) })
}

type unseenTx struct {
	crm.ReadTx
	unseen int64
}

func (t unseenTx) Object(ctx context.Context, typeID string, id int64) (*crm.Object, error) {
	o, err := t.ReadTx.Object(ctx, typeID, id)
	if err == nil && id == t.unseen {
		live := *o
		live.Archived = false
		return &live, nil
	}
	return o, err
}

// report records a lock out of order, with the engine's calls that took it.
func (s lockOrder) report(what string) {
	buf := make([]byte, 16<<10)
	buf = buf[:runtime.Stack(buf, false)]
	var calls []string
	for _, line := range strings.Split(string(buf), "\n") {
		if i := strings.Index(line, "spoke/crm."); i >= 0 && !strings.HasPrefix(line, "\t") {
			call := line[i+len("spoke/crm."):]
			if j := strings.LastIndex(call, "("); j > 0 {
				call = call[:j] // without the arguments
			}
			calls = append(calls, call)
		}
	}
	s.mu.Lock()
	*s.violations = append(*s.violations, what+" in "+strings.Join(calls, " < "))
	s.mu.Unlock()
}

type lockOrderTx struct {
	crm.Tx
	s      lockOrder
	held   map[int64]bool
	values map[crm.UniqueKey]bool
	max    int64
}

func (t *lockOrderTx) lock(ids []int64) {
	for _, id := range slices.Sorted(slices.Values(ids)) {
		if t.held[id] {
			continue
		}
		if id < t.max {
			t.s.report(fmt.Sprintf("locked %d while holding %d", id, t.max))
		}
		t.held[id], t.max = true, max(t.max, id)
	}
}

// LockUnique is checked too: values are locked before any record.
func (t *lockOrderTx) LockUnique(ctx context.Context, keys []crm.UniqueKey) error {
	if t.max != 0 {
		for _, k := range keys {
			if !t.values[k] {
				t.s.report(fmt.Sprintf("locked value %v while holding record %d", k, t.max))
			}
		}
	}
	for _, k := range keys {
		t.values[k] = true
	}
	return t.Tx.LockUnique(ctx, keys)
}

func (t *lockOrderTx) MergedInto(ctx context.Context, ids []int64) (map[int64]int64, error) {
	merged, err := t.Tx.MergedInto(ctx, ids)
	if id := t.s.unmerged.Load(); id != 0 && merged[id] != 0 && t.s.unmerged.CompareAndSwap(id, 0) {
		delete(merged, id)
	}
	return merged, err
}

func (t *lockOrderTx) Object(ctx context.Context, typeID string, id int64) (*crm.Object, error) {
	o, err := t.Tx.Object(ctx, typeID, id)
	if err == nil {
		t.lock([]int64{id})
	}
	return o, err
}

func (t *lockOrderTx) ObjectsByIDs(ctx context.Context, ids []int64) ([]*crm.Object, error) {
	objs, err := t.Tx.ObjectsByIDs(ctx, ids)
	found := make([]int64, len(objs))
	for i, o := range objs {
		found[i] = o.ID
	}
	t.lock(found)
	return objs, err
}

func (t *lockOrderTx) AssociationsFrom(ctx context.Context, fromID int64, toType string, afterToID int64, maxTargets int) ([]crm.AssociationRow, error) {
	rows, err := t.Tx.AssociationsFrom(ctx, fromID, toType, afterToID, maxTargets)
	if fromID != 0 && fromID == t.s.stale.Load() {
		if t.s.staleReads.Add(-1) <= 0 {
			t.s.stale.Store(0)
		}
		hide := t.s.hide.Load()
		rows = slices.DeleteFunc(rows, func(r crm.AssociationRow) bool { return r.ToID == hide })
	}
	return rows, err
}

// An archive of a message that finds, once it has locked the message and
// its records, a record associated with the message after it read them
// (here a contact with a lower id than the message) starts again instead of
// locking that record out of order when it lifts its pin.
func TestArchiveOfAMessageAssociatedMeanwhile(t *testing.T) {
	t.Parallel()
	checked, violations, do, _ := lockOrderServer(t)
	late := do("POST", "/crm/v3/objects/contacts", `{"properties":{"email":"late@example.com"}}`, 201)["id"].(string)
	first := do("POST", "/crm/v3/objects/contacts", `{"properties":{"email":"first@example.com"}}`, 201)["id"].(string)
	msg := do("POST", "/crm/v3/objects/communications", `{"properties":{"hs_communication_channel_type":"SMS","hs_timestamp":1,"hs_communication_body":"hi"},"associations":[`+
		to(first, "HUBSPOT_DEFINED", 81)+","+to(late, "HUBSPOT_DEFINED", 81)+`]}`, 201)["id"].(string)
	do("PATCH", "/crm/v3/objects/contacts/"+late, `{"properties":{"hs_pinned_engagement_id":"`+msg+`"}}`, 200)
	if len(*violations) > 0 {
		t.Fatalf("writes before the archive locked out of order: %v", *violations)
	}
	m, _ := strconv.ParseInt(msg, 10, 64)
	l, _ := strconv.ParseInt(late, 10, 64)
	checked.hide.Store(l)
	checked.stale.Store(m)
	do("DELETE", "/crm/v3/objects/communications/"+msg, "", 204)
	if checked.stale.Load() != 0 {
		t.Fatal("the archive did not read the message's associations")
	}
	if len(*violations) > 0 {
		t.Errorf("the archive locked out of id order: %v", *violations)
	}
	if got := do("GET", "/crm/v3/objects/contacts/"+late+"?properties=hs_pinned_engagement_id", "", 200); props(got)["hs_pinned_engagement_id"] != nil {
		t.Errorf("contact %s still pins the archived message: %v", late, props(got))
	}
}

// lockOrderServer starts a server on a lockOrder store; do sends a request
// and fails the test unless it answers status.
func lockOrderServer(t *testing.T) (lockOrder, *[]string, func(method, path, body string, status int) map[string]any, *spoketest.Server) {
	t.Helper()
	store := openStore(t)
	var violations []string
	checked := lockOrder{Store: store, stale: &atomic.Int64{}, hide: &atomic.Int64{}, staleReads: &atomic.Int32{},
		before: &atomic.Pointer[func()]{}, unseen: &atomic.Int64{}, unmerged: &atomic.Int64{}, mu: &sync.Mutex{}, violations: &violations}
	s, do := serveStore(t, checked)
	return checked, &violations, do, s
}

// A restore locks the addresses of the contacts it restores before the
// contacts, and a batch restore locks its records in id order, whatever
// the order of its inputs: as every write does, so that none deadlocks
// with another on PostgreSQL.
func TestRestoreLockOrder(t *testing.T) {
	t.Parallel()
	_, violations, do, _ := lockOrderServer(t)
	var ids []string
	for i := range 3 {
		id := do("POST", "/crm/v3/objects/contacts", fmt.Sprintf(`{"properties":{"email":"binned%d@example.com"}}`, i), 201)["id"].(string)
		do("DELETE", "/crm/v3/objects/contacts/"+id, "", 204)
		ids = append(ids, id)
	}
	if len(*violations) > 0 {
		t.Fatalf("writes before the restores locked out of order: %v", *violations)
	}
	do("POST", "/_spoke/objects/contacts/"+ids[0]+"/restore", "", 200)
	if len(*violations) > 0 {
		t.Errorf("a restore locked out of order: %v", *violations)
	}
	*violations = nil
	do("POST", "/_spoke/objects/contacts/batch/restore", fmt.Sprintf(`{"inputs":[{"id":%q},{"id":%q}]}`, ids[2], ids[1]), 200)
	if len(*violations) > 0 {
		t.Errorf("a batch restore locked out of order: %v", *violations)
	}
	for _, id := range ids {
		do("GET", "/crm/v3/objects/contacts/"+id, "", 200)
	}
}

// An archive of a message with which a contact of a lower id was restored
// after the archive locked the message and its live records (the contact
// was not among them) lifts no pin of that contact, which has none: it does
// not lock it, out of id order, to look.
func TestArchiveOfAMessageWhoseContactWasRestoredMeanwhile(t *testing.T) {
	t.Parallel()
	checked, violations, do, _ := lockOrderServer(t)
	restored := do("POST", "/crm/v3/objects/contacts", `{"properties":{"email":"restored@example.com"}}`, 201)["id"].(string)
	other := do("POST", "/crm/v3/objects/contacts", `{"properties":{"email":"other@example.com"}}`, 201)["id"].(string)
	msg := do("POST", "/crm/v3/objects/communications", `{"properties":{"hs_communication_channel_type":"SMS","hs_timestamp":1,"hs_communication_body":"hi"},"associations":[`+
		to(other, "HUBSPOT_DEFINED", 81)+","+to(restored, "HUBSPOT_DEFINED", 81)+`]}`, 201)["id"].(string)
	do("PATCH", "/crm/v3/objects/contacts/"+other, `{"properties":{"hs_pinned_engagement_id":"`+msg+`"}}`, 200)
	m, _ := strconv.ParseInt(msg, 10, 64)
	r, _ := strconv.ParseInt(restored, 10, 64)
	// The archive's lock and its second look do not see the contact.
	checked.hide.Store(r)
	checked.staleReads.Store(2)
	checked.stale.Store(m)
	do("DELETE", "/crm/v3/objects/communications/"+msg, "", 204)
	if len(*violations) > 0 {
		t.Errorf("the archive locked out of id order: %v", *violations)
	}
	if got := do("GET", "/crm/v3/objects/contacts/"+other+"?properties=hs_pinned_engagement_id", "", 200); props(got)["hs_pinned_engagement_id"] != nil {
		t.Errorf("contact %s still pins the archived message: %v", other, props(got))
	}
}

// A restore that finds, once it has locked the record, that it was
// archived after the restore read it (so that it did not lock its address
// first) starts again rather than lock the address after the record.
func TestRestoreOfARecordArchivedMeanwhile(t *testing.T) {
	t.Parallel()
	checked, violations, do, s := lockOrderServer(t)
	id := do("POST", "/crm/v3/objects/contacts", `{"properties":{"email":"meanwhile@example.com"}}`, 201)["id"].(string)
	archive := func() { send(s, "DELETE", "/crm/v3/objects/contacts/"+id, "") }
	checked.before.Store(&archive)
	got := do("POST", "/_spoke/objects/contacts/"+id+"/restore", "", 200)
	if checked.before.Load() != nil {
		t.Fatal("the restore wrote nothing")
	}
	if props(got)["email"] != "meanwhile@example.com" {
		t.Errorf("restored %v", got)
	}
	if len(*violations) > 0 {
		t.Errorf("the restore locked out of order: %v", *violations)
	}
}

// A restore whose first look (outside its write) does not yet see the
// record archived, as on SQLite while the archive waits to be committed
// with other writes, ends its write without writing, which waits for that
// commit, and looks again: it restores the record (it answered 500 after
// looking again at once, many times, and seeing the same).
func TestRestoreOfARecordNotYetSeenArchived(t *testing.T) {
	t.Parallel()
	checked, violations, do, _ := lockOrderServer(t)
	id := do("POST", "/crm/v3/objects/contacts", `{"properties":{"email":"unseen@example.com"}}`, 201)["id"].(string)
	do("DELETE", "/crm/v3/objects/contacts/"+id, "", 204)
	n, _ := strconv.ParseInt(id, 10, 64)
	checked.unseen.Store(n)
	got := do("POST", "/_spoke/objects/contacts/"+id+"/restore", "", 200)
	if props(got)["email"] != "unseen@example.com" {
		t.Errorf("restored %v", got)
	}
	if len(*violations) > 0 {
		t.Errorf("the restore locked out of order: %v", *violations)
	}
}

// The random clients of TestRandomClientsKeepInvariants on two nodes whose
// stores check every write's lock order: records in ascending id order,
// unique values before records. A write out of that order deadlocks on
// PostgreSQL only when another meets it at the wrong moment; the check
// finds it whenever it runs.
func TestRandomClientsLockInOrder(t *testing.T) {
	t.Parallel()
	var violations []string
	mu := &sync.Mutex{}
	path := filepath.Join(t.TempDir(), "spoke.db")
	var nodes []*spoketest.Server
	url := ""
	if spoketest.Postgres() {
		url = pgtest.URL(t)
	}
	for range 2 {
		var store crm.Store
		var err error
		if url != "" {
			store, err = postgres.Open(context.Background(), url, postgres.PoolOptions{MaxConns: 8})
		} else {
			store, err = sqlite.Open(context.Background(), path)
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		checked := lockOrder{Store: store, stale: &atomic.Int64{}, hide: &atomic.Int64{}, staleReads: &atomic.Int32{},
			before: &atomic.Pointer[func()]{}, unseen: &atomic.Int64{}, unmerged: &atomic.Int64{}, mu: mu, violations: &violations}
		engine := crm.NewEngine(checked, time.Now, spoketest.PortalID)
		engine.Shared = true
		if err := engine.LoadSchemas(context.Background()); err != nil {
			t.Fatal(err)
		}
		auth := &crm.Authenticator{EnvToken: spoketest.Token, Tokens: store.Tokens(), Now: time.Now}
		hs := httptest.NewServer(api.NewServer(engine, auth, slog.New(slog.DiscardHandler), api.Options{}))
		t.Cleanup(hs.Close)
		nodes = append(nodes, &spoketest.Server{URL: hs.URL, Client: hs.Client()})
	}
	w := &randomWorld{t: t, nodes: nodes, pool: map[string][]string{}, logs: map[string][]string{}, blamed: map[string]bool{}}
	post := func(path, body string) string {
		status, out, err := send(nodes[0], "POST", path, body)
		var m struct{ ID string }
		if json.Unmarshal([]byte(out), &m); err != nil || status != 201 {
			t.Fatalf("POST %s: %d %s %v", path, status, out, err)
		}
		return m.ID
	}
	for i := range 12 {
		w.emails = append(w.emails, fmt.Sprintf("pool%d@example.com", i))
	}
	for i := range 5 {
		w.add("contacts", post("/crm/v3/objects/contacts", fmt.Sprintf(`{"properties":{"email":%q}}`, w.emails[i])))
	}
	for i := range 3 {
		w.add("companies", post("/crm/v3/objects/companies", fmt.Sprintf(`{"properties":{"name":"Pool %d"}}`, i)))
	}
	for i := range 4 {
		w.add("communications", post("/crm/v3/objects/communications", `{"properties":{"hs_communication_channel_type":"SMS","hs_timestamp":1,"hs_communication_body":"hi"},"associations":[`+
			to(w.pool["contacts"][i], "HUBSPOT_DEFINED", 81)+`]}`))
	}
	w.label, w.inverse = 1, 2 // the primary company, as a labelled type
	w.setUpDeals()
	w.setUpCars()
	var wg sync.WaitGroup
	for g := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewSource(randomSeed + 100 + int64(g)))
			for step := range 150 {
				w.step(g, step, rnd)
			}
		}()
	}
	wg.Wait()
	w.mu.Lock()
	for _, f := range w.failures {
		t.Error(f)
	}
	w.mu.Unlock()
	mu.Lock()
	defer mu.Unlock()
	// One line for each path through the engine, with an example.
	byPath := map[string][]string{}
	for _, v := range violations {
		what, path, _ := strings.Cut(v, " in ")
		byPath[path] = append(byPath[path], what)
	}
	for _, path := range slices.Sorted(maps.Keys(byPath)) {
		t.Errorf("%d writes locked out of order in %s, such as: %s", len(byPath[path]), path, byPath[path][0])
	}
}

// A write naming a merged-away id that it looked up just before the merge
// committed finds, once it has locked the records, that the id names a
// record it did not lock: it starts again, and locks that record with the
// others in id order, instead of after them.
func TestWritesNamingAnIDMergedMeanwhile(t *testing.T) {
	t.Parallel()
	checked, violations, do, _ := lockOrderServer(t)
	a := do("POST", "/crm/v3/objects/contacts", `{"properties":{"email":"ma@example.com"}}`, 201)["id"].(string)
	b := do("POST", "/crm/v3/objects/contacts", `{"properties":{"email":"mb@example.com"}}`, 201)["id"].(string)
	n := do("POST", "/crm/v3/objects/contacts/merge", mergeBody(a, b), 200)["id"].(string)
	y := do("POST", "/crm/v3/objects/contacts", `{"properties":{"email":"my@example.com"}}`, 201)["id"].(string)
	old, _ := strconv.ParseInt(a, 10, 64)
	for _, w := range []struct {
		method, path, body string
		status             int
	}{
		{"POST", "/crm/v3/objects/communications", `{"properties":{"hs_communication_channel_type":"SMS","hs_timestamp":1,"hs_communication_body":"hi"},"associations":[` +
			to(a, "HUBSPOT_DEFINED", 81) + "," + to(y, "HUBSPOT_DEFINED", 81) + `]}`, 201},
		{"POST", "/crm/v3/objects/contacts/batch/update", fmt.Sprintf(`{"inputs":[{"id":%q,"properties":{"firstname":"x"}},{"id":%q,"properties":{"firstname":"y"}}]}`, a, y), 200},
		{"PUT", "/crm/v4/objects/contacts/" + a + "/associations/default/contacts/" + y, "", 200},
	} {
		*violations = nil
		checked.unmerged.Store(old)
		do(w.method, w.path, w.body, w.status)
		if checked.unmerged.Load() != 0 {
			t.Fatalf("%s %s did not look merged ids up", w.method, w.path)
		}
		if len(*violations) > 0 {
			t.Errorf("%s %s locked out of order: %v", w.method, w.path, *violations)
		}
	}
	if got := do("GET", "/crm/v3/objects/contacts/"+a+"?properties=firstname", "", 200); got["id"] != n || props(got)["firstname"] != "x" {
		t.Errorf("the merged contact after the writes: %v", got)
	}
}
