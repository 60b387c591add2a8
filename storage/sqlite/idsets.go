package sqlite

import (
	"errors"
	"strconv"

	"github.com/ncruces/go-sqlite3"

	"github.com/spoke-crm/spoke/storage/internal/sqlstore"
)

// The value sets of the search index (search_num_sets, search_text_sets;
// see storage/internal/sqlstore) hold record ids as a JSON array of
// integers in ascending order, which json_each reads in searches. These
// functions change a set in place of reading it out and writing it back:
//
//	spoke_ids_add(set, ids)     the union of two sets
//	spoke_ids_remove(set, ids)  set without ids
//
// Both return a set in the same form ("[]" when empty) and fail on
// anything else, so a damaged set fails the write instead of spreading.

var errIDSet = errors.New("search index: not a set of record ids")

// parseIDs appends the ids of a JSON array of integers to dst.
func parseIDs(b []byte, dst []int64) ([]int64, error) {
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		return nil, errIDSet
	}
	b = b[1 : len(b)-1]
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] != ',' {
			i++
		}
		n, err := strconv.ParseInt(string(b[:i]), 10, 64)
		if err != nil {
			return nil, errIDSet
		}
		dst = append(dst, n)
		if i == len(b) {
			break
		}
		b = b[i+1:]
		if len(b) == 0 {
			return nil, errIDSet
		}
	}
	return dst, nil
}

// sorted reports whether ids ascend strictly.
func sorted(ids []int64) bool {
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			return false
		}
	}
	return true
}

// idSetOp runs op on the two sets of a call.
func idSetOp(op func(a, b []int64) []int64) func(ctx sqlite3.Context, arg ...sqlite3.Value) {
	return func(ctx sqlite3.Context, arg ...sqlite3.Value) {
		a, err := parseIDs(arg[0].RawText(), nil)
		if err != nil {
			ctx.ResultError(err)
			return
		}
		b, err := parseIDs(arg[1].RawText(), nil)
		if err != nil || !sorted(a) || !sorted(b) {
			ctx.ResultError(errIDSet)
			return
		}
		ctx.ResultRawText(sqlstore.AppendIDs(nil, op(a, b)))
	}
}

// unionIDs merges two ascending sets.
func unionIDs(a, b []int64) []int64 {
	out := make([]int64, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		switch {
		case a[0] < b[0]:
			out, a = append(out, a[0]), a[1:]
		case b[0] < a[0]:
			out, b = append(out, b[0]), b[1:]
		default:
			out, a, b = append(out, a[0]), a[1:], b[1:]
		}
	}
	out = append(out, a...)
	return append(out, b...)
}

// withoutIDs is a without the ids of b, both ascending.
func withoutIDs(a, b []int64) []int64 {
	out := make([]int64, 0, len(a))
	for len(a) > 0 {
		for len(b) > 0 && b[0] < a[0] {
			b = b[1:]
		}
		if len(b) == 0 || b[0] != a[0] {
			out = append(out, a[0])
		}
		a = a[1:]
	}
	return out
}

func registerIDSets(c *sqlite3.Conn) error {
	flags := sqlite3.DETERMINISTIC | sqlite3.INNOCUOUS
	if err := c.CreateFunction("spoke_ids_add", 2, flags, idSetOp(unionIDs)); err != nil {
		return err
	}
	return c.CreateFunction("spoke_ids_remove", 2, flags, idSetOp(withoutIDs))
}
