package api_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/spoke-crm/spoke/crm"
)

// staleClaims is a real store whose write transactions, once armed, answer
// the first look-up of one unique value with the record that held it before:
// what a look-up reads on PostgreSQL when another node's archive commits
// between it and the lock of the record.
type staleClaims struct {
	crm.Store
	value string
	stale *atomic.Int64 // the id answered once, 0 when disarmed
}

func (s staleClaims) Write(ctx context.Context, fn func(crm.Tx) error) error {
	return s.Store.Write(ctx, func(tx crm.Tx) error { return fn(staleClaimsTx{tx, s}) })
}

type staleClaimsTx struct {
	crm.Tx
	s staleClaims
}

func (t staleClaimsTx) FindUnique(ctx context.Context, typeID, property, value string) (int64, error) {
	if value == t.s.value {
		if id := t.s.stale.Swap(0); id != 0 {
			return id, nil
		}
	}
	return t.Tx.FindUnique(ctx, typeID, property, value)
}

// An upsert whose look-up found a record that was archived before the
// upsert locked it looks the value up again: the value is free, and the
// upsert creates a record with it (it was a server error).
func TestUpsertOfAValueWhoseRecordWasJustArchived(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	stale := &atomic.Int64{}
	_, do := serveStore(t, staleClaims{store, "gone@example.com", stale})
	old := do("POST", "/crm/v3/objects/contacts", `{"properties":{"email":"gone@example.com","firstname":"Old"}}`, 201)["id"].(string)
	do("DELETE", "/crm/v3/objects/contacts/"+old, "", 204)
	id, _ := strconv.ParseInt(old, 10, 64)
	stale.Store(id)
	got := do("POST", "/crm/v3/objects/contacts/batch/upsert", `{"inputs":[{"id":"gone@example.com","idProperty":"email","properties":{"firstname":"New"}}]}`, 200)
	res := got["results"].([]any)[0].(map[string]any)
	if res["id"] == old || res["new"] != true || props(res)["email"] != "gone@example.com" {
		t.Errorf("upsert after the archive: %v", res)
	}
	if stale.Load() != 0 {
		t.Fatal("the upsert did not look the value up")
	}
	if got := do("GET", "/crm/v3/objects/contacts/"+old+"?archived=true&properties=firstname", "", 200); props(got)["firstname"] != "Old" {
		t.Errorf("the archived contact changed: %v", got)
	}
}
