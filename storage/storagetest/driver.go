package storagetest

import (
	"slices"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/crm"
)

// Driver is what the tests that reach below the store (upgrades of
// databases written by older code) need of a driver. Each driver's test
// package fills one; a location is where a database lives (a file path, a
// schema's URL).
type Driver struct {
	// Name is the driver's name ("sqlite", "postgres"), as its migrations
	// and the database of before are named.
	Name string
	// NewLocation makes the location of a new, empty database, removed
	// when the test ends.
	NewLocation func(t *testing.T) string
	// Open opens a store at a location, running pending migrations. The
	// store is closed when the test ends; closing it earlier is allowed.
	Open func(t *testing.T, at string) crm.Store
	// Exec runs sql on a connection of its own to the database at a
	// location and returns the number of rows it changed, failing the
	// test (naming sql) on an error.
	Exec func(t *testing.T, at, sql string) int64
	// Query runs sql on a connection of its own to the database at a
	// location, closed when the test ends, and returns its rows, which are
	// read to the end.
	Query func(t *testing.T, at, sql string) Rows
	// LoadBefore writes the database of before (BeforeSQLite,
	// BeforePostgres) at a new location.
	LoadBefore func(t *testing.T, at string)
	// Schema are queries of one text column that together describe a
	// database's schema: tables, columns, indexes, sequences.
	Schema []string
	// SearchValues are the statements that create the search index table
	// of before migration 0015 and its indexes, as the driver had them.
	SearchValues []string
	// ScopedMigration is the driver's legacy migration that added the
	// scoped rows of the search index, as recorded.
	ScopedMigration string
	// DocText reads the search document column col as JSON text.
	DocText func(col string) string
	// ValueEntries are queries of the search index's value entries,
	// (key, num, object_id, scope) and (key, text, object_id), for a
	// driver keeping value sets (migration 0035): the sets read out as
	// entries. Empty for a driver keeping one entry per value.
	ValueEntries [2]string
	// UnsetValues are the statements turning the driver's value sets back
	// into entries of search_nums and search_texts, as they were before
	// migration 0035; none for a driver keeping entries.
	UnsetValues []string
}

// entries are the queries of the value entries of d's search index, those
// of search_times (migration 0038) among the numbers.
func (d Driver) entries() [2]string {
	e := d.ValueEntries
	if e[0] == "" {
		e = [2]string{`SELECT key, num, object_id, scope FROM search_nums`, `SELECT key, text, object_id FROM search_texts`}
	}
	e[0] += ` UNION ALL SELECT key, num, object_id, scope FROM search_times`
	return e
}

// OpenNew opens a store at a new location: an Opener for Run.
func (d Driver) OpenNew(t *testing.T) crm.Store { return d.Open(t, d.NewLocation(t)) }

// searchDocuments is the migration that replaced search_values, and
// valueSets the one that keeps values in sets on some drivers, searchTimes
// the one that moved the scoped properties' entries to search_times.
const (
	searchDocuments = "migrations/0015_search_documents.sql"
	valueSets       = "migrations/0035_search_value_sets.sql"
	searchTimes     = "migrations/0038_search_times.sql"
)

// Upgrades runs the tests of upgrades in place on d: the migrations of
// the search index, and a database written before the stores shared their
// SQL. t and each test run in parallel, each on databases of its own.
func Upgrades(t *testing.T, d Driver) {
	t.Parallel()
	t.Run("ScopedIndexUpgrade", func(t *testing.T) {
		t.Parallel()
		at := d.NewLocation(t)
		scopedIndexUpgrade(t,
			func(t *testing.T) crm.Store { return d.Open(t, at) },
			func(t *testing.T) {
				rewindSearchIndex(t, d, at, false, d.ScopedMigration, searchDocuments, valueSets, searchTimes)
			})
	})
	t.Run("SearchIndexUpgrade", func(t *testing.T) {
		t.Parallel()
		at := d.NewLocation(t)
		searchIndexUpgrade(t,
			func(t *testing.T) crm.Store { return d.Open(t, at) },
			func(t *testing.T) { rewindSearchIndex(t, d, at, true, searchDocuments, valueSets, searchTimes) },
			func(t *testing.T, sql string) Rows { return d.Query(t, at, sql) },
			d.DocText, d.entries())
	})
	t.Run("ObjectIDPropertyUpgrade", func(t *testing.T) {
		t.Parallel()
		objectIDPropertyUpgrade(t, d)
	})
	t.Run("OpensDatabaseOfBefore", func(t *testing.T) {
		t.Parallel()
		opensDatabaseOfBefore(t, d)
	})
}

// rewindSearchIndex turns the search index of the database at at back
// into the table of before migration 0015, as the code of then wrote it
// (with the rows of scoped values when scoped), and removes the records of
// versions.
func rewindSearchIndex(t *testing.T, d Driver, at string, scoped bool, versions ...string) {
	t.Helper()
	stmts := []string{
		`INSERT INTO search_nums (key, num, object_id, scope) SELECT key, num, object_id, scope FROM search_times`,
		`DROP TABLE search_times`,
	}
	stmts = append(stmts, d.UnsetValues...)
	stmts = append(stmts, d.SearchValues...)
	stmts = append(stmts,
		`INSERT INTO search_values (object_id, key, n, num) SELECT object_id, key, row_number() OVER (PARTITION BY object_id, key), num FROM search_nums`,
		`INSERT INTO search_values (object_id, key, n, text) SELECT object_id, key, row_number() OVER (PARTITION BY object_id, key), text FROM search_texts`)
	if scoped {
		stmts = append(stmts, `INSERT INTO search_values (object_id, key, n, num) SELECT object_id, scope, 0, num FROM search_nums WHERE scope IS NOT NULL`)
	}
	stmts = append(stmts, `DROP TABLE search_docs`, `DROP TABLE search_nums`, `DROP TABLE search_texts`)
	for _, q := range stmts {
		d.Exec(t, at, q)
	}
	for _, v := range versions {
		// Versions are file names: no quote to escape.
		if n := d.Exec(t, at, `DELETE FROM schema_migrations WHERE version = '`+v+`'`); n != 1 {
			t.Fatalf("%s was not recorded", v)
		}
	}
}

// opensDatabaseOfBefore opens a database written by the store before the
// stores shared their SQL: it upgrades in place, reads back as it did then
// and goes on from there (Before), and its schema ends up the same as a
// new database's.
func opensDatabaseOfBefore(t *testing.T, d Driver) {
	at := d.NewLocation(t)
	d.LoadBefore(t, at)
	db := d.Open(t, at)
	objectIDLeftIndex(t, d, at)
	Before(t, db, d.Name)
	db.Close()

	fresh := d.NewLocation(t)
	d.Open(t, fresh).Close()
	if got, want := schemaOf(t, d, at), schemaOf(t, d, fresh); got != want {
		t.Errorf("schema after the upgrade:\n%s\nschema of a new database:\n%s", got, want)
	}
}

// schemaOf lists the schema of the database at at and its applied
// migrations.
func schemaOf(t *testing.T, d Driver, at string) string {
	t.Helper()
	var b strings.Builder
	for _, q := range append(slices.Clone(d.Schema), `SELECT version FROM schema_migrations ORDER BY version`) {
		b.WriteString(Lines(t, d.Query(t, at, q)))
	}
	return b.String()
}
