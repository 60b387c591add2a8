package postgres

import "strconv"

// DocValue reads the value under key as text, converted to a number when
// numeric (the documents are jsonb).
func (dialect) DocValue(col string, key int64, numeric bool) (string, any) {
	expr := `(` + col + `->>?::text)`
	if numeric {
		expr = `(` + expr + `::float8)`
	}
	return expr, strconv.FormatInt(key, 10)
}

// DocValues lists the values under key with a JSON path whose [*] reads an
// array's elements, or, in lax mode, the one value that is not an array.
// ValueSets: PostgreSQL keeps one entry per value. Writers run at the
// same time there, and a set shared by many records would make each wait
// for the others' transactions.
func (dialect) ValueSets(numeric bool) (from, id string) { return "", "" }

func (dialect) DocValues(col string, key int64, numeric bool) (string, any) {
	value := `(e #>> '{}')`
	if numeric {
		value = `(` + value + `::float8)`
	}
	return `LATERAL (SELECT ` + value + ` AS value FROM jsonb_path_query(` + col + `, ?::jsonpath) e) j`,
		`$."` + strconv.FormatInt(key, 10) + `"[*]`
}

// Settings turn off parallel plans for the rest of the search's
// transaction. The planner's estimates of free-text matches are far above
// the real counts (20,000 rows for 1,000 at a million messages), so it
// starts parallel workers whose start costs more than the search itself
// on a small machine.
func (dialect) Settings() []string {
	return []string{`SET LOCAL max_parallel_workers_per_gather = 0`}
}

// BinaryDocuments: documents go in as JSON text, which PostgreSQL stores as
// jsonb.
func (dialect) BinaryDocuments() bool { return false }

func (dialect) DocText(col string) string { return col }

// CombinesWrites: each statement is a round trip to the server; a record's
// index writes (its document, values and free text) go in one.
func (dialect) CombinesWrites() bool { return true }
