package sqlstore

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// The migration that made the value sets groups ids into the blocks the
// code finds them in.
func TestValueSetBlocksOfMigration(t *testing.T) {
	data, err := os.ReadFile("../schema/migrations/0035_search_value_sets.sqlite.sql")
	if err != nil {
		t.Fatal(err)
	}
	sql := string(data)
	want := "object_id >> " + strconv.Itoa(setBlockBits)
	if n := strings.Count(sql, "object_id >> "); n == 0 || n != strings.Count(sql, want) {
		t.Errorf("0035 groups ids by other blocks than %q", want)
	}
}

func TestIDList(t *testing.T) {
	if got := idList([]int64{5, 3, 5, 10000000001, 3}); got != "[3,5,10000000001]" {
		t.Errorf("idList = %s", got)
	}
	if got := idList(nil); got != "[]" {
		t.Errorf("idList(nil) = %s", got)
	}
}
