package postgres_test

import (
	"context"
	"os"
	"testing"

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
