package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/jsonenc"
	"github.com/spoke-crm/spoke/storage/internal/history"
)

const objectColumns = `id, type_id, properties, created_at, updated_at, archived, archived_at`

func scanObject(row Row) (*crm.Object, error) {
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

func (t *Tx) Object(ctx context.Context, typeID string, id int64) (*crm.Object, error) {
	o, err := scanObject(t.q.QueryRow(ctx, `SELECT `+objectColumns+` FROM objects WHERE id = ? AND type_id = ?`+t.lock(), id, typeID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, crm.ErrNotFound
	}
	return o, err
}

// ObjectsByIDs reads the records in ascending id order, which is the order
// in which a write transaction locks them.
func (t *Tx) ObjectsByIDs(ctx context.Context, ids []int64) ([]*crm.Object, error) {
	lock := t.lock()
	if lock != "" && len(ids) > t.d.MaxParams() {
		ids = slices.Sorted(slices.Values(ids))
	}
	return t.objectsByIDs(ctx, ids, lock)
}

// PeekObjects reads the records without locking them.
func (t *Tx) PeekObjects(ctx context.Context, ids []int64) ([]*crm.Object, error) {
	return t.objectsByIDs(ctx, ids, "")
}

// objectsByIDs reads the records ids in id order, with lock (a locking
// clause, or none).
func (t *Tx) objectsByIDs(ctx context.Context, ids []int64, lock string) ([]*crm.Object, error) {
	var out []*crm.Object
	err := forIDs(t.d, "id", ids, func(in string, args []any) error {
		objs, err := query(ctx, t.q, scanObject, `SELECT `+objectColumns+` FROM objects WHERE `+in+` ORDER BY id`+lock, args...)
		out = append(out, objs...)
		return err
	})
	return out, err
}

func (t *Tx) ListObjects(ctx context.Context, q crm.ListQuery) ([]*crm.Object, error) {
	var since int64
	if q.Archived && !q.ArchivedSince.IsZero() {
		since = q.ArchivedSince.UnixMilli()
	}
	return query(ctx, t.q, scanObject, `SELECT `+objectColumns+` FROM objects
		WHERE type_id = ? AND archived = ? AND id >= ? AND coalesce(archived_at, 0) >= ? ORDER BY id LIMIT ?`,
		q.TypeID, q.Archived, q.AfterID, since, q.Limit)
}

func (t *Tx) FindUnique(ctx context.Context, typeID, property, value string) (int64, error) {
	var id int64
	err := t.q.QueryRow(ctx, `SELECT object_id FROM unique_values WHERE type_id = ? AND property = ? AND value = ?`,
		typeID, property, value).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, crm.ErrNotFound
	}
	return id, err
}

// History reads the recorded values of names for ids, newest first per
// record and property: the rows of object_writes, then each record's first
// write where its row keeps it.
func (t *Tx) History(ctx context.Context, ids []int64, names []string) ([]crm.HistoryEntry, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	c := history.NewCollector(names)
	err := forIDs(t.d, "object_id", ids, func(in string, args []any) error {
		rows, err := t.q.Query(ctx, `SELECT object_id, timestamp, changes FROM object_writes WHERE `+in+` ORDER BY object_id, seq DESC`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				id, ts  int64
				changes []byte
			)
			if err := rows.Scan(&id, &ts, &changes); err != nil {
				return err
			}
			if err := c.Add(id, ts, changes); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	err = forIDs(t.d, "id", ids, func(in string, args []any) error {
		rows, err := t.q.Query(ctx, `SELECT id, created_history, coalesce(created_values, properties) FROM objects
			WHERE created_history IS NOT NULL AND `+in+` ORDER BY id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				id             int64
				created, props []byte
			)
			if err := rows.Scan(&id, &created, &props); err != nil {
				return err
			}
			values, err := decodeProperties(props)
			if err != nil {
				return err
			}
			if err := c.AddCreate(id, created, values); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return c.Entries(), nil
}

func (t *Tx) NextIDs(ctx context.Context, n int) ([]int64, error) {
	return t.d.NextIDs(ctx, t.q, ObjectIDs, n)
}

func archivedAt(o *crm.Object) any {
	if !o.Archived {
		return nil
	}
	return o.ArchivedAt.UnixMilli()
}

// writeObjects inserts objs, with props their properties as JSON (nil to
// encode them here) and created the stored first write of each
// (history.Compact; nil for none), or runs suffix on conflict.
func (t *Tx) writeObjects(ctx context.Context, objs []*crm.Object, props []string, created []any, suffix string) error {
	return t.insertRows(ctx, len(objs), 8, `INSERT INTO objects (`+objectColumns+`, created_history) VALUES `, `(?, ?, ?, ?, ?, ?, ?, ?)`, suffix, func(i int) []any {
		o := objs[i]
		var c any
		if created != nil {
			c = created[i]
		}
		var p string
		if props != nil {
			p = props[i]
		} else {
			p = jsonenc.StringMap(o.Properties)
		}
		return []any{o.ID, o.TypeID, p, o.CreatedAt.UnixMilli(), o.UpdatedAt.UnixMilli(), o.Archived, archivedAt(o), c}
	})
}

// inHalves runs fn over [0, n) in two halves at once when n is large
// enough to be worth a goroutine: encoding a batch while a transaction
// holds SQLite's single writer leaves the other processor free otherwise.
func inHalves(n int, fn func(lo, hi int)) {
	if n < 32 {
		fn(0, n)
		return
	}
	done := make(chan struct{})
	go func() {
		fn(n/2, n)
		close(done)
	}()
	fn(0, n/2)
	<-done
}

// preparedRecord is a new record's properties as stored, made before its
// id is known (Prepare): the JSON before and after the value of
// hs_object_id, and its first write as history.Compact keeps it ("" when
// it does not).
type preparedRecord struct {
	before, after string
	n             int // the number of properties
	created       string
}

// objectIDPair is how the JSON of a record built without its id (id 0)
// holds its hs_object_id. Quotes inside values are escaped, so this text
// is found nowhere else.
var objectIDPair = `"` + crm.ObjectIDProperty + `":"0"`

// prepareRecord encodes o, a record built without its id, for
// InsertObjects.
func prepareRecord(o *crm.Object) (*preparedRecord, bool) {
	if o.ID != 0 || o.Properties[crm.ObjectIDProperty] != "0" {
		return nil, false
	}
	enc := jsonenc.StringMap(o.Properties)
	before, after, ok := strings.Cut(enc, objectIDPair)
	if !ok {
		return nil, false
	}
	r := &preparedRecord{before: before, after: after, n: len(o.Properties)}
	if len(o.CreateHistory) > 0 {
		if c, ok := history.Compact(o); ok {
			r.created = c
		}
	}
	return r, true
}

// fits reports whether o is still the record r was made from, given its
// id: renumbering (crm) changes nothing else.
func (r *preparedRecord) fits(o *crm.Object) bool {
	return len(o.Properties) == r.n && o.Properties[crm.ObjectIDProperty] == strconv.FormatInt(o.ID, 10)
}

// props is the record's properties as JSON with its id.
func (r *preparedRecord) props(id int64) string {
	var b strings.Builder
	b.Grow(len(r.before) + len(r.after) + len(objectIDPair) + 20)
	b.WriteString(r.before)
	b.WriteString(`"` + crm.ObjectIDProperty + `":"`)
	b.WriteString(strconv.FormatInt(id, 10))
	b.WriteString(`"`)
	b.WriteString(r.after)
	return b.String()
}

// InsertObjects stores new records. A record's first write (CreateHistory)
// is kept in its row when it sets exactly the record's properties
// (history.Compact), else appended to its history as any other write.
func (t *Tx) InsertObjects(ctx context.Context, objs []*crm.Object) error {
	t.records += len(objs)
	props := make([]string, len(objs))
	created := make([]any, len(objs))
	kept := make([]bool, len(objs))
	inHalves(len(objs), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			o := objs[i]
			if r, ok := o.Prepared.(*preparedRecord); ok && r.fits(o) {
				props[i] = r.props(o.ID)
				if r.created != "" {
					created[i], kept[i] = r.created, true
				}
				o.Prepared = nil
				continue
			}
			props[i] = jsonenc.StringMap(o.Properties)
			if len(o.CreateHistory) > 0 {
				if c, ok := history.Compact(o); ok {
					created[i], kept[i] = c, true
				}
			}
		}
	})
	var explicit []crm.HistoryEntry
	for i, o := range objs {
		if !kept[i] {
			explicit = append(explicit, o.CreateHistory...)
		}
	}
	if err := t.writeObjects(ctx, objs, props, created, ""); err != nil {
		return err
	}
	return t.AppendHistory(ctx, explicit)
}

// UpdateObjects writes each record once, as its last version in objs: a
// statement may not update one row twice on every database.
func (t *Tx) UpdateObjects(ctx context.Context, objs []*crm.Object) error {
	t.records += len(objs)
	if len(objs) > 1 {
		last := make(map[int64]int, len(objs))
		for i, o := range objs {
			last[o.ID] = i
		}
		if len(last) < len(objs) {
			keep := make([]*crm.Object, 0, len(last))
			for i, o := range objs {
				if last[o.ID] == i {
					keep = append(keep, o)
				}
			}
			objs = keep
		}
	}
	// A record whose first write is kept in its row keeps the values of
	// that write: the properties it has before they first change.
	return t.writeObjects(ctx, objs, nil, nil, ` ON CONFLICT (id) DO UPDATE SET properties = excluded.properties, created_at = excluded.created_at,
		updated_at = excluded.updated_at, archived = excluded.archived, archived_at = excluded.archived_at,
		created_values = CASE WHEN objects.created_history IS NOT NULL AND objects.created_values IS NULL AND objects.properties <> excluded.properties
			THEN objects.properties ELSE objects.created_values END`)
}

// AppendHistory stores the entries of each (record, timestamp) as one row.
func (t *Tx) AppendHistory(ctx context.Context, entries []crm.HistoryEntry) error {
	if len(entries) == 0 {
		return nil
	}
	writes, err := history.Group(entries)
	if err != nil {
		return err
	}
	return t.insertRows(ctx, len(writes), 3, `INSERT INTO object_writes (object_id, timestamp, changes) VALUES `, `(?, ?, ?)`, "",
		func(i int) []any { return []any{writes[i].ObjectID, writes[i].Timestamp, writes[i].Changes} })
}

// DeleteHistory removes the recorded values of ids, their first writes
// included.
func (t *Tx) DeleteHistory(ctx context.Context, ids []int64) error {
	err := forIDs(t.d, "object_id", ids, func(in string, args []any) error {
		_, err := t.q.Exec(ctx, `DELETE FROM object_writes WHERE `+in, args...)
		return err
	})
	if err != nil {
		return err
	}
	return forIDs(t.d, "id", ids, func(in string, args []any) error {
		_, err := t.q.Exec(ctx, `UPDATE objects SET created_history = NULL, created_values = NULL WHERE created_history IS NOT NULL AND `+in, args...)
		return err
	})
}

// uniqueLockClass is the first key of the locks on unique values: the
// two-key form never meets the one-key locks taken elsewhere, such as the
// migrations' lock.
const uniqueLockClass = 0x53706b55 // "SpkU"

// LockUnique takes a transaction lock on each key, by a 32-bit hash of it:
// two values sharing a hash only wait for each other. The locks are taken
// in ascending order in one statement, so transactions locking overlapping
// sets cannot deadlock on them. A dialect without LockKeys has one writer
// at a time: a lookup and a claim in one transaction are never interleaved
// with another's.
func (t *Tx) LockUnique(ctx context.Context, keys []crm.UniqueKey) error {
	stmt := t.d.LockKeys()
	if stmt == "" {
		return nil
	}
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
	if _, err := t.q.Exec(ctx, stmt, uniqueLockClass, want); err != nil {
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

// ClaimUnique inserts the claim or, if the value is held, reads its holder
// in the same statement.
func (t *Tx) ClaimUnique(ctx context.Context, typeID, property, value string, id int64) error {
	var holder int64
	err := t.q.QueryRow(ctx, `INSERT INTO unique_values (type_id, property, value, object_id) VALUES (?, ?, ?, ?)
		ON CONFLICT (type_id, property, value) DO UPDATE SET object_id = unique_values.object_id RETURNING object_id`,
		typeID, property, value, id).Scan(&holder)
	if err != nil {
		return err
	}
	if holder != id {
		return &crm.UniqueConflictError{Property: property, Value: value, ExistingID: holder}
	}
	return nil
}

func (t *Tx) ReleaseUnique(ctx context.Context, typeID string, id int64, property string) error {
	var err error
	if property == "" {
		_, err = t.q.Exec(ctx, `DELETE FROM unique_values WHERE object_id = ? AND type_id = ?`, id, typeID)
	} else {
		_, err = t.q.Exec(ctx, `DELETE FROM unique_values WHERE object_id = ? AND type_id = ? AND property = ?`, id, typeID, property)
	}
	return err
}
