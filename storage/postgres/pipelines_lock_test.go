package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/pgtest"
)

// A record write share-locks its type's pipelines in id order, the order
// in which a pipeline write locks them for update: else a deal written
// while a stage is archived could lock the default pipeline, wait for the
// other one the pipeline write holds, and deadlock with it.
func TestRecordWritesLockPipelinesInIDOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.URL(t)
	db := open(t, url)
	now := time.Now()
	// Stored after the default pipeline, so that a scan of the table finds
	// "default" first, although "100000001" is the lower id.
	err := db.Write(ctx, func(tx crm.Tx) error {
		return tx.PutPipeline(ctx, &crm.Pipeline{TypeID: "0-3", ID: "100000001", Label: "Other", CreatedAt: now, UpdatedAt: now,
			Stages: []*crm.PipelineStage{{ID: "100000002", Label: "Lead", Metadata: map[string]string{"probability": "0.1"}, CreatedAt: now, UpdatedAt: now}}})
	})
	if err != nil {
		t.Fatal(err)
	}

	// Another transaction holds the default pipeline (the higher id).
	holder := connect(t, url)
	hold, err := holder.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback(ctx)
	if _, err := hold.Exec(ctx, `SELECT 1 FROM pipelines WHERE type_id = '0-3' AND id = 'default' FOR UPDATE`); err != nil {
		t.Fatal(err)
	}

	// A record write reads the deals' pipelines and waits for it.
	done := make(chan error, 1)
	go func() {
		done <- db.Write(ctx, func(tx crm.Tx) error {
			_, err := tx.Pipelines(ctx, "0-3")
			return err
		})
	}()
	watcher := connect(t, url)
	for {
		var waiting int
		if err := watcher.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE pg_blocking_pids(pid) @> ARRAY[$1::int]`, holder.PgConn().PID()).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("the record write did not wait for the default pipeline: %v", err)
		default:
		}
	}

	// While it waits, it holds the lower id already.
	var free int
	if err := watcher.QueryRow(ctx, `SELECT count(*) FROM (SELECT id FROM pipelines WHERE type_id = '0-3' AND id = '100000001' FOR UPDATE SKIP LOCKED) f`).Scan(&free); err != nil {
		t.Fatal(err)
	}
	if free != 0 {
		t.Error("a record write waiting for the default pipeline does not hold pipeline 100000001: it locks pipelines out of id order")
	}
	if err := hold.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
