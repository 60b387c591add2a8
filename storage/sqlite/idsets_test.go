package sqlite

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/spoke-crm/spoke/storage/internal/sqlstore"
)

func TestIDSetFunctions(t *testing.T) {
	t.Parallel()
	db := OpenForTest(t, filepath.Join(t.TempDir(), "spoke.db"))
	call := func(sql string, args ...any) (string, error) {
		var out string
		err := db.writer.QueryRowContext(context.Background(), sql, args...).Scan(&out)
		return out, err
	}
	for _, tc := range []struct{ fn, a, b, want string }{
		{"spoke_ids_add", "[]", "[3]", "[3]"},
		{"spoke_ids_add", "[1,5,9]", "[2,5,10]", "[1,2,5,9,10]"},
		{"spoke_ids_add", "[10000000001]", "[10000000000,10000000002]", "[10000000000,10000000001,10000000002]"},
		{"spoke_ids_add", "[-3,4]", "[]", "[-3,4]"},
		{"spoke_ids_remove", "[1,5,9]", "[5]", "[1,9]"},
		{"spoke_ids_remove", "[1,5,9]", "[0,1,2,9,11]", "[5]"},
		{"spoke_ids_remove", "[7]", "[7]", "[]"},
		{"spoke_ids_remove", "[]", "[7]", "[]"},
		{"spoke_ids_remove", "[1,2]", "[3]", "[1,2]"},
	} {
		got, err := call(`SELECT `+tc.fn+`(?, ?)`, tc.a, tc.b)
		if err != nil || got != tc.want {
			t.Errorf("%s(%s, %s) = %s, %v; want %s", tc.fn, tc.a, tc.b, got, err, tc.want)
		}
	}
	// Anything but a set in ascending order fails the statement.
	for _, bad := range []string{"", "[", "[1,]", "[,1]", "[1 ,2]", "[1.5]", "[\"1\"]", "{}", "[2,1]", "[1,1]", "[99999999999999999999]", "null"} {
		if got, err := call(`SELECT spoke_ids_add(?, '[1]')`, bad); err == nil {
			t.Errorf("spoke_ids_add(%q) = %s, want an error", bad, got)
		}
		if got, err := call(`SELECT spoke_ids_remove('[1]', ?)`, bad); err == nil {
			t.Errorf("spoke_ids_remove(_, %q) = %s, want an error", bad, got)
		}
	}
}

func TestIDSetOps(t *testing.T) {
	t.Parallel()
	a := []int64{1, 3, 5, 7, 9}
	b := []int64{2, 3, 4, 9, 10}
	if got := unionIDs(a, b); !slices.Equal(got, []int64{1, 2, 3, 4, 5, 7, 9, 10}) {
		t.Errorf("union %v", got)
	}
	if got := withoutIDs(a, b); !slices.Equal(got, []int64{1, 5, 7}) {
		t.Errorf("without %v", got)
	}
	ids, err := parseIDs(sqlstore.AppendIDs(nil, a), nil)
	if err != nil || !slices.Equal(ids, a) {
		t.Errorf("round trip %v %v", ids, err)
	}
}
