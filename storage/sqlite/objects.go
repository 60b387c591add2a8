package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/storage/internal/history"
	"github.com/spoke-crm/spoke/storage/internal/jsonenc"
)

// txn implements crm.Tx on a database/sql transaction.
type txn struct {
	tx *sqlTx
}

const objectColumns = `id, type_id, properties, created_at, updated_at, archived, archived_at`

func scanObject(row interface{ Scan(...any) error }) (*crm.Object, error) {
	var (
		o                crm.Object
		props            []byte
		created, updated int64
		archivedAt       sql.NullInt64
	)
	if err := row.Scan(&o.ID, &o.TypeID, &props, &created, &updated, &o.Archived, &archivedAt); err != nil {
		return nil, err
	}
	var err error
	if o.Properties, err = decodeProperties(props); err != nil {
		return nil, err
	}
	o.CreatedAt, o.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	if archivedAt.Valid {
		o.ArchivedAt = time.UnixMilli(archivedAt.Int64).UTC()
	}
	return &o, nil
}

func (t *txn) Object(ctx context.Context, typeID string, id int64) (*crm.Object, error) {
	o, err := scanObject(t.tx.QueryRowContext(ctx, `SELECT `+objectColumns+` FROM objects WHERE id = ? AND type_id = ?`, id, typeID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, crm.ErrNotFound
	}
	return o, err
}

func (t *txn) ListObjects(ctx context.Context, q crm.ListQuery) ([]*crm.Object, error) {
	var since int64
	if q.Archived && !q.ArchivedSince.IsZero() {
		since = q.ArchivedSince.UnixMilli()
	}
	rows, err := t.tx.QueryContext(ctx, `SELECT `+objectColumns+` FROM objects
		WHERE type_id = ? AND archived = ? AND id >= ? AND coalesce(archived_at, 0) >= ? ORDER BY id LIMIT ?`,
		q.TypeID, q.Archived, q.AfterID, since, q.Limit)
	if err != nil {
		return nil, err
	}
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

func (t *txn) FindUnique(ctx context.Context, typeID, property, value string) (int64, error) {
	var id int64
	err := t.tx.QueryRowContext(ctx, `SELECT object_id FROM unique_values WHERE type_id = ? AND property = ? AND value = ?`,
		typeID, property, value).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, crm.ErrNotFound
	}
	return id, err
}

func (t *txn) History(ctx context.Context, ids []int64, names []string) ([]crm.HistoryEntry, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := t.tx.QueryContext(ctx, `SELECT object_id, timestamp, changes FROM object_writes
		WHERE object_id IN (`+placeholders(len(ids))+`) ORDER BY object_id, seq DESC`, args...)
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
	var last int64
	err := t.tx.QueryRowContext(ctx, `UPDATE id_sequence SET value = value + ? WHERE name = 'objects' RETURNING value`, n).Scan(&last)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = last - int64(n) + 1 + int64(i)
	}
	return ids, nil
}

func archivedAt(o *crm.Object) any {
	if !o.Archived {
		return nil
	}
	return o.ArchivedAt.UnixMilli()
}

// rowsInChunks runs one multi-row statement per chunk of n rows: prefix, then
// "(?, ...)" per row with cols parameters, then suffix.
func (t *txn) rowsInChunks(ctx context.Context, n, cols int, prefix, suffix string, args func(i int) []any) error {
	// SQLite allows 32766 bound parameters per statement.
	chunk := 32000 / cols
	row := "(" + placeholders(cols) + ")"
	for start := 0; start < n; start += chunk {
		end := min(n, start+chunk)
		vals := make([]any, 0, (end-start)*cols)
		for i := start; i < end; i++ {
			vals = append(vals, args(i)...)
		}
		q := prefix + strings.TrimSuffix(strings.Repeat(row+", ", end-start), ", ") + suffix
		if _, err := t.tx.ExecContext(ctx, q, vals...); err != nil {
			return err
		}
	}
	return nil
}

func (t *txn) writeObjects(ctx context.Context, objs []*crm.Object, suffix string) error {
	return t.rowsInChunks(ctx, len(objs), 7, `INSERT INTO objects (`+objectColumns+`) VALUES `, suffix, func(i int) []any {
		o := objs[i]
		return []any{o.ID, o.TypeID, jsonenc.StringMap(o.Properties), o.CreatedAt.UnixMilli(), o.UpdatedAt.UnixMilli(), o.Archived, archivedAt(o)}
	})
}

func (t *txn) InsertObjects(ctx context.Context, objs []*crm.Object) error {
	return t.writeObjects(ctx, objs, "")
}

func (t *txn) UpdateObjects(ctx context.Context, objs []*crm.Object) error {
	return t.writeObjects(ctx, objs, ` ON CONFLICT (id) DO UPDATE SET properties = excluded.properties, created_at = excluded.created_at,
		updated_at = excluded.updated_at, archived = excluded.archived, archived_at = excluded.archived_at`)
}

func (t *txn) ObjectsByIDs(ctx context.Context, ids []int64) ([]*crm.Object, error) {
	var out []*crm.Object
	for start := 0; start < len(ids); start += 30000 {
		chunk := ids[start:min(len(ids), start+30000)]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := t.tx.QueryContext(ctx, `SELECT `+objectColumns+` FROM objects WHERE id IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			o, err := scanObject(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AppendHistory stores the entries of each (record, timestamp) as one row.
func (t *txn) AppendHistory(ctx context.Context, entries []crm.HistoryEntry) error {
	writes, err := history.Group(entries)
	if err != nil {
		return err
	}
	return t.rowsInChunks(ctx, len(writes), 3, `INSERT INTO object_writes (object_id, timestamp, changes) VALUES `, "",
		func(i int) []any { return []any{writes[i].ObjectID, writes[i].Timestamp, writes[i].Changes} })
}

// DeleteHistory removes the recorded values of ids.
func (t *txn) DeleteHistory(ctx context.Context, ids []int64) error {
	for start := 0; start < len(ids); start += 1000 {
		chunk := ids[start:min(len(ids), start+1000)]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM object_writes WHERE object_id IN (`+placeholders(len(chunk))+`)`, args...); err != nil {
			return err
		}
	}
	return nil
}

// LockUnique has nothing to do: SQLite runs one write transaction at a
// time, so a lookup and a claim in one are never interleaved with another's.
func (t *txn) LockUnique(context.Context, []crm.UniqueKey) error { return nil }

func (t *txn) ClaimUnique(ctx context.Context, typeID, property, value string, id int64) error {
	var holder int64
	err := t.tx.QueryRowContext(ctx, `INSERT INTO unique_values (type_id, property, value, object_id) VALUES (?, ?, ?, ?)
		ON CONFLICT (type_id, property, value) DO UPDATE SET object_id = object_id RETURNING object_id`,
		typeID, property, value, id).Scan(&holder)
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
		_, err = t.tx.ExecContext(ctx, `DELETE FROM unique_values WHERE object_id = ? AND type_id = ?`, id, typeID)
	} else {
		_, err = t.tx.ExecContext(ctx, `DELETE FROM unique_values WHERE object_id = ? AND type_id = ? AND property = ?`, id, typeID, property)
	}
	return err
}
