package searchsql_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/storage/internal/searchsql"
)

// The migrations that fill the scoped index of existing messages hold the
// index keys as numbers; they must be the keys the code computes.
func TestScopedIndexMigrationKeys(t *testing.T) {
	typ := crm.Communications()
	if len(typ.ScopedIndexes) != 1 {
		t.Fatalf("communications have %d scoped indexes; the migrations fill one", len(typ.ScopedIndexes))
	}
	si := typ.ScopedIndexes[0]
	want := map[string]int64{
		si.Property: searchsql.Key(typ.ID, si.Property),
		si.Scope:    searchsql.Key(typ.ID, si.Scope),
	}
	for _, o := range typ.Property(si.Scope).Options {
		name := crm.ScopedName(si.Property, si.Scope, o.Value)
		want[name] = searchsql.Key(typ.ID, name)
	}
	for _, file := range []string{
		"../../sqlite/migrations/0007_search_scoped.sql",
		"../../postgres/migrations/0004_search_scoped.sql",
	} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		sql := string(data)
		for name, key := range want {
			if !strings.Contains(sql, name+" ") || !strings.Contains(sql, strconv.FormatInt(key, 10)) {
				t.Errorf("%s: key of %s is %d", file, name, key)
			}
		}
		for _, o := range typ.Property(si.Scope).Options {
			if !strings.Contains(sql, "WHEN '"+o.Value+"' THEN "+strconv.FormatInt(want[crm.ScopedName(si.Property, si.Scope, o.Value)], 10)) {
				t.Errorf("%s: no entry for channel %s", file, o.Value)
			}
		}
	}
}
