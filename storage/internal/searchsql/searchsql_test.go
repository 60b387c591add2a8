package searchsql_test

import (
	"os"
	"slices"
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
		"../schema/legacy/sqlite/0007_search_scoped.sql",
		"../schema/legacy/postgres/0004_search_scoped.sql",
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

type testDialect struct{}

func (testDialect) JSONText(alias, property string) string { return alias + "." + property }
func (testDialect) TokenMatch(expr, pattern string) (string, any) {
	return "match(" + expr + ", ?)", pattern
}
func (testDialect) TextMatches([]string) (string, []any) {
	return "SELECT id FROM text WHERE text MATCH ?", []any{""}
}
func (testDialect) False() string        { return "0" }
func (testDialect) Materialized() string { return "" }
func (testDialect) Settings() []string   { return nil }
func (testDialect) DocValue(col string, key int64, numeric bool) (string, any) {
	return "value(" + col + ", ?)", key
}
func (testDialect) ValueSets(numeric bool) (from, id string) { return "", "" }

func (testDialect) DocValues(col string, key int64, numeric bool) (string, any) {
	return "values(" + col + ", ?) j", key
}

// A search for the records lacking a property, alone and in creation order,
// counts them from two index counts and reads a page in id order; with
// anything more it takes the general plan.
func TestLackingPropertyPlan(t *testing.T) {
	notHas := crm.SearchFilter{Property: "hs_communication_logged_from", Kind: crm.KindExact, Indexed: true, Op: crm.OpNotHasProperty}
	q := crm.SearchQuery{TypeID: "0-18", Groups: [][]crm.SearchFilter{{notHas}}, Limit: 100}
	count, page := searchsql.Build(q, testDialect{})
	if strings.Contains(page.SQL, "WITH m") || !strings.Contains(page.SQL, "ORDER BY o.id LIMIT ? OFFSET ?") ||
		!strings.Contains(count.SQL, "- (SELECT count(*)") {
		t.Errorf("lone NOT_HAS_PROPERTY:\n%s\n%s", count.SQL, page.SQL)
	}
	for name, other := range map[string]crm.SearchQuery{
		"sorted":      {TypeID: "0-18", Groups: q.Groups, Limit: 100, Sort: &crm.SearchSort{Property: "hs_timestamp", Kind: crm.KindNumeric, Indexed: true}},
		"with terms":  {TypeID: "0-18", Groups: q.Groups, Limit: 100, Terms: []string{"x"}},
		"two filters": {TypeID: "0-18", Groups: [][]crm.SearchFilter{{notHas, {Property: "hs_timestamp", Kind: crm.KindNumeric, Indexed: true, Op: crm.OpHasProperty}}}, Limit: 100},
	} {
		if _, page := searchsql.Build(other, testDialect{}); !strings.Contains(page.SQL, "WITH m") {
			t.Errorf("%s: not the general plan:\n%s", name, page.SQL)
		}
	}
}

// The migration to search documents (0015) turns the rows of scoped values
// into the scope of their property's entry; it lists the keys of every
// scoped name of every type and of its property, which must be the keys the
// code computes.
func TestSearchDocumentsMigrationKeys(t *testing.T) {
	var want []string
	for _, typ := range crm.DefaultRegistry().Types() {
		for _, si := range typ.ScopedIndexes {
			for _, o := range typ.Property(si.Scope).Options {
				name := crm.ScopedName(si.Property, si.Scope, o.Value)
				want = append(want, "("+strconv.FormatInt(searchsql.Key(typ.ID, name), 10)+", "+
					strconv.FormatInt(searchsql.Key(typ.ID, si.Property), 10)+"), -- "+typ.ID+" "+name+"\n")
			}
		}
	}
	if len(want) < 8 {
		t.Fatalf("%d scoped names: communications and tasks have 8", len(want))
	}
	file := "../schema/migrations/0015_search_documents.sql"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sql := strings.Join(strings.Fields(string(data)), " ")
	for _, w := range want {
		w = strings.Join(strings.Fields(w), " ")
		if !strings.Contains(sql, w) && !strings.Contains(sql, strings.Replace(w, "), --", ");  --", 1)) &&
			!strings.Contains(sql, strings.Replace(w, "), --", "); --", 1)) {
			t.Errorf("%s: no line %q", file, w)
		}
	}
	if n := strings.Count(sql, "-- 0-"); n != len(want) {
		t.Errorf("%s: %d scoped names, want %d", file, n, len(want))
	}
}

// hs_object_id has no index entries: its filters and sort read the record
// id, as integers, and a record never lacks it.
func TestObjectIDPlan(t *testing.T) {
	key := searchsql.Key("0-3", crm.ObjectIDProperty)
	id := func(op string, v ...float64) crm.SearchFilter {
		return crm.SearchFilter{Property: crm.ObjectIDProperty, Kind: crm.KindNumeric, Indexed: true, Op: op, Nums: v}
	}
	amount := crm.SearchFilter{Property: "amount", Kind: crm.KindNumeric, Indexed: true, Op: crm.OpEQ, Nums: []float64{5}}
	sort := &crm.SearchSort{Property: crm.ObjectIDProperty, Kind: crm.KindNumeric, Indexed: true, Desc: true}
	for _, tc := range []struct {
		name  string
		q     crm.SearchQuery
		sql   []string
		args  []any
		plain bool // the general plan
	}{
		{"driver", crm.SearchQuery{Groups: [][]crm.SearchFilter{{amount, id(crm.OpEQ, 7)}}},
			[]string{"FROM objects o WHERE o.type_id = ? AND o.archived = 0 AND (o.id = ?)"}, []any{int64(7)}, true},
		{"condition", crm.SearchQuery{Groups: [][]crm.SearchFilter{{amount, id(crm.OpNEQ, 7)}}},
			[]string{"AND NOT (d.id = ?)"}, []any{int64(7)}, true},
		{"not whole", crm.SearchQuery{Groups: [][]crm.SearchFilter{{id(crm.OpGT, 10.5), id(crm.OpLT, 20.5), id(crm.OpEQ, 3.5)}}},
			[]string{"o.archived = 0 AND (1 = 0)", "(d.id > ?)", "(d.id < ?)"}, []any{int64(10), int64(21)}, true},
		{"between", crm.SearchQuery{Groups: [][]crm.SearchFilter{{id(crm.OpBetween, 1.5, 1e300)}}},
			[]string{"(o.id >= ? AND o.id <= ?)"}, []any{int64(2), int64(1) << 62}, true},
		{"lacking", crm.SearchQuery{Groups: [][]crm.SearchFilter{{id(crm.OpNotHasProperty)}}},
			[]string{"AND NOT (1 = 1)"}, nil, true},
		{"sort", crm.SearchQuery{Groups: [][]crm.SearchFilter{{amount}}, Sort: sort},
			[]string{"m.id AS sort_key", "ORDER BY sort_key DESC"}, nil, true},
	} {
		tc.q.TypeID, tc.q.Limit = "0-3", 10
		_, page := searchsql.Build(tc.q, testDialect{})
		if tc.plain != strings.Contains(page.SQL, "WITH m") {
			t.Errorf("%s: plan\n%s", tc.name, page.SQL)
		}
		for _, s := range tc.sql {
			if !strings.Contains(page.SQL, s) {
				t.Errorf("%s: no %q in\n%s", tc.name, s, page.SQL)
			}
		}
		for _, a := range page.Args {
			if a == key {
				t.Errorf("%s: reads the index of hs_object_id:\n%s", tc.name, page.SQL)
			}
		}
		for _, w := range tc.args {
			if !slices.Contains(page.Args, w) {
				t.Errorf("%s: no argument %v in %v", tc.name, w, page.Args)
			}
		}
	}
}

// The migration that takes hs_object_id out of the index (0034) lists the
// key of hs_object_id of every built-in object type, which must be the
// keys the code computes.
func TestObjectIDMigrationKeys(t *testing.T) {
	var want []string
	for _, typ := range crm.DefaultRegistry().Types() {
		want = append(want, "('"+typ.ID+"', "+strconv.FormatInt(searchsql.Key(typ.ID, crm.ObjectIDProperty), 10)+"), -- "+typ.ID+" hs_object_id")
	}
	if len(want) < 12 {
		t.Fatalf("%d built-in types, want at least 12", len(want))
	}
	file := "../schema/migrations/0034_object_id_from_record.sql"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sql := strings.Join(strings.Fields(string(data)), " ")
	for _, w := range want {
		if !strings.Contains(sql, w+" ") && !strings.Contains(sql, strings.Replace(w, "), --", "); --", 1)+" ") {
			t.Errorf("%s: no line %q", file, w)
		}
	}
	if n := strings.Count(sql, "-- 0-"); n != len(want) {
		t.Errorf("%s: %d keys, want %d", file, n, len(want))
	}
}

// TestValueSetsMigrationKeys checks the keys of the properties with a
// scoped index that migration 0035 keeps out of the value sets, and that
// 0038 moves to search_times, against the code.
func TestValueSetsMigrationKeys(t *testing.T) {
	var want []string
	for _, typ := range crm.DefaultRegistry().Types() {
		for _, si := range typ.ScopedIndexes {
			line := "(" + strconv.FormatInt(searchsql.Key(typ.ID, si.Property), 10) + ")"
			if !slices.Contains(want, line) {
				want = append(want, line)
			}
		}
	}
	if len(want) < 2 {
		t.Fatalf("%d scoped properties, want at least 2", len(want))
	}
	for _, file := range []string{"0035_search_value_sets.sqlite.sql", "0038_search_times.sqlite.sql", "0038_search_times.postgres.sql"} {
		data, err := os.ReadFile("../schema/migrations/" + file)
		if err != nil {
			t.Fatal(err)
		}
		sql := string(data)
		for _, w := range want {
			if !strings.Contains(sql, "\t"+w+", --") && !strings.Contains(sql, "\t"+w+"; --") {
				t.Errorf("%s: no key %s", file, w)
			}
		}
		if n := strings.Count(sql, "\t("); n != len(want) {
			t.Errorf("%s: %d keys, want %d", file, n, len(want))
		}
	}
}

// TimeBucket truncates toward zero, as SQL's CAST of a number to an
// integer does in the migration that filled search_times, and holds
// numbers far from any time within its bounds: a bucket only grows with
// its value.
func TestTimeBucket(t *testing.T) {
	for _, tc := range []struct {
		num  float64
		want int64
	}{
		{0, 0}, {1, 0}, {-1, 0}, {3_599_999, 0}, {-3_599_999, 0},
		{3_600_000, 1}, {-3_600_000, -1}, {-3_600_001, -1}, {-7_200_000, -2},
		{1_700_000_000_000, 472_222}, {1e300, 1 << 62}, {-1e300, -(1 << 62)},
	} {
		if got := searchsql.TimeBucket(tc.num); got != tc.want {
			t.Errorf("TimeBucket(%g) = %d, want %d", tc.num, got, tc.want)
		}
	}
	nums := []float64{-1e300, -1e20, -1e13, -7_200_001, -3_600_000, -1_800_000, -0.5, 0, 0.5, 1_800_000, 3_600_000, 1e13, 1e20, 1e300}
	for i := 1; i < len(nums); i++ {
		if a, b := searchsql.TimeBucket(nums[i-1]), searchsql.TimeBucket(nums[i]); b < a {
			t.Errorf("TimeBucket(%g) = %d, below TimeBucket(%g) = %d", nums[i], b, nums[i-1], a)
		}
	}
}
