package postgres_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/pgtest"
	"github.com/spoke-crm/spoke/storage/postgres"
	"github.com/spoke-crm/spoke/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// open opens a store on the schema at url, closed when the test ends
// (closing it earlier is allowed).
func open(t *testing.T, url string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), url, postgres.PoolOptions{MaxConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// connect connects to the schema at url, closed when the test ends.
func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	return conn
}

// exec runs sql on a connection of its own to the schema at url and
// returns the number of rows it changed.
func exec(t *testing.T, url, sql string) int64 {
	t.Helper()
	ctx := context.Background()
	conn := connect(t, url)
	defer conn.Close(ctx)
	tag, err := conn.Exec(ctx, sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return tag.RowsAffected()
}

// driver is PostgreSQL for the shared suites: a database is a schema of
// its own.
var driver = storagetest.Driver{
	Name:        "postgres",
	NewLocation: func(t *testing.T) string { return pgtest.URL(t) },
	Open:        func(t *testing.T, url string) crm.Store { return open(t, url) },
	Exec:        exec,
	Query: func(t *testing.T, url, sql string) storagetest.Rows {
		t.Helper()
		rows, err := connect(t, url).Query(context.Background(), sql)
		if err != nil {
			t.Fatal(err)
		}
		return rows
	},
	LoadBefore: func(t *testing.T, url string) { exec(t, url, storagetest.BeforePostgres(t)) },
	Schema: []string{
		`SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
			FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
		`SELECT indexname || ': ' || replace(indexdef, current_schema() || '.', '') FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname`,
		`SELECT sequence_name || ' ' || start_value FROM information_schema.sequences WHERE sequence_schema = current_schema() ORDER BY sequence_name`,
	},
	SearchValues: []string{
		`CREATE TABLE search_values (object_id bigint NOT NULL, key bigint NOT NULL, num double precision, text text, n integer NOT NULL DEFAULT 0)`,
		`CREATE INDEX search_values_by_object ON search_values (object_id, key, text, num)`,
		`CREATE INDEX search_values_by_num ON search_values (key, num) INCLUDE (object_id) WHERE num IS NOT NULL`,
		`CREATE INDEX search_values_by_text ON search_values (key, text) WHERE text IS NOT NULL`,
	},
	ScopedMigration: "migrations/0004_search_scoped.sql",
	DocText:         func(col string) string { return col },
}

func TestConformance(t *testing.T) { storagetest.Run(t, driver.OpenNew) }

func TestUpgrades(t *testing.T) { storagetest.Upgrades(t, driver) }

func TestMigrationsRunOnceAcrossConcurrentOpens(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			db, err := postgres.Open(context.Background(), url, postgres.PoolOptions{MaxConns: 2})
			if err == nil {
				db.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent open: %v", err)
		}
	}
}

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
