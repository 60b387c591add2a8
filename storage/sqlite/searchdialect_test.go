package sqlite

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/storage/internal/searchsql"
)

// TestSearchDocumentsAreJSONB checks the documents the store writes in
// SQLite's JSONB: valid, and read back as the values indexed, for numbers
// and texts of every size of header.
func TestSearchDocumentsAreJSONB(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := OpenForTest(t, filepath.Join(t.TempDir(), "spoke.db"))
	nums := []float64{0, 7, -12, 10000000001, 1795996226490, 0.30000000000000004, -0.5, 1e300, 5e-324, 12345678901234567890, 1e21, -1e-7}
	texts := []string{"", "a", "whats_app", `quote " and \ backslash`, "tab\tnew\nline \x01 \u2028", "東京 José", strings.Repeat("x", 11), strings.Repeat("y", 12),
		strings.Repeat("z", 255), strings.Repeat("w", 256), strings.Repeat("v", 65535), strings.Repeat("u", 65536)}
	var vals []crm.IndexedValue
	want := map[string]map[string]any{"nums": {}, "texts": {}}
	for i, n := range nums {
		name := "n" + strconv.Itoa(i)
		vals = append(vals, crm.IndexedValue{Name: name, Num: &n})
		want["nums"][strconv.FormatInt(searchsql.Key("0-18", name), 10)] = n
	}
	for i, s := range texts {
		name := "t" + strconv.Itoa(i)
		vals = append(vals, crm.IndexedValue{Name: name, Text: &s})
		want["texts"][strconv.FormatInt(searchsql.Key("0-18", name), 10)] = s
	}
	multi := []any{}
	for _, s := range texts[:4] {
		vals = append(vals, crm.IndexedValue{Name: "tags", Text: &s})
		multi = append(multi, s)
	}
	want["texts"][strconv.FormatInt(searchsql.Key("0-18", "tags"), 10)] = multi
	err := db.Write(ctx, func(tx crm.Tx) error {
		ids, err := tx.NextIDs(ctx, 1)
		if err != nil {
			return err
		}
		now := time.UnixMilli(1_700_000_000_000).UTC()
		if err := tx.InsertObjects(ctx, []*crm.Object{{ID: ids[0], TypeID: "0-18", Properties: map[string]string{}, CreatedAt: now, UpdatedAt: now}}); err != nil {
			return err
		}
		return tx.IndexObjects(ctx, []crm.SearchDoc{{ObjectID: ids[0], TypeID: "0-18", Values: vals, New: true}})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, col := range []string{"nums", "texts"} {
		var valid bool
		var text string
		if err := db.reader.QueryRow(`SELECT json_valid(`+col+`, 8), json(`+col+`) FROM search_docs`).Scan(&valid, &text); err != nil {
			t.Fatal(err)
		}
		if !valid {
			t.Errorf("%s is not valid JSONB", col)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(text), &got); err != nil {
			t.Fatalf("%s: %v", col, err)
		}
		if !reflect.DeepEqual(got, want[col]) {
			t.Errorf("%s reads back as\n%.500v\nwant\n%.500v", col, got, want[col])
		}
	}
	// json_extract reads each value as the number or text indexed.
	for i, n := range nums {
		var got float64
		if err := db.reader.QueryRow(`SELECT json_extract(nums, ?) FROM search_docs`, docPath(searchsql.Key("0-18", "n"+strconv.Itoa(i)))).Scan(&got); err != nil || got != n {
			t.Errorf("number %v reads back as %v (%v)", n, got, err)
		}
	}
}
