// Package schema holds the one schema history of Spoke's stores and the
// runner that applies it, on SQLite and PostgreSQL alike.
//
// The history has two parts:
//
//   - legacy/sqlite and legacy/postgres: each driver's migrations from before
//     the stores shared their SQL, frozen as they were applied (numbers and
//     text are recorded in existing databases and must not change);
//   - migrations: one numbered sequence for both drivers, after the highest
//     legacy number. A version is a file both run, NNNN_name.sql, a file
//     per driver, NNNN_name.sqlite.sql and NNNN_name.postgres.sql, where
//     their SQL differs (a variant may hold only a comment saying why that
//     driver has nothing to do), or both: the common file first, then the
//     driver's own, in one transaction, so that what the drivers share (a
//     table of keys, say) is written once. A common file may hold the line
//     DriverPart: the driver's file then runs there, between the common
//     file's part before the line and its part after, so that SQL both
//     drivers run after a table each creates its own way (an INSERT ...
//     SELECT into it) is written once too. Every driver has every version.
//
// Every migration runs in a transaction of its own and is recorded in
// schema_migrations as "migrations/<file>" (without the driver's suffix),
// the form the legacy runners used.
package schema

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/spoke-crm/spoke/storage/internal/sqlstore"
)

// Files is the history: legacy/<driver>/*.sql and migrations/*.sql.
//
//go:embed legacy/sqlite/*.sql legacy/postgres/*.sql migrations/*.sql
var Files embed.FS

var files = Files

// Drivers are the drivers the history is written for.
var Drivers = []string{"sqlite", "postgres"}

// Migration is one step of a driver's history.
type Migration struct {
	Version string   // as recorded in schema_migrations
	Files   []string // its SQL, paths in the embedded files, run in order
}

var fileName = regexp.MustCompile(`^([0-9]{4})_([a-z0-9_]+?)(?:\.(sqlite|postgres))?\.sql$`)

// For returns the migrations of driver in the order they run.
func For(driver string) ([]Migration, error) {
	legacy, err := fs.Glob(files, "legacy/"+driver+"/*.sql")
	if err != nil {
		return nil, err
	}
	if len(legacy) == 0 {
		return nil, fmt.Errorf("schema: no history for driver %q", driver)
	}
	sort.Strings(legacy)
	var out []Migration
	for _, f := range legacy {
		out = append(out, Migration{Version: "migrations/" + path.Base(f), Files: []string{f}})
	}
	shared, err := Shared(files)
	if err != nil {
		return nil, err
	}
	for _, v := range shared {
		m := Migration{Version: "migrations/" + v.Name}
		for _, d := range []string{"", driver} {
			if f, ok := v.Files[d]; ok {
				m.Files = append(m.Files, f)
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// Version is one version of the shared sequence.
type Version struct {
	Number int
	Name   string            // NNNN_name.sql
	Files  map[string]string // by driver; "" for a file both run
}

// Shared reads the shared sequence of a history laid out as this
// package's files are, and checks its rules: names, numbers above every
// legacy one and each used once, and every driver covered.
func Shared(files fs.FS) ([]Version, error) {
	legacyMax := 0
	for _, d := range Drivers {
		names, _ := fs.Glob(files, "legacy/"+d+"/*.sql")
		for _, f := range names {
			m := fileName.FindStringSubmatch(path.Base(f))
			if m == nil || m[3] != "" {
				return nil, fmt.Errorf("schema: bad legacy file name %s", f)
			}
			n, _ := strconv.Atoi(m[1])
			legacyMax = max(legacyMax, n)
		}
	}
	names, err := fs.Glob(files, "migrations/*")
	if err != nil {
		return nil, err
	}
	byNumber := map[int]*Version{}
	for _, f := range names {
		m := fileName.FindStringSubmatch(path.Base(f))
		if m == nil {
			return nil, fmt.Errorf("schema: %s: want NNNN_name.sql, NNNN_name.sqlite.sql or NNNN_name.postgres.sql", f)
		}
		n, _ := strconv.Atoi(m[1])
		if n <= legacyMax {
			return nil, fmt.Errorf("schema: %s: numbers of shared migrations start after the legacy ones (%04d)", f, legacyMax)
		}
		name := m[1] + "_" + m[2] + ".sql"
		v := byNumber[n]
		if v == nil {
			v = &Version{Number: n, Name: name, Files: map[string]string{}}
			byNumber[n] = v
		}
		if v.Name != name {
			return nil, fmt.Errorf("schema: version %04d has two names: %s and %s", n, v.Name, name)
		}
		v.Files[m[3]] = f
	}
	var out []Version
	for _, v := range byNumber {
		_, common := v.Files[""]
		for _, d := range Drivers {
			if _, variant := v.Files[d]; !common && !variant {
				return nil, fmt.Errorf("schema: %s has no file for %s", v.Name, d)
			}
		}
		out = append(out, *v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out, nil
}

// Conn is the connection migrations run on.
type Conn interface {
	// Querier runs statements on the connection outside transactions.
	sqlstore.Querier
	// Tx runs fn in a transaction on the connection.
	Tx(ctx context.Context, fn func(sqlstore.Querier) error) error
}

// Migrate applies the migrations of d's driver that c's database lacks, in
// order, each in a transaction of its own, between the dialect's
// MigrationSession statements (on PostgreSQL an advisory lock, so that
// processes starting at once migrate one after the other).
func Migrate(ctx context.Context, c Conn, d sqlstore.Dialect) error {
	list, err := For(d.Driver())
	if err != nil {
		return err
	}
	before, after := d.MigrationSession()
	for _, s := range before {
		if _, err := c.Exec(ctx, s); err != nil {
			return err
		}
	}
	defer func() {
		for _, s := range after {
			c.Exec(context.Background(), s)
		}
	}()
	if _, err := c.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY)`); err != nil {
		return err
	}
	rows, err := c.Query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return err
	}
	applied := map[string]bool{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		applied[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// A version this history lacks was applied by a newer Spoke, whose
	// schema this code does not know: refuse rather than misread it.
	known := map[string]bool{}
	for _, m := range list {
		known[m.Version] = true
	}
	var unknown []string
	for v := range applied {
		if !known[v] {
			unknown = append(unknown, v)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("the database was migrated by a newer Spoke (its schema has %s, which this version does not know): run that version or a newer one", unknown[len(unknown)-1])
	}
	for _, m := range list {
		if applied[m.Version] {
			continue
		}
		if err := c.Tx(ctx, func(q sqlstore.Querier) error { return apply(ctx, q, m) }); err != nil {
			return fmt.Errorf("migration %s: %w", m.Version, err)
		}
	}
	return nil
}

// DriverPart is the line of a common file where its driver's file runs.
const DriverPart = "-- The driver's file runs here."

// Step is SQL a migration runs, and the file it comes from.
type Step struct {
	File, SQL string
}

// Steps reads the SQL of m from fsys in the order it runs: its files one
// after the other, except that a common file holding DriverPart is split
// there around the driver's file.
func Steps(fsys fs.FS, m Migration) ([]Step, error) {
	var out []Step
	for i, f := range m.Files {
		body, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		before, after, split := strings.Cut(string(body), "\n"+DriverPart+"\n")
		if !split {
			out = append(out, Step{f, string(body)})
			continue
		}
		if i != 0 || len(m.Files) != 2 {
			return nil, fmt.Errorf("schema: %s: %q in a file with no driver's file after it", f, DriverPart)
		}
		own, err := fs.ReadFile(fsys, m.Files[1])
		if err != nil {
			return nil, err
		}
		return append(out, Step{f, before}, Step{m.Files[1], string(own)}, Step{f, after}), nil
	}
	return out, nil
}

// apply runs m unless another process has just done so.
func apply(ctx context.Context, q sqlstore.Querier, m Migration) error {
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil || n > 0 {
		return err
	}
	steps, err := Steps(files, m)
	if err != nil {
		return err
	}
	for _, st := range steps {
		if _, err := q.Exec(ctx, st.SQL); err != nil {
			return fmt.Errorf("%s: %w", st.File, err)
		}
	}
	_, err = q.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES (?)`, m.Version)
	return err
}
