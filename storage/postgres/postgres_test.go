package postgres_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/pgtest"
	"github.com/spoke-crm/spoke/storage/postgres"
	"github.com/spoke-crm/spoke/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func open(t *testing.T, url string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), url, postgres.PoolOptions{MaxConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) crm.Store {
		db := open(t, pgtest.URL(t))
		t.Cleanup(func() { db.Close() })
		return db
	})
}

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

func TestScopedIndexUpgrade(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	storagetest.ScopedIndexUpgrade(t,
		func(t *testing.T) crm.Store { return open(t, url) },
		func(t *testing.T) {
			rewindSearchIndex(t, url, false, "migrations/0004_search_scoped.sql", "migrations/0015_search_documents.sql")
		})
}

func TestSearchIndexUpgrade(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	storagetest.SearchIndexUpgrade(t,
		func(t *testing.T) crm.Store { return open(t, url) },
		func(t *testing.T) { rewindSearchIndex(t, url, true, "migrations/0015_search_documents.sql") },
		func(t *testing.T, q string) storagetest.Rows {
			ctx := context.Background()
			conn, err := pgx.Connect(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { conn.Close(ctx) })
			rows, err := conn.Query(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			return rows
		},
		func(col string) string { return col })
}

// rewindSearchIndex turns the search index of the schema at url back into
// the table of before migration 0015, as the code of then wrote it (with
// the rows of scoped values when scoped), and removes the records of
// versions.
func rewindSearchIndex(t *testing.T, url string, scoped bool, versions ...string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	stmts := []string{
		`CREATE TABLE search_values (object_id bigint NOT NULL, key bigint NOT NULL, num double precision, text text, n integer NOT NULL DEFAULT 0)`,
		`CREATE INDEX search_values_by_object ON search_values (object_id, key, text, num)`,
		`CREATE INDEX search_values_by_num ON search_values (key, num) INCLUDE (object_id) WHERE num IS NOT NULL`,
		`CREATE INDEX search_values_by_text ON search_values (key, text) WHERE text IS NOT NULL`,
		`INSERT INTO search_values (object_id, key, n, num) SELECT object_id, key, row_number() OVER (PARTITION BY object_id, key), num FROM search_nums`,
		`INSERT INTO search_values (object_id, key, n, text) SELECT object_id, key, row_number() OVER (PARTITION BY object_id, key), text FROM search_texts`,
	}
	if scoped {
		stmts = append(stmts, `INSERT INTO search_values (object_id, key, n, num) SELECT object_id, scope, 0, num FROM search_nums WHERE scope IS NOT NULL`)
	}
	stmts = append(stmts, `DROP TABLE search_docs`, `DROP TABLE search_nums`, `DROP TABLE search_texts`)
	for _, q := range stmts {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, v := range versions {
		if tag, err := conn.Exec(ctx, `DELETE FROM schema_migrations WHERE version = $1`, v); err != nil {
			t.Fatal(err)
		} else if tag.RowsAffected() != 1 {
			t.Fatalf("%s was not recorded", v)
		}
	}
}

// TestOpensDatabaseOfBefore opens a database written by the store before
// the stores shared their SQL: it upgrades in place, reads back as it did
// then and goes on from there, and its schema ends up the same as a new
// database's.
func TestOpensDatabaseOfBefore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.URL(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, storagetest.BeforePostgres(t)); err != nil {
		t.Fatal(err)
	}
	db := open(t, url)
	storagetest.Before(t, db, "postgres")
	db.Close()

	fresh := pgtest.URL(t)
	open(t, fresh).Close()
	if got, want := schemaOf(t, url), schemaOf(t, fresh); got != want {
		t.Errorf("schema after the upgrade:\n%s\nschema of a new database:\n%s", got, want)
	}
}

// schemaOf lists the columns, indexes, sequences and applied migrations of
// the schema at url.
func schemaOf(t *testing.T, url string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var b strings.Builder
	for _, q := range []string{
		`SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
			FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
		`SELECT indexname || ': ' || replace(indexdef, current_schema() || '.', '') FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname`,
		`SELECT sequence_name || ' ' || start_value FROM information_schema.sequences WHERE sequence_schema = current_schema() ORDER BY sequence_name`,
		`SELECT version FROM schema_migrations ORDER BY version`,
	} {
		rows, err := conn.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(storagetest.Lines(t, rows))
		rows.Close()
	}
	return b.String()
}
