package storagetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// mergedInto reads where ids resolve to, as "old>new" pairs in the order of ids.
func mergedInto(t *testing.T, s crm.Store, ids ...int64) string {
	t.Helper()
	var out []string
	err := s.Read(ctx, func(tx crm.ReadTx) error {
		m, err := tx.MergedInto(ctx, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if to, ok := m[id]; ok {
				out = append(out, fmt.Sprintf("%d>%d", id-ids[0], to-ids[0]))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(out)
}

// Merged ids resolve to the record they were merged into; merging that
// record again moves them along; purging the record drops them; a failed
// write keeps none.
func testMergedIDs(t *testing.T, s crm.Store) {
	objs := insert(t, s, "0-1", map[string]string{}, map[string]string{}, map[string]string{}, map[string]string{}, map[string]string{})
	a, b, c, n1, n2 := objs[0].ID, objs[1].ID, objs[2].ID, objs[3].ID, objs[4].ID
	if got := mergedInto(t, s, a, b, c); got != "[]" {
		t.Errorf("before any merge: %s", got)
	}
	write := func(fn func(tx crm.Tx) error) {
		t.Helper()
		if err := s.Write(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	write(func(tx crm.Tx) error { return tx.MergeIDs(ctx, []int64{a, b}, n1) })
	if got := mergedInto(t, s, a, b, c, n1); got != "[0>3 1>3]" {
		t.Errorf("after the first merge: %s", got)
	}
	write(func(tx crm.Tx) error { return tx.MergeIDs(ctx, []int64{n1, c}, n2) })
	if got := mergedInto(t, s, a, b, c, n1, n2); got != "[0>4 1>4 2>4 3>4]" {
		t.Errorf("after the second merge: %s", got)
	}
	boom := errors.New("boom")
	err := s.Write(ctx, func(tx crm.Tx) error {
		if err := tx.MergeIDs(ctx, []int64{n2}, a); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("failed write: %v", err)
	}
	if got := mergedInto(t, s, a, b, c, n1, n2); got != "[0>4 1>4 2>4 3>4]" {
		t.Errorf("a failed write changed merged ids: %s", got)
	}
	write(func(tx crm.Tx) error { return tx.PurgeObjects(ctx, []int64{n2}) })
	if got := mergedInto(t, s, a, b, c, n1, n2); got != "[]" {
		t.Errorf("merged ids of a purged record kept: %s", got)
	}
	write(func(tx crm.Tx) error { return tx.MergeIDs(ctx, []int64{a}, b) })
	write(func(tx crm.Tx) error { return tx.Reset(ctx, crm.ResetScope{}) })
	if got := mergedInto(t, s, a, b); got != "[]" {
		t.Errorf("merged ids kept by a reset: %s", got)
	}
}

// Blocked email addresses are kept once each, listed in order, and
// emptied by a reset.
func testBlockedEmails(t *testing.T, s crm.Store) {
	list := func() string {
		var got []string
		s.Read(ctx, func(tx crm.ReadTx) error {
			var err error
			got, err = tx.BlockedEmails(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return nil
		})
		return fmt.Sprint(got)
	}
	if got := list(); got != "[]" {
		t.Errorf("new store: %s", got)
	}
	at := t0
	for _, emails := range [][]string{{"b@example.com", "a@example.com"}, {"a@example.com"}, nil} {
		if err := s.Write(ctx, func(tx crm.Tx) error { return tx.BlockEmails(ctx, emails, at) }); err != nil {
			t.Fatal(err)
		}
		at = at.Add(time.Hour)
	}
	if got := list(); got != "[a@example.com b@example.com]" {
		t.Errorf("blocked: %s", got)
	}
	if err := s.Write(ctx, func(tx crm.Tx) error { return tx.Reset(ctx, crm.ResetScope{}) }); err != nil {
		t.Fatal(err)
	}
	if got := list(); got != "[]" {
		t.Errorf("after a reset: %s", got)
	}
}

// Association limits are stored per pair and type, replaced in place,
// deleted one by one and with their label, and reset with the schema only.
func testAssociationLimits(t *testing.T, s crm.Store) {
	list := func() string {
		var out []string
		s.Read(ctx, func(tx crm.ReadTx) error {
			limits, err := tx.AssociationLimits(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range limits {
				out = append(out, fmt.Sprintf("%s>%s %s/%d=%d", l.From, l.To, l.Category, l.TypeID, l.Max))
			}
			return nil
		})
		return fmt.Sprint(out)
	}
	write := func(fn func(tx crm.Tx) error) {
		t.Helper()
		if err := s.Write(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	var label int64
	write(func(tx crm.Tx) error {
		ids, err := tx.NextLabelIDs(ctx, 1)
		if err != nil {
			return err
		}
		label = ids[0]
		if err := tx.PutAssociationLabel(ctx, &crm.AssociationLabel{TypeID: label, InverseID: label, From: "0-2", To: "0-2", Label: "Partner", Name: "partner"}); err != nil {
			return err
		}
		for _, l := range []*crm.AssociationLimit{
			{From: "0-3", To: "0-1", Category: crm.CategoryHubSpotDefined, TypeID: 3, Max: 5},
			{From: "0-1", To: "0-2", Category: crm.CategoryHubSpotDefined, TypeID: 1, Max: 1},
			{From: "0-3", To: "0-1", Category: crm.CategoryHubSpotDefined, TypeID: 3, Max: 7},
			{From: "0-2", To: "0-2", Category: crm.CategoryUserDefined, TypeID: label, Max: 2},
		} {
			if err := tx.PutAssociationLimit(ctx, l); err != nil {
				return err
			}
		}
		return nil
	})
	want := fmt.Sprintf("[0-1>0-2 HUBSPOT_DEFINED/1=1 0-2>0-2 USER_DEFINED/%d=2 0-3>0-1 HUBSPOT_DEFINED/3=7]", label)
	if got := list(); got != want {
		t.Errorf("limits:\n got %s\nwant %s", got, want)
	}
	write(func(tx crm.Tx) error { return tx.DeleteAssociationLabel(ctx, label) })
	if got := list(); got != "[0-1>0-2 HUBSPOT_DEFINED/1=1 0-3>0-1 HUBSPOT_DEFINED/3=7]" {
		t.Errorf("after deleting the label: %s", got)
	}
	write(func(tx crm.Tx) error {
		return tx.DeleteAssociationLimit(ctx, &crm.AssociationLimit{From: "0-1", To: "0-2", Category: crm.CategoryHubSpotDefined, TypeID: 1})
	})
	if got := list(); got != "[0-3>0-1 HUBSPOT_DEFINED/3=7]" {
		t.Errorf("after a delete: %s", got)
	}
	write(func(tx crm.Tx) error { return tx.Reset(ctx, crm.ResetScope{Owners: true}) })
	if got := list(); got != "[0-3>0-1 HUBSPOT_DEFINED/3=7]" {
		t.Errorf("a reset without the schema dropped limits: %s", got)
	}
	write(func(tx crm.Tx) error { return tx.Reset(ctx, crm.ResetScope{Schema: true}) })
	if got := list(); got != "[]" {
		t.Errorf("a reset of the schema kept limits: %s", got)
	}
}

// AssociationRows lists a record's associations to live and archived
// records; CountAssociations counts live targets of one type.
func testAssociationRowsAndCounts(t *testing.T, s crm.Store) {
	deal := insert(t, s, "0-3", map[string]string{})[0]
	contacts := insert(t, s, "0-1", map[string]string{}, map[string]string{}, map[string]string{})
	company := insert(t, s, "0-2", map[string]string{})[0]
	for _, c := range contacts {
		associate(t, s, deal, c, 3, 4, crm.CategoryHubSpotDefined)
	}
	associate(t, s, deal, company, 341, 342, crm.CategoryHubSpotDefined)
	associate(t, s, deal, company, 5, 6, crm.CategoryHubSpotDefined)
	contacts[1].Archived, contacts[1].ArchivedAt = true, t0
	if err := s.Write(ctx, func(tx crm.Tx) error { return tx.UpdateObjects(ctx, contacts[1:2]) }); err != nil {
		t.Fatal(err)
	}
	s.Read(ctx, func(tx crm.ReadTx) error {
		rows, err := tx.AssociationRows(ctx, deal.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, fmt.Sprintf("%s>%s %d/%d", r.FromType, r.ToType, r.ToID-deal.ID, r.TypeID))
		}
		if s := fmt.Sprint(got); s != "[0-3>0-1 1/3 0-3>0-1 2/3 0-3>0-1 3/3 0-3>0-2 4/5 0-3>0-2 4/341]" {
			t.Errorf("rows: %s", s)
		}
		for _, c := range []struct {
			toType string
			typeID int64
			want   int
		}{{"0-1", 3, 2}, {"0-2", 341, 1}, {"0-2", 5, 1}, {"0-2", 6, 0}, {"0-5", 3, 0}} {
			n, err := tx.CountAssociations(ctx, deal.ID, c.toType, crm.CategoryHubSpotDefined, c.typeID)
			if err != nil || n != c.want {
				t.Errorf("count to %s by %d: %d %v, want %d", c.toType, c.typeID, n, err, c.want)
			}
		}
		return nil
	})
}
