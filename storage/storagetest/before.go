package storagetest

import (
	"bytes"
	"compress/gzip"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// A database of each kind written by Spoke before its stores shared their
// SQL (commit 85a65eb): the same data through the engine on both, at the
// schema versions of then (SQLite 0001-0010, PostgreSQL 0001-0005).
//
//   - testdata/before/sqlite.db.gz: the SQLite file, checkpointed, gzipped;
//   - testdata/before/postgres.sql: pg_dump --inserts of its schema, the
//     schema's name taken out, to be run in an empty schema;
//   - testdata/before/<driver>.json: Snapshot of each, read then by that
//     code's store.
//
// The data: owners (one archived), a custom property group, a unique and
// an enumeration custom property of contacts, a user-defined association
// label, contacts, a company and messages seeded with ids of their own and
// created by the engine (ids from the sequences), associations of both
// kinds, an update (history), an archived message, a token that was used
// and a web session with a flash.
//
//go:embed testdata/before
var before embed.FS

// BeforeSQLite returns the SQLite database file.
func BeforeSQLite(t testing.TB) []byte {
	t.Helper()
	data, err := before.ReadFile("testdata/before/sqlite.db.gz")
	if err != nil {
		t.Fatal(err)
	}
	r, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// BeforePostgres returns the SQL that recreates the PostgreSQL database in
// the current schema.
func BeforePostgres(t testing.TB) string {
	t.Helper()
	data, err := before.ReadFile("testdata/before/postgres.sql")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// Before checks a store opened on the database of driver ("sqlite" or
// "postgres") from BeforeSQLite or BeforePostgres: everything in it reads
// back as the code of then read it, and the store goes on from there (new
// ids past the old ones, unique values still held, the schema complete
// enough to write, search and reset).
func Before(t *testing.T, s crm.Store, driver string) {
	data, err := before.ReadFile("testdata/before/" + driver + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var want Snapshot
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	got, err := TakeSnapshot(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, _ := json.MarshalIndent(want, "", " ")
	gotJSON, _ := json.MarshalIndent(got, "", " ")
	if !bytes.Equal(wantJSON, gotJSON) {
		t.Errorf("the database reads back differently:\ngot  %s\nwant %s", gotJSON, wantJSON)
	}

	var maxID int64
	for _, o := range got.Objects {
		maxID = max(maxID, o.ID)
	}
	clock := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
	e := crm.NewEngine(s, func() time.Time { return clock }, 24800001)
	if err := e.LoadSchemas(ctx); err != nil {
		t.Fatal(err)
	}
	contacts, _ := e.Types.Resolve("contacts")
	msgs, _ := e.Types.Resolve("communications")
	actor := crm.Actor{SourceType: crm.SourceIntegration, SourceID: "1"}

	c, err := e.Create(ctx, actor, contacts, crm.CreateInput{Properties: map[string]string{"email": "new@example.com", "customer_code": "C-9"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.ID <= maxID {
		t.Errorf("new record's id %d, want one past %d", c.ID, maxID)
	}
	// The unique values of then are still held.
	for key, holder := range want.Unique {
		k := strings.SplitN(key, " ", 3)
		err := s.Write(ctx, func(tx crm.Tx) error { return tx.ClaimUnique(ctx, k[0], k[1], k[2], c.ID) })
		var ue *crm.UniqueConflictError
		if !errors.As(err, &ue) || ue.ExistingID != holder {
			t.Errorf("claim of %s held by %d: %v", key, holder, err)
		}
	}

	// Search: the messages of then and a new one.
	if _, err := e.Create(ctx, actor, msgs, crm.CreateInput{Properties: map[string]string{
		"hs_communication_channel_type": crm.ChannelWhatsApp, "hs_communication_logged_from": "CRM",
		"hs_communication_body": "Parcel returned", "hs_timestamp": "1748770009000",
	}}); err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	for _, tc := range []struct {
		req  crm.SearchRequest
		want int
	}{
		{crm.SearchRequest{Query: "parcel"}, 2}, // one seeded then (the other is archived), one new
		// hs_object_id, once an entry of the index, is the record id.
		{crm.SearchRequest{Query: "parcel", FilterGroups: [][]crm.FilterInput{{
			{PropertyName: str("hs_object_id"), Operator: str(crm.OpLTE), Value: str(strconv.FormatInt(maxID, 10))},
		}}}, 1},
		{crm.SearchRequest{Query: "parcel", FilterGroups: [][]crm.FilterInput{{{PropertyName: str("hs_object_id"), Operator: str(crm.OpHasProperty)}}}}, 2},
		{crm.SearchRequest{FilterGroups: [][]crm.FilterInput{{{PropertyName: str("hs_object_id"), Operator: str(crm.OpNotHasProperty)}}}}, 0},
		{crm.SearchRequest{FilterGroups: [][]crm.FilterInput{{
			{PropertyName: str("hs_communication_channel_type"), Operator: str(crm.OpEQ), Value: str(crm.ChannelWhatsApp)},
			{PropertyName: str("hs_timestamp"), Operator: str(crm.OpBetween), Value: str("1748770000000"), HighValue: str("1748770010000")},
		}}}, 3},
	} {
		res, err := e.Search(ctx, msgs, tc.req)
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != tc.want {
			t.Errorf("search %+v: %d results, want %d", tc.req, res.Total, tc.want)
		}
	}

	// Reset restarts the sequences the migrations of then created.
	if err := e.ResetData(ctx, crm.ResetScope{Owners: true, Schema: true}); err != nil {
		t.Fatal(err)
	}
	err = s.Write(ctx, func(tx crm.Tx) error {
		ids, err := tx.NextIDs(ctx, 1)
		if err != nil {
			return err
		}
		labels, err := tx.NextLabelIDs(ctx, 1)
		if err != nil {
			return err
		}
		o := &crm.Owner{Email: "x@example.com"}
		if err := tx.InsertOwner(ctx, o); err != nil {
			return err
		}
		if ids[0] != 10000000001 || labels[0] != 2001 || o.ID != 80000001 || o.UserID != 9000001 {
			t.Errorf("after reset: record id %d, label id %d, owner %d, user %d; want the first of each", ids[0], labels[0], o.ID, o.UserID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Snapshot is what a store holds, read through crm.ReadTx and the token
// and session stores, in a stable order.
type Snapshot struct {
	Objects      []*crm.Object
	History      []crm.HistoryEntry
	Unique       map[string]int64 // "type property value" → holder
	Owners       []*crm.Owner
	Properties   map[string][]*crm.PropertyDefinition
	Groups       map[string][]*crm.PropertyGroup
	Labels       []*crm.AssociationLabel
	Associations []crm.AssociationRow
	Tokens       []*crm.Token
	Session      *crm.WebSession
}

// snapshotTypes are the types the data has records of.
var snapshotTypes = []string{"0-1", "0-2", "0-18"}

// TakeSnapshot reads the data Before knows of.
func TakeSnapshot(ctx context.Context, s crm.Store) (*Snapshot, error) {
	snap := &Snapshot{Unique: map[string]int64{}, Properties: map[string][]*crm.PropertyDefinition{}, Groups: map[string][]*crm.PropertyGroup{}}
	err := s.Read(ctx, func(tx crm.ReadTx) error {
		var ids []int64
		names := map[string]bool{}
		for _, typeID := range snapshotTypes {
			for _, archived := range []bool{false, true} {
				objs, err := tx.ListObjects(ctx, crm.ListQuery{TypeID: typeID, Archived: archived, Limit: 1000})
				if err != nil {
					return err
				}
				for _, o := range objs {
					ids = append(ids, o.ID)
					for n := range o.Properties {
						names[n] = true
					}
				}
				snap.Objects = append(snap.Objects, objs...)
			}
			props, err := tx.CustomProperties(ctx, typeID)
			if err != nil {
				return err
			}
			if len(props) > 0 {
				snap.Properties[typeID] = props
			}
			groups, err := tx.PropertyGroups(ctx, typeID)
			if err != nil {
				return err
			}
			if len(groups) > 0 {
				snap.Groups[typeID] = groups
			}
		}
		var err error
		if snap.History, err = tx.History(ctx, ids, slices.Sorted(func(yield func(string) bool) {
			for n := range names {
				if !yield(n) {
					return
				}
			}
		})); err != nil {
			return err
		}
		for _, o := range snap.Objects {
			for _, p := range []string{"email", "customer_code"} {
				v := o.Properties[p]
				if v == "" {
					continue
				}
				if id, err := tx.FindUnique(ctx, o.TypeID, p, v); err == nil {
					snap.Unique[o.TypeID+" "+p+" "+v] = id
				} else if !errors.Is(err, crm.ErrNotFound) {
					return err
				}
			}
		}
		for _, archived := range []bool{false, true} {
			owners, err := tx.ListOwners(ctx, crm.OwnerQuery{Archived: archived, Limit: 1000})
			if err != nil {
				return err
			}
			snap.Owners = append(snap.Owners, owners...)
		}
		if snap.Labels, err = tx.AssociationLabels(ctx); err != nil {
			return err
		}
		snap.Associations, err = tx.AllAssociations(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(snap.History, func(a, b crm.HistoryEntry) int {
		if a.ObjectID != b.ObjectID {
			return int(a.ObjectID - b.ObjectID)
		}
		if a.Name != b.Name {
			if a.Name < b.Name {
				return -1
			}
			return 1
		}
		return b.Timestamp.Compare(a.Timestamp)
	})
	if snap.Tokens, err = s.Tokens().ListTokens(ctx); err != nil {
		return nil, err
	}
	snap.Session, err = s.Sessions().Session(ctx, crm.HashToken("session-before"))
	return snap, err
}

// Lines reads a result of one text column as lines, for comparing schemas.
func Lines(t testing.TB, rows interface {
	Next() bool
	Scan(...any) error
	Err() error
}) string {
	t.Helper()
	var b strings.Builder
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		b.WriteString(s + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
