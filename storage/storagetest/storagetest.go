// Package storagetest is the conformance suite every crm.Store
// implementation must pass. Backends call Run from their own tests.
package storagetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// Opener returns a new, empty store that lives until the test ends.
type Opener func(t *testing.T) crm.Store

// Run runs the whole suite against stores made by open.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, crm.Store)
	}{
		{"IDsIncreaseAndNeverRepeat", testIDs},
		{"ObjectRoundTrip", testObjectRoundTrip},
		{"ListFiltersAndOrders", testList},
		{"HistoryNewestFirst", testHistory},
		{"CreateHistoryWithRecord", testCreateHistory},
		{"UniqueClaims", testUnique},
		{"LockedUpserts", testLockedUpserts},
		{"Reset", testReset},
		{"ResetRolledBackKeepsTheSequences", testResetRolledBack},
		{"FailedWriteChangesNothing", testRollback},
		{"ConcurrentWrites", testConcurrentWrites},
		{"Tokens", testTokens},
		{"WebSessions", testSessions},
		{"Owners", testOwners},
		{"CustomPropertiesAndGroups", testCustomProperties},
		{"Associations", testAssociations},
		{"AssociationLabels", testAssociationLabels},
		{"ArchiveWindowAndPurge", testPurge},
		{"Search", testSearch},
		{"SearchIndexEntries", testSearchIndexEntries},
		{"TimeRanges", testTimeRanges},
		{"ValuesHeldByMany", testValuesHeldByMany},
		{"SearchByObjectID", testSearchByObjectID},
		{"EngagementTypesAndUsers", testEngagementTypes},
		{"Pipelines", testPipelines},
		{"MergedIDs", testMergedIDs},
		{"BlockedEmails", testBlockedEmails},
		{"AssociationLimits", testAssociationLimits},
		{"AssociationRowsAndCounts", testAssociationRowsAndCounts},
		{"CustomObjectSchemas", testCustomSchemas},
		{"WebhookOutbox", testWebhookOutbox},
		{"WebhookSlots", testWebhookSlots},
		{"WebhookPrune", testWebhookPrune},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

var ctx = context.Background()

var t0 = time.Date(2025, 2, 18, 5, 51, 18, 584e6, time.UTC)

func newObject(id int64, typeID string, props map[string]string) *crm.Object {
	return &crm.Object{ID: id, TypeID: typeID, Properties: props, CreatedAt: t0, UpdatedAt: t0}
}

// insert stores objects of typeID with the given property maps and returns them.
func insert(t *testing.T, s crm.Store, typeID string, props ...map[string]string) []*crm.Object {
	t.Helper()
	var objs []*crm.Object
	err := s.Write(ctx, func(tx crm.Tx) error {
		ids, err := tx.NextIDs(ctx, len(props))
		if err != nil {
			return err
		}
		for i, p := range props {
			objs = append(objs, newObject(ids[i], typeID, p))
		}
		return tx.InsertObjects(ctx, objs)
	})
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func get(t *testing.T, s crm.Store, typeID string, id int64) (*crm.Object, error) {
	t.Helper()
	var o *crm.Object
	err := s.Read(ctx, func(tx crm.ReadTx) error {
		var err error
		o, err = tx.Object(ctx, typeID, id)
		return err
	})
	return o, err
}

func testIDs(t *testing.T, s crm.Store) {
	var all []int64
	for _, n := range []int{1, 3, 100} {
		s.Write(ctx, func(tx crm.Tx) error {
			ids, err := tx.NextIDs(ctx, n)
			if err != nil {
				t.Fatal(err)
			}
			if len(ids) != n {
				t.Fatalf("NextIDs(%d) gave %d ids", n, len(ids))
			}
			all = append(all, ids...)
			return nil
		})
	}
	for i := 1; i < len(all); i++ {
		if all[i] <= all[i-1] {
			t.Fatalf("ids not increasing: %d then %d", all[i-1], all[i])
		}
	}
	if all[0] <= 1<<32 {
		t.Errorf("first id %d should exceed 2^32", all[0])
	}
}

func testObjectRoundTrip(t *testing.T, s crm.Store) {
	o := insert(t, s, "0-18", map[string]string{"hs_communication_body": "héllo <b>", "hs_timestamp": "2024-01-01T00:00:00Z"})[0]
	got, err := get(t, s, "0-18", o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != o.ID || got.TypeID != "0-18" || got.Properties["hs_communication_body"] != "héllo <b>" ||
		!got.CreatedAt.Equal(t0) || !got.UpdatedAt.Equal(t0) || got.Archived {
		t.Errorf("round trip: %+v", got)
	}
	s.Read(ctx, func(tx crm.ReadTx) error {
		got, err := tx.ObjectsByIDs(ctx, []int64{o.ID, o.ID + 1000})
		if err != nil || len(got) != 1 || got[0].ID != o.ID || got[0].Properties["hs_timestamp"] != "2024-01-01T00:00:00Z" {
			t.Errorf("ObjectsByIDs: %v %v", got, err)
		}
		return nil
	})
	if _, err := get(t, s, "0-1", o.ID); !errors.Is(err, crm.ErrNotFound) {
		t.Errorf("other type: %v", err)
	}
	if _, err := get(t, s, "0-18", o.ID+1000); !errors.Is(err, crm.ErrNotFound) {
		t.Errorf("missing id: %v", err)
	}
	later := t0.Add(time.Hour)
	got.Properties["hs_communication_body"] = "changed"
	got.Archived, got.ArchivedAt, got.UpdatedAt = true, later, later
	got.CreatedAt = t0.Add(-time.Hour) // a seed replacing the record sets it too
	if err := s.Write(ctx, func(tx crm.Tx) error { return tx.UpdateObjects(ctx, []*crm.Object{got}) }); err != nil {
		t.Fatal(err)
	}
	again, _ := get(t, s, "0-18", o.ID)
	if !again.Archived || !again.ArchivedAt.Equal(later) || !again.UpdatedAt.Equal(later) || again.Properties["hs_communication_body"] != "changed" ||
		!again.CreatedAt.Equal(t0.Add(-time.Hour)) {
		t.Errorf("after update: %+v", again)
	}
}

func testList(t *testing.T, s crm.Store) {
	objs := insert(t, s, "0-1", map[string]string{"n": "0"}, map[string]string{"n": "1"}, map[string]string{"n": "2"}, map[string]string{"n": "3"})
	insert(t, s, "0-2", map[string]string{"n": "other"})
	objs[1].Archived, objs[1].ArchivedAt = true, t0
	if err := s.Write(ctx, func(tx crm.Tx) error { return tx.UpdateObjects(ctx, objs[1:2]) }); err != nil {
		t.Fatal(err)
	}
	list := func(q crm.ListQuery) string {
		var out []string
		s.Read(ctx, func(tx crm.ReadTx) error {
			got, err := tx.ListObjects(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range got {
				out = append(out, o.Properties["n"])
			}
			return nil
		})
		return fmt.Sprint(out)
	}
	for _, tc := range []struct {
		q    crm.ListQuery
		want string
	}{
		{crm.ListQuery{TypeID: "0-1", Limit: 10}, "[0 2 3]"},
		{crm.ListQuery{TypeID: "0-1", Limit: 2}, "[0 2]"},
		{crm.ListQuery{TypeID: "0-1", Limit: 10, AfterID: objs[2].ID}, "[2 3]"},
		{crm.ListQuery{TypeID: "0-1", Limit: 10, Archived: true}, "[1]"},
		{crm.ListQuery{TypeID: "0-5", Limit: 10}, "[]"},
	} {
		if got := list(tc.q); got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.q, got, tc.want)
		}
	}
}

func testHistory(t *testing.T, s crm.Store) {
	objs := insert(t, s, "0-18", map[string]string{}, map[string]string{})
	var entries []crm.HistoryEntry
	for i := range 3 {
		for _, o := range objs {
			entries = append(entries,
				crm.HistoryEntry{ObjectID: o.ID, Name: "a", Value: fmt.Sprint(i), Timestamp: t0.Add(time.Duration(i) * time.Second), SourceType: "INTEGRATION", SourceID: "7"},
				crm.HistoryEntry{ObjectID: o.ID, Name: "b", Value: "b" + fmt.Sprint(i), Timestamp: t0, SourceType: "CALCULATED"})
		}
	}
	if err := s.Write(ctx, func(tx crm.Tx) error { return tx.AppendHistory(ctx, entries) }); err != nil {
		t.Fatal(err)
	}
	var got []crm.HistoryEntry
	s.Read(ctx, func(tx crm.ReadTx) error {
		var err error
		got, err = tx.History(ctx, []int64{objs[0].ID}, []string{"a"})
		return err
	})
	if len(got) != 3 || got[0].Value != "2" || got[2].Value != "0" || got[0].SourceID != "7" || got[0].SourceType != "INTEGRATION" ||
		!got[0].Timestamp.Equal(t0.Add(2*time.Second)) || got[0].ObjectID != objs[0].ID {
		t.Errorf("history %+v", got)
	}
	s.Read(ctx, func(tx crm.ReadTx) error {
		got, _ = tx.History(ctx, []int64{objs[0].ID, objs[1].ID}, []string{"a", "b"})
		return nil
	})
	if len(got) != 12 {
		t.Errorf("history for two objects and names: %d entries", len(got))
	}
	// DeleteHistory forgets the values of the records named, and only theirs.
	if err := s.Write(ctx, func(tx crm.Tx) error { return tx.DeleteHistory(ctx, []int64{objs[0].ID}) }); err != nil {
		t.Fatal(err)
	}
	s.Read(ctx, func(tx crm.ReadTx) error {
		got, _ = tx.History(ctx, []int64{objs[0].ID, objs[1].ID}, []string{"a", "b"})
		return nil
	})
	if len(got) != 6 || got[0].ObjectID != objs[1].ID {
		t.Errorf("history after DeleteHistory of one record: %+v", got)
	}
}

// testLockedUpserts runs concurrent upserts of one value: lock it, look it
// up, create the record holding it when there is none. Exactly one creates
// it and no claim ever conflicts.
func testLockedUpserts(t *testing.T, s crm.Store) {
	const workers = 20
	key := crm.UniqueKey{TypeID: "0-1", Property: "email", Value: "same@example.com"}
	other := crm.UniqueKey{TypeID: "0-1", Property: "email", Value: "other@example.com"}
	var (
		mu      sync.Mutex
		created int
		wg      sync.WaitGroup
		start   = make(chan struct{})
	)
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			var made bool
			err := s.Write(ctx, func(tx crm.Tx) error {
				made = false
				// Keys in either order, and a key locked twice, are fine.
				keys := []crm.UniqueKey{key, other}
				if w%2 == 1 {
					keys = []crm.UniqueKey{other, key, key}
				}
				if err := tx.LockUnique(ctx, keys); err != nil {
					return err
				}
				if err := tx.LockUnique(ctx, keys[:1]); err != nil {
					return err
				}
				if _, err := tx.FindUnique(ctx, key.TypeID, key.Property, key.Value); !errors.Is(err, crm.ErrNotFound) {
					return err // found (nil): the upsert updates it
				}
				ids, err := tx.NextIDs(ctx, 1)
				if err != nil {
					return err
				}
				if err := tx.InsertObjects(ctx, []*crm.Object{newObject(ids[0], "0-1", map[string]string{"email": key.Value})}); err != nil {
					return err
				}
				made = true
				return tx.ClaimUnique(ctx, key.TypeID, key.Property, key.Value, ids[0])
			})
			if err == nil && made {
				mu.Lock()
				created++
				mu.Unlock()
			}
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("locked upsert: %v", err)
		}
	}
	if created != 1 {
		t.Errorf("%d of %d locked upserts created the record, want 1", created, workers)
	}
	if err := s.Write(ctx, func(tx crm.Tx) error { return tx.LockUnique(ctx, nil) }); err != nil {
		t.Errorf("locking nothing: %v", err)
	}
}

func testUnique(t *testing.T, s crm.Store) {
	objs := insert(t, s, "0-1", map[string]string{}, map[string]string{})
	a, b := objs[0].ID, objs[1].ID
	claim := func(id int64, v string) error {
		return s.Write(ctx, func(tx crm.Tx) error { return tx.ClaimUnique(ctx, "0-1", "email", v, id) })
	}
	if err := claim(a, "x@y.z"); err != nil {
		t.Fatal(err)
	}
	if err := claim(a, "x@y.z"); err != nil {
		t.Errorf("re-claim by holder: %v", err)
	}
	var conflict *crm.UniqueConflictError
	if err := claim(b, "x@y.z"); !errors.As(err, &conflict) || conflict.ExistingID != a || !errors.Is(err, crm.ErrConflict) {
		t.Fatalf("conflict: %v", err)
	}
	if err := s.Write(ctx, func(tx crm.Tx) error { return tx.ClaimUnique(ctx, "0-2", "email", "x@y.z", b) }); err != nil {
		t.Errorf("same value on another type: %v", err)
	}
	var found int64
	s.Read(ctx, func(tx crm.ReadTx) error {
		found, _ = tx.FindUnique(ctx, "0-1", "email", "x@y.z")
		return nil
	})
	if found != a {
		t.Errorf("FindUnique = %d, want %d", found, a)
	}
	if err := s.Write(ctx, func(tx crm.Tx) error { return tx.ReleaseUnique(ctx, "0-1", a, "") }); err != nil {
		t.Fatal(err)
	}
	if err := claim(b, "x@y.z"); err != nil {
		t.Errorf("claim after release: %v", err)
	}
	s.Read(ctx, func(tx crm.ReadTx) error {
		if _, err := tx.FindUnique(ctx, "0-1", "email", "nobody"); !errors.Is(err, crm.ErrNotFound) {
			t.Errorf("FindUnique missing: %v", err)
		}
		return nil
	})
}

func testRollback(t *testing.T, s crm.Store) {
	boom := errors.New("boom")
	var id int64
	err := s.Write(ctx, func(tx crm.Tx) error {
		ids, err := tx.NextIDs(ctx, 1)
		if err != nil {
			return err
		}
		id = ids[0]
		o := newObject(id, "0-18", map[string]string{"a": "1"})
		if err := tx.InsertObjects(ctx, []*crm.Object{o}); err != nil {
			return err
		}
		if err := tx.AppendHistory(ctx, []crm.HistoryEntry{{ObjectID: id, Name: "a", Value: "1", Timestamp: t0, SourceType: "X"}}); err != nil {
			return err
		}
		if err := tx.ClaimUnique(ctx, "0-18", "k", "v", id); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write returned %v", err)
	}
	if _, err := get(t, s, "0-18", id); !errors.Is(err, crm.ErrNotFound) {
		t.Errorf("rolled-back object visible: %v", err)
	}
	s.Read(ctx, func(tx crm.ReadTx) error {
		if _, err := tx.FindUnique(ctx, "0-18", "k", "v"); !errors.Is(err, crm.ErrNotFound) {
			t.Errorf("rolled-back claim visible: %v", err)
		}
		if h, _ := tx.History(ctx, []int64{id}, []string{"a"}); len(h) != 0 {
			t.Errorf("rolled-back history visible: %v", h)
		}
		return nil
	})
}

func testConcurrentWrites(t *testing.T, s crm.Store) {
	const workers, each = 4, 25
	var (
		mu   sync.Mutex
		seen = map[int64]bool{}
		wg   sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				err := s.Write(ctx, func(tx crm.Tx) error {
					ids, err := tx.NextIDs(ctx, 1)
					if err != nil {
						return err
					}
					mu.Lock()
					seen[ids[0]] = true
					mu.Unlock()
					return tx.InsertObjects(ctx, []*crm.Object{newObject(ids[0], "0-18", map[string]string{})})
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(seen) != workers*each {
		t.Errorf("%d distinct ids for %d writes", len(seen), workers*each)
	}
	s.Read(ctx, func(tx crm.ReadTx) error {
		got, _ := tx.ListObjects(ctx, crm.ListQuery{TypeID: "0-18", Limit: 1000})
		if len(got) != workers*each {
			t.Errorf("%d objects stored", len(got))
		}
		return nil
	})
}

// testResetRolledBack checks that a reset that does not commit (it lost a
// deadlock, or a later statement failed) leaves the id sequences where they
// were: restarted on tables that keep their rows, they would hand out ids
// already stored, and every create would fail until the next reset.
func testResetRolledBack(t *testing.T, s crm.Store) {
	ctx := context.Background()
	var first []int64
	if err := s.Write(ctx, func(tx crm.Tx) error {
		var err error
		first, err = tx.NextIDs(ctx, 3)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	undone := errors.New("undone")
	err := s.Write(ctx, func(tx crm.Tx) error {
		if err := tx.Reset(ctx, crm.ResetScope{Owners: true, Schema: true}); err != nil {
			return err
		}
		return undone
	})
	if !errors.Is(err, undone) {
		t.Fatalf("reset: %v", err)
	}
	var next []int64
	if err := s.Write(ctx, func(tx crm.Tx) error {
		var err error
		next, err = tx.NextIDs(ctx, 1)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if next[0] <= first[2] {
		t.Errorf("after a reset rolled back the sequence hands out %d again (had reached %d)", next[0], first[2])
	}
}

// testReset checks that a reset empties records always, owners, schema and
// tokens when asked, and restarts the sequences of what it empties.
func testReset(t *testing.T, s crm.Store) {
	var firstID, firstLabel int64
	owner := crm.Owner{Email: "o@example.com", Type: "PERSON", CreatedAt: t0, UpdatedAt: t0}
	fill := func() {
		t.Helper()
		err := s.Write(ctx, func(tx crm.Tx) error {
			ids, err := tx.NextIDs(ctx, 2)
			if err != nil {
				return err
			}
			labels, err := tx.NextLabelIDs(ctx, 1)
			if err != nil {
				return err
			}
			if firstID == 0 {
				firstID, firstLabel = ids[0], labels[0]
			}
			a, b := newObject(ids[0], "0-1", map[string]string{"email": "a@example.com"}), newObject(ids[1], "0-18", map[string]string{})
			o := owner
			for _, step := range []error{
				tx.InsertObjects(ctx, []*crm.Object{a, b}),
				tx.AppendHistory(ctx, []crm.HistoryEntry{{ObjectID: a.ID, Name: "email", Value: "a@example.com", Timestamp: t0, SourceType: "X"}}),
				tx.ClaimUnique(ctx, "0-1", "email", "a@example.com", a.ID),
				tx.AddAssociations(ctx, []crm.AssociationRow{{FromID: b.ID, FromType: "0-18", ToID: a.ID, ToType: "0-1", TypeID: 81, Category: crm.CategoryHubSpotDefined},
					{FromID: a.ID, FromType: "0-1", ToID: b.ID, ToType: "0-18", TypeID: 82, Category: crm.CategoryHubSpotDefined}}),
				tx.IndexObjects(ctx, []crm.SearchDoc{{ObjectID: a.ID, TypeID: "0-1", Text: "a example com", New: true}}),
				tx.InsertOwner(ctx, &o),
				tx.PutCustomProperty(ctx, "0-1", &crm.PropertyDefinition{Name: "tier", Label: "Tier", Type: crm.TypeString, FieldType: "text", GroupName: "g"}),
				tx.PutPropertyGroup(ctx, "0-1", &crm.PropertyGroup{Name: "g", Label: "G"}),
				tx.PutAssociationLabel(ctx, &crm.AssociationLabel{TypeID: labels[0], InverseID: labels[0], From: "0-1", To: "0-1", Label: "Peer", Name: "peer"}),
			} {
				if step != nil {
					return step
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	reset := func(scope crm.ResetScope) {
		t.Helper()
		if err := s.Write(ctx, func(tx crm.Tx) error { return tx.Reset(ctx, scope) }); err != nil {
			t.Fatal(err)
		}
	}
	// counts reports records, history, claims, associations, search hits,
	// owners, custom properties, groups, labels and tokens.
	counts := func() string {
		t.Helper()
		var out []int
		err := s.Read(ctx, func(tx crm.ReadTx) error {
			objs, err := tx.ListObjects(ctx, crm.ListQuery{TypeID: "0-1", Limit: 10})
			if err != nil {
				return err
			}
			h, _ := tx.History(ctx, []int64{firstID}, []string{"email"})
			claims := 0
			if _, err := tx.FindUnique(ctx, "0-1", "email", "a@example.com"); err == nil {
				claims = 1
			}
			assoc, _ := tx.AllAssociations(ctx)
			_, hits, err := tx.Search(ctx, crm.SearchQuery{TypeID: "0-1", Terms: []string{"example"}, Limit: 10})
			if err != nil {
				return err
			}
			owners, _ := tx.ListOwners(ctx, crm.OwnerQuery{Limit: 10})
			props, _ := tx.CustomProperties(ctx, "0-1")
			groups, _ := tx.PropertyGroups(ctx, "0-1")
			labels, _ := tx.AssociationLabels(ctx)
			out = append(out, len(objs), len(h), claims, len(assoc), hits, len(owners), len(props), len(groups), len(labels))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		tokens, _ := s.Tokens().ListTokens(ctx)
		return fmt.Sprint(append(out, len(tokens)))
	}
	if err := s.Tokens().CreateToken(ctx, &crm.Token{Name: "ci", Hash: crm.HashToken("x"), CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	fill()
	firstOwner := owner
	s.Read(ctx, func(tx crm.ReadTx) error {
		list, _ := tx.ListOwners(ctx, crm.OwnerQuery{Limit: 1})
		firstOwner = *list[0]
		return nil
	})
	if got := counts(); got != "[1 1 1 1 1 1 1 1 1 1]" {
		t.Fatalf("filled: %s", got)
	}
	reset(crm.ResetScope{})
	if got := counts(); got != "[0 0 0 0 0 1 1 1 1 1]" {
		t.Errorf("after a reset of records: %s", got)
	}
	reset(crm.ResetScope{Owners: true, Schema: true})
	if got := counts(); got != "[0 0 0 0 0 0 0 0 0 1]" {
		t.Errorf("after a reset of owners and schema: %s", got)
	}
	// The sequences of what was emptied start again.
	var id, label int64
	s.Write(ctx, func(tx crm.Tx) error {
		ids, _ := tx.NextIDs(ctx, 1)
		labels, _ := tx.NextLabelIDs(ctx, 1)
		id, label = ids[0], labels[0]
		o := owner
		if err := tx.InsertOwner(ctx, &o); err != nil {
			t.Error(err)
		}
		if o.ID != firstOwner.ID || o.UserID != firstOwner.UserID {
			t.Errorf("owner ids after reset: %d/%d, first %d/%d", o.ID, o.UserID, firstOwner.ID, firstOwner.UserID)
		}
		return nil
	})
	if id != firstID || label != firstLabel {
		t.Errorf("ids after reset: %d, label %d; first %d, label %d", id, label, firstID, firstLabel)
	}
	reset(crm.ResetScope{Tokens: true})
	if got := counts(); got != "[0 0 0 0 0 1 0 0 0 0]" {
		t.Errorf("after a reset of tokens: %s", got)
	}
}

func testTokens(t *testing.T, s crm.Store) {
	ts := s.Tokens()
	tok := &crm.Token{Name: "ci", Hash: crm.HashToken("secret"), Scopes: []string{"crm.objects.contacts.read", "tickets"}, CreatedAt: t0}
	if err := ts.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if tok.ID == 0 {
		t.Fatal("no id assigned")
	}
	got, err := ts.TokenByHash(ctx, crm.HashToken("secret"))
	if err != nil || got.ID != tok.ID || got.Name != "ci" || fmt.Sprint(got.Scopes) != "[crm.objects.contacts.read tickets]" || !got.CreatedAt.Equal(t0) {
		t.Fatalf("TokenByHash: %+v %v", got, err)
	}
	if _, err := ts.TokenByHash(ctx, crm.HashToken("other")); !errors.Is(err, crm.ErrNotFound) {
		t.Errorf("unknown hash: %v", err)
	}
	if err := ts.TouchToken(ctx, tok.ID, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := ts.RevokeToken(ctx, tok.ID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := ts.RevokeToken(ctx, tok.ID, t0.Add(time.Hour)); !errors.Is(err, crm.ErrNotFound) {
		t.Errorf("second revoke: %v", err)
	}
	if _, err := ts.TokenByHash(ctx, crm.HashToken("secret")); !errors.Is(err, crm.ErrNotFound) {
		t.Errorf("revoked token still found: %v", err)
	}
	list, err := ts.ListTokens(ctx)
	if err != nil || len(list) != 1 || !list[0].RevokedAt.Equal(t0.Add(time.Hour)) || !list[0].LastUsedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("ListTokens: %+v %v", list, err)
	}
}

func testSessions(t *testing.T, s crm.Store) {
	ss := s.Sessions()
	a := &crm.WebSession{IDHash: crm.HashToken("cookie-a"), TokenHash: crm.HashToken("secret"), CSRF: "csrf-a", SeenAt: t0}
	b := &crm.WebSession{IDHash: crm.HashToken("cookie-b"), TokenHash: crm.HashToken("secret"), CSRF: "csrf-b", SeenAt: t0.Add(time.Hour)}
	for _, ws := range []*crm.WebSession{a, b} {
		if err := ss.CreateSession(ctx, ws); err != nil {
			t.Fatal(err)
		}
	}
	if err := ss.CreateSession(ctx, a); err == nil {
		t.Error("a second session with the same id was stored")
	}
	got, err := ss.Session(ctx, a.IDHash)
	if err != nil || *got != *a {
		t.Fatalf("Session: %+v %v, want %+v", got, err, a)
	}
	if _, err := ss.Session(ctx, crm.HashToken("unknown")); !errors.Is(err, crm.ErrNotFound) {
		t.Errorf("unknown session: %v", err)
	}

	if err := ss.TouchSession(ctx, a.IDHash, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := ss.Session(ctx, a.IDHash); got == nil || !got.SeenAt.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("after touch: %+v", got)
	}

	for i, step := range []struct{ set, old string }{{`{"Text":"Saved"}`, ""}, {"", `{"Text":"Saved"}`}, {"", ""}} {
		old, err := ss.SwapSessionFlash(ctx, a.IDHash, step.set)
		if err != nil || old != step.old {
			t.Errorf("swap %d: %q %v, want %q", i, old, err, step.old)
		}
	}
	if _, err := ss.SwapSessionFlash(ctx, crm.HashToken("unknown"), "x"); !errors.Is(err, crm.ErrNotFound) {
		t.Errorf("swap on unknown session: %v", err)
	}

	// b was last seen at t0+1h, a at t0+2h.
	if err := ss.DeleteSessionsSeenBefore(ctx, t0.Add(90*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := ss.Session(ctx, b.IDHash); !errors.Is(err, crm.ErrNotFound) {
		t.Errorf("idle session kept: %v", err)
	}
	if _, err := ss.Session(ctx, a.IDHash); err != nil {
		t.Errorf("recent session removed: %v", err)
	}
	if err := ss.DeleteSession(ctx, a.IDHash); err != nil {
		t.Fatal(err)
	}
	if _, err := ss.Session(ctx, a.IDHash); !errors.Is(err, crm.ErrNotFound) {
		t.Errorf("deleted session: %v", err)
	}
}

func testOwners(t *testing.T, s crm.Store) {
	var a, b crm.Owner
	a = crm.Owner{Email: "Ana@Example.com", Type: "PERSON", FirstName: "Ana", LastName: "Lima", CreatedAt: t0, UpdatedAt: t0}
	b = crm.Owner{Email: "queue@example.com", Type: "QUEUE", CreatedAt: t0, UpdatedAt: t0}
	err := s.Write(ctx, func(tx crm.Tx) error {
		if err := tx.InsertOwner(ctx, &a); err != nil {
			return err
		}
		return tx.InsertOwner(ctx, &b)
	})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || b.ID <= a.ID || a.UserID == 0 || a.UserID == b.UserID || a.UserID == a.ID {
		t.Fatalf("ids: %+v %+v", a, b)
	}
	s.Read(ctx, func(tx crm.ReadTx) error {
		got, err := tx.Owner(ctx, a.ID)
		if err != nil || got.Email != a.Email || got.FirstName != "Ana" || !got.CreatedAt.Equal(t0) {
			t.Errorf("Owner: %+v %v", got, err)
		}
		if got, err := tx.OwnerByUserID(ctx, b.UserID); err != nil || got.ID != b.ID {
			t.Errorf("OwnerByUserID: %+v %v", got, err)
		}
		if _, err := tx.Owner(ctx, b.ID+100); !errors.Is(err, crm.ErrNotFound) {
			t.Errorf("missing owner: %v", err)
		}
		list, _ := tx.ListOwners(ctx, crm.OwnerQuery{Email: "ana@example.com", Limit: 10})
		if len(list) != 1 || list[0].ID != a.ID {
			t.Errorf("by email: %v", list)
		}
		list, _ = tx.ListOwners(ctx, crm.OwnerQuery{AfterID: b.ID, Limit: 10})
		if len(list) != 1 || list[0].ID != b.ID {
			t.Errorf("after: %v", list)
		}
		return nil
	})
	// UpdateOwner replaces every field but the id and creation time.
	oldUser := a.UserID
	a.Archived, a.ArchivedAt = true, t0.Add(time.Hour)
	a.Email, a.FirstName, a.LastName, a.Type, a.UserID = "ana.lima@example.com", "Ana Maria", "Lima Santos", "QUEUE", b.UserID+1000
	if err := s.Write(ctx, func(tx crm.Tx) error { return tx.UpdateOwner(ctx, &a) }); err != nil {
		t.Fatal(err)
	}
	s.Read(ctx, func(tx crm.ReadTx) error {
		got, err := tx.OwnerByUserID(ctx, a.UserID)
		if err != nil || got.ID != a.ID || got.Email != a.Email || got.FirstName != "Ana Maria" || got.LastName != "Lima Santos" ||
			got.Type != "QUEUE" || !got.CreatedAt.Equal(t0) {
			t.Errorf("updated owner: %+v %v", got, err)
		}
		if _, err := tx.OwnerByUserID(ctx, oldUser); !errors.Is(err, crm.ErrNotFound) {
			t.Errorf("old user id still found: %v", err)
		}
		return nil
	})
	s.Read(ctx, func(tx crm.ReadTx) error {
		live, _ := tx.ListOwners(ctx, crm.OwnerQuery{Limit: 10})
		archived, _ := tx.ListOwners(ctx, crm.OwnerQuery{Archived: true, Limit: 10})
		if len(live) != 1 || len(archived) != 1 || !archived[0].ArchivedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("live %v archived %v", live, archived)
		}
		return nil
	})
}

func testCustomProperties(t *testing.T, s crm.Store) {
	p := &crm.PropertyDefinition{Name: "wa_thread", Label: "Thread", Type: crm.TypeString, FieldType: "text", GroupName: "g", Unique: true, CreatedAt: t0}
	q := &crm.PropertyDefinition{Name: "mood", Label: "Mood", Type: crm.TypeEnumeration, FieldType: "select", Options: []crm.PropertyOption{{Label: "Happy", Value: "happy"}}}
	err := s.Write(ctx, func(tx crm.Tx) error {
		for _, d := range []*crm.PropertyDefinition{p, q} {
			if err := tx.PutCustomProperty(ctx, "0-18", d); err != nil {
				return err
			}
		}
		return tx.PutPropertyGroup(ctx, "0-18", &crm.PropertyGroup{Name: "g", Label: "G", DisplayOrder: 2})
	})
	if err != nil {
		t.Fatal(err)
	}
	p.Label, p.Archived = "Renamed", true
	if err := s.Write(ctx, func(tx crm.Tx) error { return tx.PutCustomProperty(ctx, "0-18", p) }); err != nil {
		t.Fatal(err)
	}
	s.Read(ctx, func(tx crm.ReadTx) error {
		got, err := tx.CustomProperties(ctx, "0-18")
		if err != nil || len(got) != 2 || got[0].Name != "wa_thread" || got[0].Label != "Renamed" || !got[0].Archived || !got[0].Unique ||
			!got[0].CreatedAt.Equal(t0) || got[1].Options[0].Value != "happy" {
			t.Errorf("CustomProperties: %+v %v", got, err)
		}
		if other, _ := tx.CustomProperties(ctx, "0-1"); len(other) != 0 {
			t.Errorf("other type sees %v", other)
		}
		groups, err := tx.PropertyGroups(ctx, "0-18")
		if err != nil || len(groups) != 1 || groups[0].Label != "G" || groups[0].DisplayOrder != 2 {
			t.Errorf("PropertyGroups: %+v %v", groups, err)
		}
		return nil
	})
}

// associate stores a pair in both directions with the given type ids.
func associate(t *testing.T, s crm.Store, a, b *crm.Object, ab, ba int64, category string) {
	t.Helper()
	rows := []crm.AssociationRow{
		{FromID: a.ID, FromType: a.TypeID, ToID: b.ID, ToType: b.TypeID, TypeID: ab, Category: category},
		{FromID: b.ID, FromType: b.TypeID, ToID: a.ID, ToType: a.TypeID, TypeID: ba, Category: category},
	}
	if err := s.Write(ctx, func(tx crm.Tx) error { return tx.AddAssociations(ctx, append(rows, rows...)) }); err != nil {
		t.Fatal(err)
	}
}

func testAssociations(t *testing.T, s crm.Store) {
	contact := insert(t, s, "0-1", map[string]string{})[0]
	msgs := insert(t, s, "0-18", map[string]string{}, map[string]string{}, map[string]string{})
	company := insert(t, s, "0-2", map[string]string{})[0]
	for _, m := range msgs {
		associate(t, s, m, contact, 81, 82, crm.CategoryHubSpotDefined)
	}
	associate(t, s, contact, company, 279, 280, crm.CategoryHubSpotDefined)
	associate(t, s, contact, company, 1, 2, crm.CategoryHubSpotDefined)
	from := func(toType string, after int64, max int) string {
		var out []string
		s.Read(ctx, func(tx crm.ReadTx) error {
			rows, err := tx.AssociationsFrom(ctx, contact.ID, toType, after, max)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				out = append(out, fmt.Sprintf("%d/%d", r.ToID-contact.ID, r.TypeID))
			}
			return nil
		})
		return fmt.Sprint(out)
	}
	if got := from("0-18", 0, 10); got != "[1/82 2/82 3/82]" {
		t.Errorf("to messages: %s", got)
	}
	if got := from("0-18", msgs[1].ID, 1); got != "[2/82]" {
		t.Errorf("paged: %s", got)
	}
	if got := from("0-2", 0, 10); got != "[4/1 4/279]" {
		t.Errorf("to company (two types, one target): %s", got)
	}
	if got := from("", 0, 2); got != "[1/82 2/82]" {
		t.Errorf("any type, two targets: %s", got)
	}
	// Archived targets are left out; their rows stay.
	msgs[0].Archived, msgs[0].ArchivedAt = true, t0
	s.Write(ctx, func(tx crm.Tx) error { return tx.UpdateObjects(ctx, msgs[:1]) })
	if got := from("0-18", 0, 10); got != "[2/82 3/82]" {
		t.Errorf("archived target listed: %s", got)
	}
	s.Read(ctx, func(tx crm.ReadTx) error {
		rows, _ := tx.AssociationsBetween(ctx, contact.ID, msgs[0].ID)
		if len(rows) != 1 || rows[0].TypeID != 82 || rows[0].ToType != "0-18" || rows[0].FromType != "0-1" {
			t.Errorf("between: %+v", rows)
		}
		return nil
	})
	err := s.Write(ctx, func(tx crm.Tx) error {
		return tx.RemoveAssociations(ctx, []crm.AssociationRow{{FromID: contact.ID, FromType: "0-1", ToID: company.ID, ToType: "0-2", TypeID: 1, Category: crm.CategoryHubSpotDefined}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := from("0-2", 0, 10); got != "[4/279]" {
		t.Errorf("after remove: %s", got)
	}
}

func testAssociationLabels(t *testing.T, s crm.Store) {
	var ids []int64
	err := s.Write(ctx, func(tx crm.Tx) error {
		var err error
		if ids, err = tx.NextLabelIDs(ctx, 2); err != nil {
			return err
		}
		if err := tx.PutAssociationLabel(ctx, &crm.AssociationLabel{TypeID: ids[0], InverseID: ids[1], From: "0-1", To: "0-2", Label: "Buyer", Name: "buyer"}); err != nil {
			return err
		}
		return tx.PutAssociationLabel(ctx, &crm.AssociationLabel{TypeID: ids[1], InverseID: ids[0], From: "0-2", To: "0-1", Label: "Bought by", Name: "buyer_inverse"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if ids[1] != ids[0]+1 || ids[0] < 1000 {
		t.Errorf("label ids %v", ids)
	}
	a, b := insert(t, s, "0-1", map[string]string{})[0], insert(t, s, "0-2", map[string]string{})[0]
	associate(t, s, a, b, ids[0], ids[1], crm.CategoryUserDefined)
	if err := s.Write(ctx, func(tx crm.Tx) error { return tx.DeleteAssociationLabel(ctx, ids[0]) }); err != nil {
		t.Fatal(err)
	}
	s.Read(ctx, func(tx crm.ReadTx) error {
		labels, _ := tx.AssociationLabels(ctx)
		if len(labels) != 1 || labels[0].TypeID != ids[1] || labels[0].Label != "Bought by" {
			t.Errorf("labels %+v", labels)
		}
		rows, _ := tx.AssociationsBetween(ctx, a.ID, b.ID)
		back, _ := tx.AssociationsBetween(ctx, b.ID, a.ID)
		if len(rows) != 0 || len(back) != 1 {
			t.Errorf("rows of the deleted label kept: %v / %v", rows, back)
		}
		return nil
	})
}

func testPurge(t *testing.T, s crm.Store) {
	objs := insert(t, s, "0-18", map[string]string{"n": "old"}, map[string]string{"n": "recent"}, map[string]string{"n": "live"})
	contact := insert(t, s, "0-1", map[string]string{})[0]
	associate(t, s, objs[0], contact, 81, 82, crm.CategoryHubSpotDefined)
	objs[0].Archived, objs[0].ArchivedAt = true, t0
	objs[1].Archived, objs[1].ArchivedAt = true, t0.Add(48*time.Hour)
	err := s.Write(ctx, func(tx crm.Tx) error {
		if err := tx.ClaimUnique(ctx, "0-18", "k", "v", objs[0].ID); err != nil {
			return err
		}
		if err := tx.AppendHistory(ctx, []crm.HistoryEntry{{ObjectID: objs[0].ID, Name: "n", Value: "old", Timestamp: t0, SourceType: "X"}}); err != nil {
			return err
		}
		return tx.UpdateObjects(ctx, objs[:2])
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Read(ctx, func(tx crm.ReadTx) error {
		got, _ := tx.ListObjects(ctx, crm.ListQuery{TypeID: "0-18", Archived: true, Limit: 10, ArchivedSince: t0.Add(time.Hour)})
		if len(got) != 1 || got[0].ID != objs[1].ID {
			t.Errorf("ArchivedSince: %v", got)
		}
		return nil
	})
	var ids []int64
	err = s.Write(ctx, func(tx crm.Tx) error {
		var err error
		if ids, err = tx.ArchivedBefore(ctx, t0.Add(time.Hour), 10); err != nil {
			return err
		}
		return tx.PurgeObjects(ctx, ids)
	})
	if err != nil || len(ids) != 1 || ids[0] != objs[0].ID {
		t.Fatalf("ArchivedBefore %v %v", ids, err)
	}
	s.Read(ctx, func(tx crm.ReadTx) error {
		if _, err := tx.Object(ctx, "0-18", objs[0].ID); !errors.Is(err, crm.ErrNotFound) {
			t.Errorf("purged object: %v", err)
		}
		if h, _ := tx.History(ctx, ids, []string{"n"}); len(h) != 0 {
			t.Errorf("purged history: %v", h)
		}
		if _, err := tx.FindUnique(ctx, "0-18", "k", "v"); !errors.Is(err, crm.ErrNotFound) {
			t.Errorf("purged claim: %v", err)
		}
		if rows, _ := tx.AssociationsBetween(ctx, contact.ID, objs[0].ID); len(rows) != 0 {
			t.Errorf("purged association: %v", rows)
		}
		if _, err := tx.Object(ctx, "0-18", objs[1].ID); err != nil {
			t.Errorf("recent archive purged: %v", err)
		}
		return nil
	})
}

func num(f float64) *float64 { return &f }
func text(s string) *string  { return &s }

func testSearch(t *testing.T, s crm.Store) {
	objs := insert(t, s, "0-18", map[string]string{}, map[string]string{}, map[string]string{}, map[string]string{})
	contact := insert(t, s, "0-1", map[string]string{})[0]
	docs := []crm.SearchDoc{
		{ObjectID: objs[0].ID, TypeID: "0-18", Values: []crm.IndexedValue{{Name: "ch", Text: text("SMS")}, {Name: "ts", Num: num(30)}}, Text: "Order shipped"},
		{ObjectID: objs[1].ID, TypeID: "0-18", Values: []crm.IndexedValue{{Name: "ch", Text: text("WHATS_APP")}, {Name: "ts", Num: num(10)}}, Text: "Invoice ready"},
		{ObjectID: objs[2].ID, TypeID: "0-18", Values: []crm.IndexedValue{{Name: "ch", Text: text("SMS")}, {Name: "ts", Num: num(20)}, {Name: "tag", Text: text("vip@example.com")}}, Text: "Shipping soon"},
		{ObjectID: objs[3].ID, TypeID: "0-18", Values: []crm.IndexedValue{{Name: "ch", Text: text("SMS")}}},
	}
	if err := s.Write(ctx, func(tx crm.Tx) error { return tx.IndexObjects(ctx, docs) }); err != nil {
		t.Fatal(err)
	}
	associate(t, s, objs[0], contact, 81, 82, crm.CategoryHubSpotDefined)
	associate(t, s, objs[2], contact, 81, 82, crm.CategoryHubSpotDefined)
	f := func(name, op string, nums []float64, texts ...string) crm.SearchFilter {
		return crm.SearchFilter{Property: name, Kind: map[bool]crm.ValueKind{true: crm.KindNumeric, false: crm.KindExact}[nums != nil], Indexed: true, Op: op, Nums: nums, Texts: texts}
	}
	search := func(q crm.SearchQuery) string {
		q.TypeID = "0-18"
		if q.Limit == 0 {
			q.Limit = 10
		}
		var out string
		s.Read(ctx, func(tx crm.ReadTx) error {
			ids, total, err := tx.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var idx []int
			for _, id := range ids {
				for i, o := range objs {
					if o.ID == id {
						idx = append(idx, i)
					}
				}
			}
			out = fmt.Sprint(idx, total)
			return nil
		})
		return out
	}
	for _, tc := range []struct {
		name string
		q    crm.SearchQuery
		want string
	}{
		{"all", crm.SearchQuery{}, "[0 1 2 3] 4"},
		{"EQ", crm.SearchQuery{Groups: [][]crm.SearchFilter{{f("ch", crm.OpEQ, nil, "SMS")}}}, "[0 2 3] 3"},
		{"NEQ", crm.SearchQuery{Groups: [][]crm.SearchFilter{{f("ch", crm.OpNEQ, nil, "SMS")}}}, "[1] 1"},
		{"BETWEEN and EQ", crm.SearchQuery{Groups: [][]crm.SearchFilter{{f("ch", crm.OpEQ, nil, "SMS"), f("ts", crm.OpBetween, []float64{15, 30})}}}, "[0 2] 2"},
		{"IN", crm.SearchQuery{Groups: [][]crm.SearchFilter{{f("ch", crm.OpIn, nil, "WHATS_APP", "X")}}}, "[1] 1"},
		{"HAS", crm.SearchQuery{Groups: [][]crm.SearchFilter{{f("ts", crm.OpHasProperty, []float64{})}}}, "[0 1 2] 3"},
		{"NOT_HAS", crm.SearchQuery{Groups: [][]crm.SearchFilter{{f("ts", crm.OpNotHasProperty, []float64{})}}}, "[3] 1"},
		{"NOT_HAS past the end", crm.SearchQuery{Groups: [][]crm.SearchFilter{{f("ts", crm.OpNotHasProperty, []float64{})}}, Offset: 1, Limit: 5}, "[] 1"},
		{"NOT_HAS text", crm.SearchQuery{Groups: [][]crm.SearchFilter{{f("ch", crm.OpNotHasProperty, nil)}}}, "[] 0"},
		{"NOT_HAS multi-valued", crm.SearchQuery{Groups: [][]crm.SearchFilter{{{Property: "tag", Kind: crm.KindExact, Indexed: true, Multi: true, Op: crm.OpNotHasProperty}}}}, "[0 1 3] 3"},
		{"NOT_HAS sorted", crm.SearchQuery{Groups: [][]crm.SearchFilter{{f("tag", crm.OpNotHasProperty, nil)}}, Sort: &crm.SearchSort{Property: "ts", Kind: crm.KindNumeric, Indexed: true, Desc: true}}, "[0 1 3] 3"},
		{"token", crm.SearchQuery{Groups: [][]crm.SearchFilter{{f("tag", crm.OpContainsToken, nil, "*@example.com")}}}, "[2] 1"},
		{"OR", crm.SearchQuery{Groups: [][]crm.SearchFilter{{f("ts", crm.OpLT, []float64{15})}, {f("ts", crm.OpGT, []float64{25})}}}, "[0 1] 2"},
		{"terms", crm.SearchQuery{Terms: []string{"ship"}}, "[0 2] 2"},
		{"terms and filter", crm.SearchQuery{Terms: []string{"ship"}, Groups: [][]crm.SearchFilter{{f("ts", crm.OpGT, []float64{25})}}}, "[0] 1"},
		{"association", crm.SearchQuery{Groups: [][]crm.SearchFilter{{{Property: "associations.contact", Op: crm.OpEQ, AssociatedWith: "0-1", Nums: []float64{float64(contact.ID)}, Indexed: true}}}}, "[0 2] 2"},
		{"sort desc", crm.SearchQuery{Sort: &crm.SearchSort{Property: "ts", Kind: crm.KindNumeric, Indexed: true, Desc: true}}, "[0 2 1 3] 4"},
		{"sort asc, missing last", crm.SearchQuery{Sort: &crm.SearchSort{Property: "ts", Kind: crm.KindNumeric, Indexed: true}}, "[1 2 0 3] 4"},
		{"page", crm.SearchQuery{Offset: 1, Limit: 2}, "[1 2] 4"},
		{"past the end", crm.SearchQuery{Offset: 10, Limit: 2}, "[] 4"},
	} {
		if got := search(tc.q); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	if err := s.Write(ctx, func(tx crm.Tx) error { return tx.UnindexObjects(ctx, []int64{objs[0].ID}) }); err != nil {
		t.Fatal(err)
	}
	if got := search(crm.SearchQuery{Terms: []string{"ship"}}); got != "[2] 1" {
		t.Errorf("after unindex: %s", got)
	}
	// Records lacking a property are counted among live records only.
	notHas := crm.SearchQuery{Groups: [][]crm.SearchFilter{{f("ts", crm.OpNotHasProperty, []float64{})}}}
	if got := search(notHas); got != "[0 3] 2" {
		t.Errorf("NOT_HAS after unindex: %s", got)
	}
	objs[3].Archived, objs[3].ArchivedAt = true, t0
	if err := s.Write(ctx, func(tx crm.Tx) error { return tx.UpdateObjects(ctx, objs[3:4]) }); err != nil {
		t.Fatal(err)
	}
	if got := search(notHas); got != "[0] 1" {
		t.Errorf("NOT_HAS after archive: %s", got)
	}
}
