package crm

import (
	"context"
	"errors"
	"time"
)

// Restore brings an archived record back from the recycle bin with its
// properties and its associations to records that still exist. Restore is a
// Spoke extension: HubSpot offers it only in its UI.
func (e *Engine) Restore(ctx context.Context, actor Actor, t *ObjectType, idValue string) (*Object, error) {
	objs, err := e.RestoreBatch(ctx, actor, t, []string{idValue})
	if err != nil {
		return nil, err
	}
	return objs[0], nil
}

func (e *Engine) restore(ctx context.Context, tx Tx, t *ObjectType, idValue string, locked map[UniqueKey]bool) (*Object, error) {
	obj, err := e.load(ctx, tx, t, idValue, "", true)
	if err != nil {
		return nil, err
	}
	now := e.now()
	obj.Archived, obj.ArchivedAt, obj.UpdatedAt = false, time.Time{}, now
	unique := uniqueValues(t, obj)
	for _, k := range uniqueKeys(nil, t, unique) {
		if !locked[k] {
			return nil, errRestoreMoved
		}
	}
	if err := e.claimUnique(ctx, tx, t, obj, unique); err != nil {
		return nil, err
	}
	if err := tx.UpdateObjects(ctx, []*Object{obj}); err != nil {
		return nil, err
	}
	return obj, tx.IndexObjects(ctx, searchDocs(t, []*Object{obj}))
}

// uniqueValues are the values of obj's unique properties.
func uniqueValues(t *ObjectType, obj *Object) map[string]string {
	unique := map[string]string{}
	for name, v := range obj.Properties {
		if p := t.Property(name); p != nil && p.Unique {
			unique[name] = v
		}
	}
	return unique
}

// RestoreBatch restores several records in one transaction: all or none.
// As every write, it locks the unique values the records take back before
// the records, and the records together, in id order: the values are read
// first, without locking (a record in the recycle bin keeps them); if a
// record has others once locked (archived or changed in between), the
// transaction ends without writing and the restore starts again.
func (e *Engine) RestoreBatch(ctx context.Context, actor Actor, t *ObjectType, ids []string) ([]*Object, error) {
	if t.NotRestorable {
		return nil, Invalidf("Deleted %s cannot be restored", t.Name)
	}
	for attempt := 0; ; attempt++ {
		out, err := e.restoreBatch(ctx, t, ids)
		if !errors.Is(err, errRestoreMoved) || attempt == 20 {
			return out, err
		}
	}
}

// errRestoreMoved ends a restore that found a record holding other unique
// values than it locked.
var errRestoreMoved = errors.New("crm: a record of the restore changed meanwhile")

func (e *Engine) restoreBatch(ctx context.Context, t *ObjectType, ids []string) ([]*Object, error) {
	var values []map[string]string
	err := e.Store.Read(ctx, func(tx ReadTx) error {
		for _, id := range ids {
			if obj, err := e.load(ctx, tx, t, id, "", true); err == nil {
				values = append(values, uniqueValues(t, obj))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	locked := map[UniqueKey]bool{}
	for _, k := range uniqueKeys(nil, t, values...) {
		locked[k] = true
	}
	var out []*Object
	err = e.Store.Write(ctx, func(tx Tx) error {
		out = out[:0]
		if err := liveType(ctx, tx, t); err != nil {
			return err
		}
		if err := e.lockUnique(ctx, tx, t, values...); err != nil {
			return err
		}
		resolved := make([]int64, len(ids))
		for i, v := range ids {
			resolved[i], _ = ParseID(v) // 0 when it names no record
		}
		if _, err := lockResolved(ctx, tx, resolved); err != nil {
			return err
		}
		for _, id := range ids {
			obj, err := e.restore(ctx, tx, t, id, locked)
			if err != nil {
				return err
			}
			out = append(out, obj)
		}
		return nil
	})
	return out, err
}

// PurgeArchived deletes for good the records archived more than
// RecycleBinDays ago, with their history and associations. It returns how
// many it deleted.
func (e *Engine) PurgeArchived(ctx context.Context) (int, error) {
	const chunk = 500
	total := 0
	for {
		var n int
		err := e.Store.Write(ctx, func(tx Tx) error {
			ids, err := tx.ArchivedBefore(ctx, e.recycleCutoff(), chunk)
			if err != nil {
				return err
			}
			n = len(ids)
			return tx.PurgeObjects(ctx, ids)
		})
		total += n
		if err != nil || n < chunk {
			return total, err
		}
	}
}
