package sqlite

import "strconv"

// docPath is the JSON path of key in a document of search_docs.
func docPath(key int64) string {
	return `$."` + strconv.FormatInt(key, 10) + `"`
}

// DocValue extracts the value under key: json_extract gives numbers as
// numbers and strings as text.
func (dialect) DocValue(col string, key int64, numeric bool) (string, any) {
	return `json_extract(` + col + `, ?)`, docPath(key)
}

// DocValues lists the values under key with json_each, which reads an
// array's elements, or one row for a single value.
func (dialect) DocValues(col string, key int64, numeric bool) (string, any) {
	return `json_each(` + col + `, ?) AS j`, docPath(key)
}

// ValueSets: SQLite keeps the value sets of storage/internal/sqlstore
// (valuesets.go), their ids a JSON array that json_each reads. It has one
// writer at a time, so the writes of a shared set never wait for another
// transaction's.
func (dialect) ValueSets(numeric bool) (from, id string) {
	if numeric {
		return `search_num_sets v, json_each(v.ids) e`, `e.value`
	}
	return `search_text_sets v, json_each(v.ids) e`, `e.value`
}

func (dialect) Settings() []string { return nil }

// BinaryDocuments: the store writes JSONB, which json_extract reads about
// twice as fast as JSON text, which it must parse first.
func (dialect) BinaryDocuments() bool { return true }

func (dialect) DocText(col string) string { return `json(` + col + `)` }

// CombinesWrites: SQLite has no INSERT or DELETE in WITH clauses, and its
// statements cost no round trip.
func (dialect) CombinesWrites() bool { return false }
