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

// restore restores one record whose unique values the transaction has
// locked.
func (e *Engine) restore(ctx context.Context, tx Tx, t *ObjectType, idValue string) (*Object, error) {
	obj, err := e.load(ctx, tx, t, idValue, "", true)
	if err != nil {
		return nil, err
	}
	now := e.now()
	obj.Archived, obj.ArchivedAt, obj.UpdatedAt = false, time.Time{}, now
	unique := uniqueValues(t, obj)
	if err := e.claimUnique(ctx, tx, t, obj, unique); err != nil {
		return nil, err
	}
	// A pin of an activity archived (or unassociated) while the record was
	// in the recycle bin is lifted: the archive lifted the pins of live
	// records only.
	if pin := obj.Properties[PinnedProperty]; pin != "" {
		err := e.checkPin(ctx, tx, t, obj, map[string]string{PinnedProperty: pin})
		if _, invalid := err.(*Error); err != nil && !invalid {
			return nil, err
		}
		if err != nil {
			delete(obj.Properties, PinnedProperty)
			lifted := HistoryEntry{ObjectID: obj.ID, Name: PinnedProperty, Timestamp: now, SourceType: SourceCalculated}
			if err := tx.AppendHistory(ctx, []HistoryEntry{lifted}); err != nil {
				return nil, err
			}
		}
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
		out, moved, err := e.restoreBatch(ctx, t, ids)
		if err != nil || !moved {
			return out, err
		}
		if attempt == 20 {
			return nil, errRestoreMoved
		}
	}
}

// errRestoreMoved ends a restore that kept finding a record holding other
// unique values than it locked.
var errRestoreMoved = errors.New("crm: a record of the restore changed meanwhile")

// restoreBatch is one attempt of RestoreBatch. A record that holds other
// values than were read (moved) ends the transaction without writing, and
// so only after the write that changed it has committed (a store may
// commit several writes together, and a read sees them only then).
func (e *Engine) restoreBatch(ctx context.Context, t *ObjectType, ids []string) (out []*Object, moved bool, err error) {
	var values []map[string]string
	err = e.Store.Read(ctx, func(tx ReadTx) error {
		for _, id := range ids {
			if obj, err := e.load(ctx, tx, t, id, "", true); err == nil {
				values = append(values, uniqueValues(t, obj))
			}
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	locked := map[UniqueKey]bool{}
	for _, k := range uniqueKeys(nil, t, values...) {
		locked[k] = true
	}
	err = e.Store.Write(ctx, func(tx Tx) error {
		out, moved = out[:0], false
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
		if _, err := lockResolved(ctx, tx, resolved); errors.Is(err, errLocksMoved) {
			moved = true
			return nil
		} else if err != nil {
			return err
		}
		for _, id := range ids {
			if obj, err := e.load(ctx, tx, t, id, "", true); err == nil {
				for _, k := range uniqueKeys(nil, t, uniqueValues(t, obj)) {
					if !locked[k] {
						moved = true
						return nil
					}
				}
			}
		}
		for _, id := range ids {
			obj, err := e.restore(ctx, tx, t, id)
			if err != nil {
				return err
			}
			out = append(out, obj)
		}
		return nil
	})
	return out, moved, err
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
