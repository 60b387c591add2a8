package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/pgtest"
)

// A reset that does not commit (it lost a deadlock, or a later statement
// failed) leaves the id sequences where they were: restarted on tables
// that keep their rows, they handed out ids already stored, and every
// create failed on the primary key until the next reset.
func TestResetRolledBackKeepsTheSequences(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := open(t, pgtest.URL(t))
	var first []int64
	if err := db.Write(ctx, func(tx crm.Tx) error {
		var err error
		first, err = tx.NextIDs(ctx, 3)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	undone := errors.New("undone")
	err := db.Write(ctx, func(tx crm.Tx) error {
		if err := tx.Reset(ctx, crm.ResetScope{Owners: true, Schema: true}); err != nil {
			return err
		}
		return undone
	})
	if !errors.Is(err, undone) {
		t.Fatalf("reset: %v", err)
	}
	var next []int64
	if err := db.Write(ctx, func(tx crm.Tx) error {
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
