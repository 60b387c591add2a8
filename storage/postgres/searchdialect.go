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
func (dialect) DocValues(col string, key int64, numeric bool) (string, any) {
	value := `(e #>> '{}')`
	if numeric {
		value = `(` + value + `::float8)`
	}
	return `LATERAL (SELECT ` + value + ` AS value FROM jsonb_path_query(` + col + `, ?::jsonpath) e) j`,
		`$."` + strconv.FormatInt(key, 10) + `"[*]`
}
