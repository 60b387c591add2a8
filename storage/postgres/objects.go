package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/storage/internal/history"
	"github.com/spoke-crm/spoke/storage/internal/jsonenc"
)

// rows runs one multi-row statement per chunk: prefix, then a "($1, ...)"
// tuple of cols parameters per row, then suffix.
func (t *txn) rows(ctx context.Context, n, cols int, prefix, suffix string, args func(i int) []any) error {
	chunk := 60000 / cols // PostgreSQL allows 65535 parameters per statement
	for start := 0; start < n; start += chunk {
		end := min(n, start+chunk)
		var b strings.Builder
		b.WriteString(prefix)
		vals := make([]any, 0, (end-start)*cols)
		for i := start; i < end; i++ {
			if i > start {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for c := range cols {
				if c > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "$%d", len(vals)+c+1)
			}
			b.WriteByte(')')
			vals = append(vals, args(i)...)
		}
		b.WriteString(suffix)
		if _, err := t.tx.Exec(ctx, b.String(), vals...); err != nil {
			return err
		}
	}
	return nil
}

const objectColumns = `id, type_id, properties, created_at, updated_at, archived, archived_at`

func scanObject(row pgx.Row) (*crm.Object, error) {
	var (
		o                crm.Object
		props            []byte
		created, updated int64
		archivedAt       *int64
	)
	if err := row.Scan(&o.ID, &o.TypeID, &props, &created, &updated, &o.Archived, &archivedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(props, &o.Properties); err != nil {
		return nil, err
	}
	o.CreatedAt, o.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	if archivedAt != nil {
		o.ArchivedAt = time.UnixMilli(*archivedAt).UTC()
	}
	return &o, nil
}

func (t *txn) Object(ctx context.Context, typeID string, id int64) (*crm.Object, error) {
	o, err := scanObject(t.tx.QueryRow(ctx, `SELECT `+objectColumns+` FROM objects WHERE id = $1 AND type_id = $2`+t.lock(), id, typeID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, crm.ErrNotFound
	}
	return o, err
}

func (t *txn) ObjectsByIDs(ctx context.Context, ids []int64) ([]*crm.Object, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := t.tx.Query(ctx, `SELECT `+objectColumns+` FROM objects WHERE id = ANY($1) ORDER BY id`+t.lock(), ids)
	if err != nil {
		return nil, err
	}
	return collectObjects(rows)
}

func collectObjects(rows pgx.Rows) ([]*crm.Object, error) {
	defer rows.Close()
	var out []*crm.Object
	for rows.Next() {
		o, err := scanObject(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func (t *txn) ListObjects(ctx context.Context, q crm.ListQuery) ([]*crm.Object, error) {
	var since int64
	if q.Archived && !q.ArchivedSince.IsZero() {
		since = q.ArchivedSince.UnixMilli()
	}
	rows, err := t.tx.Query(ctx, `SELECT `+objectColumns+` FROM objects
		WHERE type_id = $1 AND archived = $2 AND id >= $3 AND coalesce(archived_at, 0) >= $4 ORDER BY id LIMIT $5`,
		q.TypeID, q.Archived, q.AfterID, since, q.Limit)
	if err != nil {
		return nil, err
	}
	return collectObjects(rows)
}

func (t *txn) FindUnique(ctx context.Context, typeID, property, value string) (int64, error) {
	var id int64
	err := t.tx.QueryRow(ctx, `SELECT object_id FROM unique_values WHERE type_id = $1 AND property = $2 AND value = $3`,
		typeID, property, value).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, crm.ErrNotFound
	}
	return id, err
}

func (t *txn) History(ctx context.Context, ids []int64, names []string) ([]crm.HistoryEntry, error) {
	rows, err := t.tx.Query(ctx, `SELECT object_id, timestamp, changes FROM object_writes WHERE object_id = ANY($1) ORDER BY object_id, seq DESC`, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	c := history.NewCollector(names)
	for rows.Next() {
		var (
			id, ts  int64
			changes []byte
		)
		if err := rows.Scan(&id, &ts, &changes); err != nil {
			return nil, err
		}
		if err := c.Add(id, ts, changes); err != nil {
			return nil, err
		}
	}
	return c.Entries(), rows.Err()
}

func (t *txn) NextIDs(ctx context.Context, n int) ([]int64, error) {
	rows, err := t.tx.Query(ctx, `SELECT nextval('object_ids') FROM generate_series(1, $1)`, n)
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	return ids, nil
}

func archivedAt(o *crm.Object) any {
	if !o.Archived {
		return nil
	}
	return o.ArchivedAt.UnixMilli()
}

func (t *txn) writeObjects(ctx context.Context, objs []*crm.Object, suffix string) error {
	// One statement may not update a row twice: the last version wins.
	last := make(map[int64]int, len(objs))
	for i, o := range objs {
		last[o.ID] = i
	}
	var keep []*crm.Object
	for i, o := range objs {
		if last[o.ID] == i {
			keep = append(keep, o)
		}
	}
	args := make([][]any, len(keep))
	for i, o := range keep {
		args[i] = []any{o.ID, o.TypeID, jsonenc.StringMap(o.Properties), o.CreatedAt.UnixMilli(), o.UpdatedAt.UnixMilli(), o.Archived, archivedAt(o)}
	}
	return t.rows(ctx, len(keep), 7, `INSERT INTO objects (`+objectColumns+`) VALUES `, suffix, func(i int) []any { return args[i] })
}

func (t *txn) InsertObjects(ctx context.Context, objs []*crm.Object) error {
	return t.writeObjects(ctx, objs, "")
}

func (t *txn) UpdateObjects(ctx context.Context, objs []*crm.Object) error {
	return t.writeObjects(ctx, objs, ` ON CONFLICT (id) DO UPDATE SET properties = excluded.properties, created_at = excluded.created_at,
		updated_at = excluded.updated_at, archived = excluded.archived, archived_at = excluded.archived_at`)
}

func (t *txn) AppendHistory(ctx context.Context, entries []crm.HistoryEntry) error {
	writes, err := history.Group(entries)
	if err != nil {
		return err
	}
	return t.rows(ctx, len(writes), 3, `INSERT INTO object_writes (object_id, timestamp, changes) VALUES `, "",
		func(i int) []any { return []any{writes[i].ObjectID, writes[i].Timestamp, writes[i].Changes} })
}

// DeleteHistory removes the recorded values of ids.
func (t *txn) DeleteHistory(ctx context.Context, ids []int64) error {
	_, err := t.tx.Exec(ctx, `DELETE FROM object_writes WHERE object_id = ANY($1)`, ids)
	return err
}

// uniqueLockClass is the first key of the advisory locks on unique values
// (pg_advisory_xact_lock(class, key)): the two-key form never meets the
// one-key locks taken elsewhere, such as migrationLock.
const uniqueLockClass = 0x53706b55 // "SpkU"

// LockUnique takes a transaction-level advisory lock on each key, by a
// 32-bit hash of it: two values sharing a hash only wait for each other.
// The locks are taken in ascending order in one statement, so transactions
// locking overlapping sets cannot deadlock on them.
func (t *txn) LockUnique(ctx context.Context, keys []crm.UniqueKey) error {
	var want []int32
	for _, k := range keys {
		h := fnv.New32a()
		h.Write([]byte(k.TypeID))
		h.Write([]byte{0})
		h.Write([]byte(k.Property))
		h.Write([]byte{0})
		h.Write([]byte(k.Value))
		n := int32(h.Sum32())
		if !t.locked[n] {
			want = append(want, n)
		}
	}
	if len(want) == 0 {
		return nil
	}
	slices.Sort(want)
	want = slices.Compact(want)
	if _, err := t.tx.Exec(ctx, `SELECT count(pg_advisory_xact_lock($1, k)) FROM unnest($2::int4[]) AS k`, uniqueLockClass, want); err != nil {
		return err
	}
	if t.locked == nil {
		t.locked = map[int32]bool{}
	}
	for _, n := range want {
		t.locked[n] = true
	}
	return nil
}

func (t *txn) ClaimUnique(ctx context.Context, typeID, property, value string, id int64) error {
	if _, err := t.tx.Exec(ctx, `INSERT INTO unique_values (type_id, property, value, object_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
		typeID, property, value, id); err != nil {
		return err
	}
	holder, err := t.FindUnique(ctx, typeID, property, value)
	if err != nil {
		return err
	}
	if holder != id {
		return &crm.UniqueConflictError{Property: property, Value: value, ExistingID: holder}
	}
	return nil
}

func (t *txn) ReleaseUnique(ctx context.Context, typeID string, id int64, property string) error {
	var err error
	if property == "" {
		_, err = t.tx.Exec(ctx, `DELETE FROM unique_values WHERE object_id = $1 AND type_id = $2`, id, typeID)
	} else {
		_, err = t.tx.Exec(ctx, `DELETE FROM unique_values WHERE object_id = $1 AND type_id = $2 AND property = $3`, id, typeID, property)
	}
	return err
}
