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
// have no index on the record: the entries of search_times, found by hour,
// and the value sets, found by value and block.
func TestSearchIndexPlans(t *testing.T) {
	t.Parallel()
	db := OpenForTest(t, filepath.Join(t.TempDir(), "spoke.db"))
	for _, tc := range []struct {
		q     string
		args  []any
		want  string
		times int
	}{
		{`DELETE FROM search_times WHERE key = ? AND bucket IN (?) AND object_id IN (?) OR key = ? AND bucket IN (?, ?) AND object_id IN (?, ?)`,
			[]any{1, 2, 3, 4, 5, 6, 7, 8}, "SEARCH search_times USING PRIMARY KEY (key=? AND bucket=? AND object_id=?)", 2},
		// A range of times in scope reads the range's hours only.
		{`SELECT v.object_id AS id, v.num AS sk FROM search_times v WHERE v.key = ? AND v.bucket BETWEEN ? AND ? AND v.num BETWEEN ? AND ? AND v.scope IN (?)`,
			[]any{1, 2, 3, 4, 5, 6}, "SEARCH v USING PRIMARY KEY (key=? AND bucket>? AND bucket<?)", 1},
		{`UPDATE search_text_sets SET ids = spoke_ids_remove(ids, ?) WHERE key = ? AND text IN (?, ?) AND block IN (?, ?)`,
			[]any{"[1]", 1, "a", "b", 3, 4}, "SEARCH search_text_sets USING PRIMARY KEY (key=? AND text=? AND block=?)", 1},
		{`DELETE FROM search_num_sets WHERE key = ? AND num IN (?, ?) AND block IN (?, ?) AND ids = '[]'`,
			[]any{1, 2, 3, 4, 5}, "SEARCH search_num_sets USING PRIMARY KEY (key=? AND num=? AND block=?)", 1},
	} {
		got := plan(t, db, tc.q, tc.args...)
		if strings.Count(got, tc.want) != tc.times || strings.Contains(got, "SCAN") {
			t.Errorf("%s\nplan: %s", tc.q, got)
		}
	}
}
