package storagetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/spoke-crm/spoke/crm"
)

// The engagement types and users are records like any other: their type
// ids (notes 0-46, calls 0-48, emails 0-49, meetings 0-47, tasks 0-27,
// postal mail 0-116, users 0-115) keep them apart in every read, and their
// association type ids (some above 255) are stored as given.
func testEngagementTypes(t *testing.T, s crm.Store) {
	types := []string{"0-46", "0-48", "0-49", "0-47", "0-27", "0-116", "0-115"}
	byType := map[string]*crm.Object{}
	var ids []int64
	for _, typ := range types {
		o := insert(t, s, typ, map[string]string{"hs_timestamp": "2026-11-25T10:00:00Z", "kind": typ})[0]
		byType[typ] = o
		ids = append(ids, o.ID)
	}
	for i, typ := range types {
		o, err := get(t, s, typ, byType[typ].ID)
		if err != nil || o.TypeID != typ || o.Properties["kind"] != typ {
			t.Errorf("%s round trip: %+v %v", typ, o, err)
		}
		other := types[(i+1)%len(types)]
		if _, err := get(t, s, other, byType[typ].ID); !errors.Is(err, crm.ErrNotFound) {
			t.Errorf("%s record read as %s: %v", typ, other, err)
		}
	}
	s.Read(ctx, func(tx crm.ReadTx) error {
		for _, typ := range types {
			list, err := tx.ListObjects(ctx, crm.ListQuery{TypeID: typ, Limit: 10})
			if err != nil || len(list) != 1 || list[0].ID != byType[typ].ID {
				t.Errorf("list of %s: %d records, %v", typ, len(list), err)
			}
		}
		found, err := tx.ObjectsByIDs(ctx, ids)
		if err != nil || len(found) != len(types) {
			t.Fatalf("ObjectsByIDs: %d records, %v", len(found), err)
		}
		for _, o := range found {
			if byType[o.TypeID] == nil || byType[o.TypeID].ID != o.ID {
				t.Errorf("ObjectsByIDs gave record %d as type %s", o.ID, o.TypeID)
			}
		}
		return nil
	})

	// A note (202/201) and a postal mail (453/454) on one contact.
	contact := insert(t, s, "0-1", map[string]string{})[0]
	associate(t, s, contact, byType["0-46"], 202, 201, crm.CategoryHubSpotDefined)
	associate(t, s, contact, byType["0-116"], 453, 454, crm.CategoryHubSpotDefined)
	from := func(id int64, toType string) string {
		var out []string
		s.Read(ctx, func(tx crm.ReadTx) error {
			rows, err := tx.AssociationsFrom(ctx, id, toType, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				out = append(out, fmt.Sprintf("%s:%d/%d", r.ToType, r.ToID, r.TypeID))
			}
			return nil
		})
		return fmt.Sprint(out)
	}
	note, mail := byType["0-46"].ID, byType["0-116"].ID
	if got, want := from(contact.ID, "0-46"), fmt.Sprintf("[0-46:%d/202]", note); got != want {
		t.Errorf("contact to notes: %s, want %s", got, want)
	}
	if got, want := from(contact.ID, "0-116"), fmt.Sprintf("[0-116:%d/453]", mail); got != want {
		t.Errorf("contact to postal mail: %s, want %s", got, want)
	}
	if got, want := from(note, ""), fmt.Sprintf("[0-1:%d/201]", contact.ID); got != want {
		t.Errorf("note to anything: %s, want %s", got, want)
	}
	s.Read(ctx, func(tx crm.ReadTx) error {
		rows, err := tx.AssociationsBetween(ctx, contact.ID, note)
		if err != nil || len(rows) != 1 || rows[0].TypeID != 202 || rows[0].FromType != "0-1" || rows[0].ToType != "0-46" {
			t.Errorf("between contact and note: %+v %v", rows, err)
		}
		return nil
	})

	// Users' hs_internal_user_id is unique among users only.
	users := insert(t, s, "0-115", map[string]string{}, map[string]string{})
	claim := func(typ string, id int64) error {
		return s.Write(ctx, func(tx crm.Tx) error { return tx.ClaimUnique(ctx, typ, "hs_internal_user_id", "7001", id) })
	}
	if err := claim("0-115", users[0].ID); err != nil {
		t.Fatal(err)
	}
	var conflict *crm.UniqueConflictError
	if err := claim("0-115", users[1].ID); !errors.As(err, &conflict) || conflict.ExistingID != users[0].ID {
		t.Errorf("second user claiming the same id: %v", err)
	}
	if err := claim("0-46", note); err != nil {
		t.Errorf("same value under another type: %v", err)
	}
	s.Read(ctx, func(tx crm.ReadTx) error {
		if id, err := tx.FindUnique(ctx, "0-115", "hs_internal_user_id", "7001"); err != nil || id != users[0].ID {
			t.Errorf("FindUnique user: %d %v", id, err)
		}
		return nil
	})
}
