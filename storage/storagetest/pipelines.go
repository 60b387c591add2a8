package storagetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// readPipelines reads a type's pipelines in a read transaction, by id.
func readPipelines(t *testing.T, s crm.Store, typeID string) map[string]*crm.Pipeline {
	t.Helper()
	out := map[string]*crm.Pipeline{}
	err := s.Read(ctx, func(tx crm.ReadTx) error {
		list, err := tx.Pipelines(ctx, typeID)
		for _, p := range list {
			out[p.ID] = p
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// testPipelines: a new store holds HubSpot's default pipelines exactly as
// crm.DefaultPipelines gives them; pipelines round-trip with their stages,
// archived ones included; UsesOf finds the live records in given stages.
func testPipelines(t *testing.T, s crm.Store) {
	for _, typeID := range []string{"0-3", "0-5"} {
		got := readPipelines(t, s, typeID)
		want := crm.DefaultPipelines(typeID)
		if len(got) != 1 || !reflect.DeepEqual(got[want[0].ID], want[0]) {
			t.Errorf("%s: default pipelines\n%+v\nwant\n%+v", typeID, got[want[0].ID], want[0])
		}
	}
	if got := readPipelines(t, s, "0-1"); len(got) != 0 {
		t.Errorf("contacts have pipelines: %v", got)
	}

	t1 := t0.Add(time.Hour)
	p := &crm.Pipeline{TypeID: "0-3", ID: "100000001", Label: "Partners", DisplayOrder: 2, CreatedAt: t0, UpdatedAt: t1,
		Stages: []*crm.PipelineStage{
			{ID: "lead", Label: "Lead <b>é", DisplayOrder: 0, Metadata: map[string]string{"probability": "0.1", "isClosed": "false"}, CreatedAt: t0, UpdatedAt: t0},
			{ID: "gone", Label: "Gone", DisplayOrder: 1, Metadata: map[string]string{}, CreatedAt: t0, UpdatedAt: t1, Archived: true, ArchivedAt: t1},
		}}
	write := func(fn func(tx crm.Tx) error) error { return s.Write(ctx, fn) }
	if err := write(func(tx crm.Tx) error { return tx.PutPipeline(ctx, p) }); err != nil {
		t.Fatal(err)
	}
	if got := readPipelines(t, s, "0-3")[p.ID]; !reflect.DeepEqual(got, p) {
		t.Errorf("round trip\n%+v\nwant\n%+v", got, p)
	}
	// Replaced in place: archived, with a new stage.
	p.Archived, p.ArchivedAt, p.Label = true, t1, "Old partners"
	p.Stages = append(p.Stages, &crm.PipelineStage{ID: "won", Label: "Won", DisplayOrder: 2, Metadata: map[string]string{"probability": "1.0"}, CreatedAt: t1, UpdatedAt: t1})
	if err := write(func(tx crm.Tx) error { return tx.PutPipeline(ctx, p) }); err != nil {
		t.Fatal(err)
	}
	if got := readPipelines(t, s, "0-3"); len(got) != 2 || !reflect.DeepEqual(got[p.ID], p) {
		t.Errorf("replaced\n%+v\nwant\n%+v", got[p.ID], p)
	}
	// A failed write leaves them as they were.
	boom := errors.New("boom")
	err := write(func(tx crm.Tx) error {
		q := *p
		q.Label = "Changed"
		if err := tx.PutPipeline(ctx, &q); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) || readPipelines(t, s, "0-3")[p.ID].Label != "Old partners" {
		t.Errorf("rolled back write: %v", err)
	}
	// LockPipelines returns every type's, in a write transaction.
	err = write(func(tx crm.Tx) error {
		all, err := tx.LockPipelines(ctx)
		if err != nil {
			return err
		}
		var ids []string
		for _, x := range all {
			ids = append(ids, x.TypeID+"/"+x.ID)
		}
		if !reflect.DeepEqual(ids, []string{"0-3/100000001", "0-3/default", "0-5/0"}) {
			t.Errorf("LockPipelines: %v", ids)
		}
		// Pipelines read in a write transaction are the same.
		mine, err := tx.Pipelines(ctx, "0-5")
		if err != nil || len(mine) != 1 || mine[0].ID != "0" {
			t.Errorf("Pipelines in a write: %v %v", mine, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// UsesOf: live records of the type holding the values, in id order.
	objs := insert(t, s, "0-3",
		map[string]string{"dealstage": "lead"},
		map[string]string{"dealstage": "closedwon"},
		map[string]string{"dealstage": "lead"},
		map[string]string{"dealstage": "won"},
		map[string]string{"dealname": "none"})
	insert(t, s, "0-5", map[string]string{"hs_pipeline_stage": "lead"})
	objs[2].Archived, objs[2].ArchivedAt = true, t1
	if err := write(func(tx crm.Tx) error { return tx.UpdateObjects(ctx, []*crm.Object{objs[2]}) }); err != nil {
		t.Fatal(err)
	}
	s.Read(ctx, func(tx crm.ReadTx) error {
		uses, err := tx.UsesOf(ctx, "0-3", "dealstage", []string{"lead", "won", "nope"}, 10)
		want := []crm.ValueUse{{ObjectID: objs[0].ID, Value: "lead"}, {ObjectID: objs[3].ID, Value: "won"}}
		if err != nil || !reflect.DeepEqual(uses, want) {
			t.Errorf("UsesOf: %v %v, want %v", uses, err, want)
		}
		uses, err = tx.UsesOf(ctx, "0-3", "dealstage", []string{"lead", "won"}, 1)
		if err != nil || len(uses) != 1 || uses[0].ObjectID != objs[0].ID {
			t.Errorf("UsesOf limit 1: %v %v", uses, err)
		}
		if uses, err := tx.UsesOf(ctx, "0-3", "dealstage", nil, 10); err != nil || len(uses) != 0 {
			t.Errorf("UsesOf no values: %v %v", uses, err)
		}
		if _, err := tx.UsesOf(ctx, "0-3", "x'); DROP TABLE objects; --", []string{"a"}, 10); err == nil {
			t.Errorf("UsesOf took a property name that is not one")
		}
		return nil
	})

	// A reset leaves pipelines to the engine, which puts the defaults back;
	// DeletePipelines empties them.
	if err := write(func(tx crm.Tx) error { return tx.Reset(ctx, crm.ResetScope{Schema: true, Owners: true}) }); err != nil {
		t.Fatal(err)
	}
	if got := readPipelines(t, s, "0-3"); len(got) != 2 {
		t.Errorf("after Reset: %d deal pipelines", len(got))
	}
	if err := write(func(tx crm.Tx) error { return tx.DeletePipelines(ctx) }); err != nil {
		t.Fatal(err)
	}
	if got := readPipelines(t, s, "0-3"); len(got) != 0 {
		t.Errorf("after DeletePipelines: %v", got)
	}
}
