package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// The legacy migrations are recorded in existing databases by name and
// were applied as they are: their text must never change.
var legacySums = map[string]string{
	"legacy/postgres/0001_schema.sql":                          "f0942df8237b18b0dbefb62d5c7adace3cb95d6fd8a7d123e29fd7f7b90d812e",
	"legacy/postgres/0002_search_object_index.sql":             "33414c4d969080f230b8e55fe10710f63663277d43a1ff070065569acbbfaf0c",
	"legacy/postgres/0003_rate_limits.sql":                     "d224b5f03c69f28213a36547175732286f399112e7e24d51d651ca1caaadc4cf",
	"legacy/postgres/0004_search_scoped.sql":                   "98fe5a0b7a69cabca8fa6afb593c0f9565a5c6cbf23ccc7b14bdf99218797954",
	"legacy/postgres/0005_web_sessions.sql":                    "75efe283f990343e41a4103d38fddae57f92b049fc97027f872747ba32f89735",
	"legacy/sqlite/0001_objects.sql":                           "f8e179528125c0f4151861f43fe8d0a412ffdc21889692765c6963e45ab787fb",
	"legacy/sqlite/0002_owners_properties.sql":                 "fb124f9ce34cc4a935153067dba8c1ee090e45212543e69a0207d49dc58c0f94",
	"legacy/sqlite/0003_associations.sql":                      "1176b15ea0b985c8f539bd4025483e0d4a4c468bebcad63e70093c845d802014",
	"legacy/sqlite/0004_history_per_write.sql":                 "d87494bbcb7ed0ac4cfd5e8eda301b95631a0b369603ffc811fd310610c7d557",
	"legacy/sqlite/0005_search.sql":                            "2138a88a9a4445aa0290e972639b2a1dd01cc30d80a3acab6fd08e535088df4c",
	"legacy/sqlite/0006_search_object_index.sql":               "33414c4d969080f230b8e55fe10710f63663277d43a1ff070065569acbbfaf0c",
	"legacy/sqlite/0007_search_scoped.sql":                     "2efb3d9c6903253f1fd129995def1c91173a5c5f106c7d38bbfd08df6e81920a",
	"legacy/sqlite/0008_search_values_by_record.sql":           "76fbab185b43c6400c159e0923d4358b59ac277ef1cb0e0dc57a1b2cd466c8ec",
	"legacy/sqlite/0009_associations_without_target_index.sql": "87e8398f59263418a6c55353a6788683748f06454bfbe572a1f4b9f5207cc1ba",
	"legacy/sqlite/0010_web_sessions.sql":                      "f8d3a5bad10d502107e2b15c45491c4daf06c7100a58d43845f8e5e4e1559246",
}

func TestLegacyIsFrozen(t *testing.T) {
	names, err := fs.Glob(Files, "legacy/*/*")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != len(legacySums) {
		t.Errorf("%d legacy files, want %d: the legacy histories take no new files", len(names), len(legacySums))
	}
	for _, name := range names {
		data, err := Files.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if got, want := hex.EncodeToString(sum[:]), legacySums[name]; got != want {
			t.Errorf("%s: sha256 %s, want %s: a legacy migration must stay as existing databases applied it", name, got, want)
		}
	}
}

// TestHistories checks each driver's list: the legacy migrations first in
// their order and under the names the legacy runners recorded, then every
// shared version once.
func TestHistories(t *testing.T) {
	shared, err := Shared(Files)
	if err != nil {
		t.Fatal(err)
	}
	if len(shared) == 0 {
		t.Fatal("no shared migrations")
	}
	for _, d := range Drivers {
		list, err := For(d)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		prev := ""
		for i, m := range list {
			if seen[m.Version] {
				t.Errorf("%s: %s twice", d, m.Version)
			}
			seen[m.Version] = true
			if !strings.HasPrefix(m.Version, "migrations/") || m.Version <= prev {
				t.Errorf("%s: %s after %s", d, m.Version, prev)
			}
			prev = m.Version
			if len(m.Files) == 0 {
				t.Errorf("%s: %s runs no file", d, m.Version)
				continue
			}
			for _, f := range m.Files {
				if _, err := Files.ReadFile(f); err != nil {
					t.Errorf("%s: %v", d, err)
				}
			}
			legacy := strings.HasPrefix(m.Files[0], "legacy/"+d+"/")
			if legacy != (i < len(list)-len(shared)) {
				t.Errorf("%s: %s out of place", d, m.Files[0])
			}
			// A shared version runs its common file, its driver's file,
			// or the common file and then the driver's.
			common := m.Version
			own := strings.TrimSuffix(m.Version, ".sql") + "." + d + ".sql"
			if !legacy && !slices.Equal(m.Files, []string{common}) && !slices.Equal(m.Files, []string{own}) &&
				!slices.Equal(m.Files, []string{common, own}) {
				t.Errorf("%s: %s runs %v", d, m.Version, m.Files)
			}
		}
	}
	if _, err := For("oracle"); err == nil {
		t.Error("a history for an unknown driver")
	}
}

// TestSharedRules feeds Shared histories that break its rules.
func TestSharedRules(t *testing.T) {
	legacy := fstest.MapFS{
		"legacy/sqlite/0001_a.sql":   {},
		"legacy/sqlite/0002_b.sql":   {},
		"legacy/postgres/0001_a.sql": {},
	}
	with := func(files ...string) fstest.MapFS {
		m := fstest.MapFS{}
		for k, v := range legacy {
			m[k] = v
		}
		for _, f := range files {
			m["migrations/"+f] = &fstest.MapFile{}
		}
		return m
	}
	for _, tc := range []struct {
		files []string
		err   string // "" for none
	}{
		{[]string{"0003_c.sql", "0004_d.sqlite.sql", "0004_d.postgres.sql"}, ""},
		{[]string{"0002_c.sql"}, "start after the legacy ones"},
		{[]string{"0003_c.sqlite.sql"}, "no file for postgres"},
		{[]string{"0003_c.sql", "0003_d.sql"}, "two names"},
		{[]string{"3_c.sql"}, "want NNNN_name.sql"},
		{[]string{"0003_c.mysql.sql"}, "want NNNN_name.sql"},
	} {
		vs, err := Shared(with(tc.files...))
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%v: %v", tc.files, err)
		case tc.err == "" && (len(vs) != 2 || vs[0].Name != "0003_c.sql" || vs[1].Files["sqlite"] != "migrations/0004_d.sqlite.sql"):
			t.Errorf("%v: %+v", tc.files, vs)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%v: error %v, want one saying %q", tc.files, err, tc.err)
		}
	}
	// A common file and a driver's own: the driver runs both, the other
	// driver the common one.
	vs, err := Shared(with("0003_c.sql", "0003_c.postgres.sql"))
	if err != nil || len(vs) != 1 || vs[0].Files[""] != "migrations/0003_c.sql" || vs[0].Files["postgres"] != "migrations/0003_c.postgres.sql" {
		t.Errorf("common and postgres files: %+v, %v", vs, err)
	}
}

// A common file holding DriverPart runs around its driver's file: its part
// before the line, the driver's file, its part after. Without a driver's
// file to run there, the line is an error.
func TestDriverPart(t *testing.T) {
	fsys := fstest.MapFS{
		"migrations/0003_c.sql":        {Data: []byte("A;\n" + DriverPart + "\nC;\n")},
		"migrations/0003_c.sqlite.sql": {Data: []byte("B;\n")},
		"migrations/0004_d.sql":        {Data: []byte("D;\n" + DriverPart + "\nE;\n")},
	}
	steps, err := Steps(fsys, Migration{Files: []string{"migrations/0003_c.sql", "migrations/0003_c.sqlite.sql"}})
	var got []string
	for _, s := range steps {
		got = append(got, s.File+": "+s.SQL)
	}
	want := []string{"migrations/0003_c.sql: A;", "migrations/0003_c.sqlite.sql: B;\n", "migrations/0003_c.sql: C;\n"}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("steps %q, %v; want %q", got, err, want)
	}
	if _, err := Steps(fsys, Migration{Files: []string{"migrations/0004_d.sql"}}); err == nil {
		t.Error("DriverPart in a version with no driver's file")
	}
	// 0015 runs so on both drivers: the entries are converted once, after
	// each driver created its tables.
	for _, d := range Drivers {
		list, err := For(d)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(list, func(m Migration) bool { return m.Version == "migrations/0015_search_documents.sql" })
		steps, err := Steps(Files, list[i])
		if err != nil || len(steps) != 3 || !strings.Contains(steps[1].SQL, "CREATE TABLE search_nums") || !strings.Contains(steps[2].SQL, "INSERT INTO search_nums") {
			t.Errorf("%s: 0015 runs %d steps (%v)", d, len(steps), err)
		}
	}
}
