package sqlstore

import (
	"cmp"
	"slices"
	"strconv"
)

// Value sets: a database whose dialect has ValueSets keeps the values of
// the search index (but those of properties with a scoped index) once per
// value and block of record ids, with the ids holding it as a JSON array in
// ascending order: search_num_sets (key, num, block, ids) and
// search_text_sets (key, text, block, ids). A value held by many records
// (an enumeration's option, a source, the time a batch was created) costs
// a write of its set per transaction instead of an index entry per record;
// a value of one record is a set of one. The block of an id is id >>
// setBlockBits, which bounds a set to 64 ids and makes the set holding a
// record's value found from the value and the id alone.
const setBlockBits = 6

// setKey is one set: a value of a key in a block.
type setKey struct {
	key   int64
	num   float64
	text  string
	block int64
}

// idSets collects ids per set.
type idSets map[setKey][]int64

func (s idSets) add(key int64, num float64, text string, id int64) {
	k := setKey{key, num, text, id >> setBlockBits}
	s[k] = append(s[k], id)
}

// sortedKeys are the sets in the order of the table's primary key.
func (s idSets) sortedKeys() []setKey {
	keys := make([]setKey, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b setKey) int {
		return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.num, b.num), cmp.Compare(a.text, b.text), cmp.Compare(a.block, b.block))
	})
	return keys
}

// idList is ids as a set: ascending, without repeats, as JSON.
func idList(ids []int64) string {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	return string(AppendIDs(make([]byte, 0, 2+12*len(ids)), ids))
}

// AppendIDs appends ids, in their order, as the JSON array a value set
// holds.
func AppendIDs(dst []byte, ids []int64) []byte {
	dst = append(dst, '[')
	for i, id := range ids {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendInt(dst, id, 10)
	}
	return append(dst, ']')
}

// addToSets are the statements adding the ids of sets to the numbers'
// (numeric) or texts' value sets.
func addToSets(d Dialect, sets idSets, numeric bool) []statement {
	if len(sets) == 0 {
		return nil
	}
	table, col := setTable(numeric)
	args := make([]any, 0, 4*len(sets))
	for _, k := range sets.sortedKeys() {
		var v any = k.text
		if numeric {
			v = k.num
		}
		args = append(args, k.key, v, k.block, idList(sets[k]))
	}
	return rowStatements(d, args, 4, `INSERT INTO `+table+` (key, `+col+`, block, ids) VALUES `, `(?, ?, ?, ?)`,
		` ON CONFLICT (key, `+col+`, block) DO UPDATE SET ids = spoke_ids_add(`+table+`.ids, excluded.ids)`)
}

// removeFromSets are the statements removing, for each key of vs, its
// records from the sets of its values, and the sets left empty. A record's
// sets of a key are among those of the key's values in the records' blocks,
// so no other set changes.
func removeFromSets(d Dialect, vs valueSets, numeric bool) []statement {
	table, col := setTable(numeric)
	var out []statement
	chunk := d.MaxParams()/2 - 4
	for _, key := range vs.keys {
		set := vs.byKey[key]
		blocks := make([]int64, 0, len(set.objects))
		for _, id := range set.objects {
			blocks = append(blocks, id>>setBlockBits)
		}
		slices.Sort(blocks)
		blocks = slices.Compact(blocks)
		ids := idList(set.objects)
		for v := 0; v < len(set.values); v += chunk {
			values := set.values[v:min(len(set.values), v+chunk)]
			for b := 0; b < len(blocks); b += chunk {
				bs := blocks[b:min(len(blocks), b+chunk)]
				where := `key = ? AND ` + col + ` IN (` + Placeholders(len(values)) + `) AND block IN (` + Placeholders(len(bs)) + `)`
				args := make([]any, 0, 1+len(values)+len(bs))
				args = append(args, key)
				args = append(args, values...)
				for _, b := range bs {
					args = append(args, b)
				}
				out = append(out,
					statement{`UPDATE ` + table + ` SET ids = spoke_ids_remove(ids, ?) WHERE ` + where, append([]any{ids}, args...)},
					statement{`DELETE FROM ` + table + ` WHERE ` + where + ` AND ids = '[]'`, args})
			}
		}
	}
	return out
}

func setTable(numeric bool) (table, column string) {
	if numeric {
		return "search_num_sets", "num"
	}
	return "search_text_sets", "text"
}

// usesValueSets reports whether the dialect keeps value sets.
func usesValueSets(d Dialect) bool {
	from, _ := d.ValueSets(true)
	return from != ""
}
