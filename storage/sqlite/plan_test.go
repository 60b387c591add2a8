package sqlite

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/storage/internal/sqlstore"
)

// TestAssociationPlans checks that reading the associations between two
// records, and deleting those leading to a record, seek the whole key
// prefix, so that their cost does not grow with the other records'
// associations (the associations table has no index on to_id).
func TestAssociationPlans(t *testing.T) {
	t.Parallel()
	db := OpenForTest(t, filepath.Join(t.TempDir(), "spoke.db"))
	for q, args := range map[string][]any{sqlstore.AssociationsBetweenSQL: {1, 2}, sqlstore.DeleteAssociationsToSQL: {1}} {
		if got := plan(t, db, q, args...); !strings.Contains(got, "SEARCH associations USING PRIMARY KEY (from_id=? AND to_type=? AND to_id=?)") {
			t.Errorf("%s\nplan: %s", q, got)
		}
	}
}

func plan(t *testing.T, db *DB, q string, args ...any) string {
	t.Helper()
	rows, err := db.reader.Query(`EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, detail)
	}
	return strings.Join(steps, "; ")
}

// TestSearchIndexPlans checks that removing a record's index entries seeks
// each of its values in the value indexes, which are ordered by value and
// have no index on the record.
func TestSearchIndexPlans(t *testing.T) {
	t.Parallel()
	db := OpenForTest(t, filepath.Join(t.TempDir(), "spoke.db"))
	for q, want := range map[string]string{
		`DELETE FROM search_nums WHERE key = ? AND num IN (?) AND object_id IN (?) OR key = ? AND num IN (?, ?) AND object_id IN (?, ?)`:    "SEARCH search_nums USING PRIMARY KEY (key=? AND num=? AND object_id=?)",
		`DELETE FROM search_texts WHERE key = ? AND text IN (?) AND object_id IN (?) OR key = ? AND text IN (?, ?) AND object_id IN (?, ?)`: "SEARCH search_texts USING PRIMARY KEY (key=? AND text=? AND object_id=?)",
	} {
		got := plan(t, db, q, 1, 2, 3, 4, 5, 6, 7, 8)
		if strings.Count(got, want) != 2 || strings.Contains(got, "SCAN") {
			t.Errorf("%s\nplan: %s", q, got)
		}
	}
}
