package postgres

import "testing"

func TestRebind(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`SELECT a FROM t WHERE b = ? AND c IN (?, ?)`, `SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)`},
		{`WHERE from_id = ?1 AND to_type = (SELECT type_id FROM objects WHERE id = ?2) AND to_id = ?2`,
			`WHERE from_id = $1 AND to_type = (SELECT type_id FROM objects WHERE id = $2) AND to_id = $2`},
		{`SELECT '?', 'it''s ?', "col?" FROM t WHERE x = ?`, `SELECT '?', 'it''s ?', "col?" FROM t WHERE x = $1`},
		{"-- why?\nSELECT ? - 1 -- and ?\n, ?", "-- why?\nSELECT $1 - 1 -- and ?\n, $2"},
		{`SELECT 'unterminated ?`, `SELECT 'unterminated ?`},
	} {
		if got := rebind(tc.in, []any{1}); got != tc.want {
			t.Errorf("rebind(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// Without arguments a statement (a migration, several statements) is
	// sent as it is.
	if got := rebind(`SELECT '?'; SELECT ?`, nil); got != `SELECT '?'; SELECT ?` {
		t.Errorf("rebind without arguments changed the statement: %q", got)
	}
}
