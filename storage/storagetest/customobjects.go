package storagetest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// Custom object schemas: stored whole and read back in type-number order;
// a name belongs to one type id; deleting a schema removes its properties,
// groups, association types and their associations and nothing else; a
// schema reset empties them; a failed write stores none.
func testCustomSchemas(t *testing.T, s crm.Store) {
	schemas := func() []*crm.CustomSchema {
		t.Helper()
		var out []*crm.CustomSchema
		if err := s.Read(ctx, func(tx crm.ReadTx) error {
			var err error
			out, err = tx.CustomSchemas(ctx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	write := func(fn func(tx crm.Tx) error) error { return s.Write(ctx, fn) }
	if got := schemas(); len(got) != 0 {
		t.Fatalf("a new store has schemas: %v", got)
	}
	at := t0.Truncate(time.Millisecond)
	cars := &crm.CustomSchema{Number: 1000002, Name: "cars", Singular: "Car", Plural: "Cars", Description: "Cars we sell",
		RequiredProperties: []string{"model"}, SearchableProperties: []string{"model", "make"}, PrimaryDisplayProperty: "model",
		SecondaryDisplayProperties: []string{"make"}, CreatedAt: at, UpdatedAt: at}
	boats := &crm.CustomSchema{Number: 1000001, Name: "boats", Singular: "Boat", Plural: "Boats", CreatedAt: at, UpdatedAt: at,
		Archived: true, ArchivedAt: at.Add(time.Hour)}
	if err := write(func(tx crm.Tx) error {
		if err := tx.PutCustomSchema(ctx, cars); err != nil {
			return err
		}
		return tx.PutCustomSchema(ctx, boats)
	}); err != nil {
		t.Fatal(err)
	}
	got := schemas()
	if len(got) != 2 || !reflect.DeepEqual(got[0], boats) || !reflect.DeepEqual(got[1], cars) {
		t.Fatalf("schemas read back:\n%+v\n%+v", got[0], got[1])
	}
	// Replaced in place by type id.
	changed := *cars
	changed.Plural, changed.UpdatedAt = "Automobiles", at.Add(2*time.Hour)
	if err := write(func(tx crm.Tx) error { return tx.PutCustomSchema(ctx, &changed) }); err != nil {
		t.Fatal(err)
	}
	if got := schemas(); len(got) != 2 || got[1].Plural != "Automobiles" {
		t.Errorf("replaced schema: %+v", got)
	}
	// A name belongs to one type id.
	clash := &crm.CustomSchema{Number: 1000003, Name: "cars", Singular: "X", Plural: "Xs"}
	if err := write(func(tx crm.Tx) error { return tx.PutCustomSchema(ctx, clash) }); err == nil {
		t.Error("two schemas stored under one name")
	}
	// A failed write stores nothing.
	vans := &crm.CustomSchema{Number: 1000004, Name: "vans", Singular: "Van", Plural: "Vans"}
	if err := write(func(tx crm.Tx) error {
		if err := tx.PutCustomSchema(ctx, vans); err != nil {
			return err
		}
		return fmt.Errorf("rolled back")
	}); err == nil {
		t.Fatal("the failing write succeeded")
	}
	if got := schemas(); len(got) != 2 {
		t.Errorf("a rolled-back schema was stored: %+v", got)
	}

	// The cars type with a property, a group, two association types
	// (with contacts and with the boats type) and associations of each;
	// a contact label that is not the type's.
	carType, boatType := cars.TypeID(), boats.TypeID()
	car := insert(t, s, carType, map[string]string{"model": "Golf"})[0]
	boat := insert(t, s, boatType, map[string]string{})[0]
	contacts := insert(t, s, "0-1", map[string]string{}, map[string]string{})
	company := insert(t, s, "0-2", map[string]string{})[0]
	if err := write(func(tx crm.Tx) error {
		for _, l := range []*crm.AssociationLabel{
			{TypeID: 2001, InverseID: 2002, From: carType, To: "0-1", Name: "cars_to_contact"},
			{TypeID: 2002, InverseID: 2001, From: "0-1", To: carType, Name: "contact_to_cars"},
			{TypeID: 2003, InverseID: 2004, From: boatType, To: carType, Name: "boats_to_cars"},
			{TypeID: 2004, InverseID: 2003, From: carType, To: boatType, Name: "cars_to_boats"},
			{TypeID: 2005, InverseID: 2006, From: "0-1", To: "0-2", Label: "Buyer", Name: "buyer"},
			{TypeID: 2006, InverseID: 2005, From: "0-2", To: "0-1", Label: "Buyer", Name: "buyer_inverse"},
		} {
			if err := tx.PutAssociationLabel(ctx, l); err != nil {
				return err
			}
		}
		if err := tx.PutCustomProperty(ctx, carType, &crm.PropertyDefinition{Name: "model", Label: "Model", Type: crm.TypeString, FieldType: "text", GroupName: "cars_information"}); err != nil {
			return err
		}
		return tx.PutPropertyGroup(ctx, carType, &crm.PropertyGroup{Name: "extra", Label: "Extra"})
	}); err != nil {
		t.Fatal(err)
	}
	associate(t, s, car, contacts[0], 2001, 2002, crm.CategoryUserDefined)
	associate(t, s, boat, car, 2003, 2004, crm.CategoryUserDefined)
	associate(t, s, contacts[1], company, 2005, 2006, crm.CategoryUserDefined)
	labelIDs := func() []int64 {
		var ids []int64
		s.Read(ctx, func(tx crm.ReadTx) error {
			labels, err := tx.AssociationLabels(ctx)
			for _, l := range labels {
				ids = append(ids, l.TypeID)
			}
			return err
		})
		return ids
	}
	targets := func(id int64) int {
		n := 0
		s.Read(ctx, func(tx crm.ReadTx) error {
			rows, err := tx.AssociationsFrom(ctx, id, "", 0, 10)
			n = len(rows)
			return err
		})
		return n
	}
	// Records first, then the schema, as the engine deletes them.
	if err := write(func(tx crm.Tx) error {
		if err := tx.PurgeObjects(ctx, []int64{car.ID}); err != nil {
			return err
		}
		return tx.DeleteCustomSchema(ctx, carType)
	}); err != nil {
		t.Fatal(err)
	}
	if got := schemas(); len(got) != 1 || got[0].Name != "boats" {
		t.Errorf("schemas after the delete: %+v", got)
	}
	if ids := labelIDs(); !reflect.DeepEqual(ids, []int64{2005, 2006}) {
		t.Errorf("association types after the delete: %v", ids)
	}
	if n := targets(contacts[0].ID); n != 0 {
		t.Errorf("the contact keeps %d associations of the deleted type", n)
	}
	if n := targets(contacts[1].ID); n != 1 {
		t.Errorf("another label's association: %d", n)
	}
	s.Read(ctx, func(tx crm.ReadTx) error {
		props, err := tx.CustomProperties(ctx, carType)
		groups, gerr := tx.PropertyGroups(ctx, carType)
		if err != nil || gerr != nil || len(props) != 0 || len(groups) != 0 {
			t.Errorf("properties and groups after the delete: %v %v %v %v", props, groups, err, gerr)
		}
		return nil
	})
	// The name is free again.
	if err := write(func(tx crm.Tx) error { return tx.PutCustomSchema(ctx, clash) }); err != nil {
		t.Errorf("the name of a deleted schema: %v", err)
	}

	// A reset keeping the schema keeps them; a schema reset empties them.
	if err := write(func(tx crm.Tx) error { return tx.Reset(ctx, crm.ResetScope{}) }); err != nil {
		t.Fatal(err)
	}
	if got := schemas(); len(got) != 2 {
		t.Errorf("schemas after a data reset: %d", len(got))
	}
	if err := write(func(tx crm.Tx) error { return tx.Reset(ctx, crm.ResetScope{Schema: true}) }); err != nil {
		t.Fatal(err)
	}
	if got := schemas(); len(got) != 0 {
		t.Errorf("schemas after a schema reset: %d", len(got))
	}
}
