package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestAssociationsBetweenPlan checks that reading the associations between
// two records seeks the whole key prefix, so that its cost does not grow
// with the first record's associations (the associations table has no index
// on to_id).
func TestAssociationsBetweenPlan(t *testing.T) {
	t.Parallel()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "spoke.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.reader.Query(`EXPLAIN QUERY PLAN `+associationsBetween, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if got := strings.Join(plan, "; "); !strings.Contains(got, "SEARCH associations USING PRIMARY KEY (from_id=? AND to_type=? AND to_id=?)") {
		t.Errorf("plan: %s", got)
	}
}
