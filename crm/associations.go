package crm

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Association limits.
const (
	// MaxInlineAssociations bounds associations given on one create.
	MaxInlineAssociations = 500
)

// Associated is one associated record and the types between the pair, seen
// from the record the listing started at.
type Associated struct {
	ToID  int64
	Types []*AssociationType
}

// RecycleBinDays is how long archived records can be restored.
const RecycleBinDays = 90

func (e *Engine) recycleCutoff() time.Time {
	return e.now().Add(-RecycleBinDays * 24 * time.Hour)
}

// loadLive returns the live record of type t with that id string, or a 404
// in the wording of HubSpot's association endpoints.
func (e *Engine) loadLive(ctx context.Context, tx ReadTx, t *ObjectType, idValue, subCategory string) (*Object, error) {
	if id, ok := ParseID(idValue); ok {
		obj, err := tx.Object(ctx, t.ID, id)
		if errors.Is(err, ErrNotFound) {
			obj, err = e.mergedObject(ctx, tx, t, id) // the id of a record merged into another
		}
		if err == nil && !obj.Archived {
			return obj, nil
		}
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	return nil, &Error{Kind: KindNotFound, Category: CategoryNotFound, SubCategory: subCategory,
		Message: fmt.Sprintf("No %s with ID %s exists", t.Singular, idValue),
		Context: map[string][]string{"objectType": {t.Singular}, "id": {idValue}}}
}

const (
	subFromNotFound = "crm.associations.FROM_OBJECT_NOT_FOUND"
	subToNotFound   = "crm.associations.TO_OBJECT_NOT_FOUND"
)

// resolveSpecs checks that every spec names a type from one object type to another.
// A type this node does not know may have been made on another node sharing
// the database: the schemas are then reloaded once before the specs are refused.
func (e *Engine) resolveSpecs(from, to *ObjectType, specs []AssociationSpec) ([]*AssociationType, error) {
	for reloaded := false; ; reloaded = true {
		var out []*AssociationType
		var bad []AssociationSpec
		for _, s := range specs {
			at := e.Assoc.Lookup(s)
			if at == nil || at.From != from.ID || at.To != to.ID {
				bad = append(bad, s)
				continue
			}
			out = append(out, at)
		}
		if len(bad) == 0 {
			return out, nil
		}
		if reloaded || !e.reloadShared() {
			return nil, invalidAssociations(bad)
		}
	}
}

// reloadShared reloads the schemas when other nodes write to the database,
// and reports whether it did.
func (e *Engine) reloadShared() bool {
	return e.Shared && e.LoadSchemas(context.Background()) == nil
}

// rowsFor returns the stored rows (both directions) of types between a pair.
func rowsFor(fromID, toID int64, types []*AssociationType, e *Engine) []AssociationRow {
	var rows []AssociationRow
	for _, at := range types {
		rows = append(rows, AssociationRow{FromID: fromID, FromType: at.From, ToID: toID, ToType: at.To, TypeID: at.ID, Category: at.Category})
		inv := e.Assoc.Lookup(AssociationSpec{Category: at.Category, TypeID: at.Inverse})
		if inv != nil {
			rows = append(rows, AssociationRow{FromID: toID, FromType: inv.From, ToID: fromID, ToType: inv.To, TypeID: inv.ID, Category: inv.Category})
		}
	}
	return rows
}

// associate stores types between two live records. A labelled type brings the
// pair's unlabelled type with it; a one-per-record type (primary company)
// moves away from the record's previous holder.
func (e *Engine) associate(ctx context.Context, tx Tx, actor Actor, from *Object, to *Object, types []*AssociationType) error {
	var add []*AssociationType
	needDefault := false
	for _, at := range types {
		add = append(add, at)
		needDefault = needDefault || !at.Default
		if err := e.releaseOnePer(ctx, tx, from.ID, to.ID, at); err != nil {
			return err
		}
	}
	if needDefault {
		if d := e.Assoc.Default(from.TypeID, to.TypeID); d != nil {
			add = append(add, d)
		}
	}
	if err := e.storedLabels(ctx, tx, add, func(gone []AssociationSpec) error { return invalidAssociations(gone) }); err != nil {
		return err
	}
	rows := rowsFor(from.ID, to.ID, add, e)
	if err := e.checkAssociationLimits(ctx, tx, rows); err != nil {
		return err
	}
	return tx.AddAssociations(ctx, rows)
}

// releaseOnePer makes the association of type at between from and to the
// only one of its kind of the record that holds one per record: from, when
// at is such a type (a contact's primary company), or to, when at's
// inverse is (a company made the primary of a contact). The record's
// other associations of that type go; the unlabelled ones stay.
func (e *Engine) releaseOnePer(ctx context.Context, tx Tx, from, to int64, at *AssociationType) error {
	one, holder, keep := e.onePer(at, from, to)
	if one == nil {
		return nil
	}
	return e.keepOnePer(ctx, tx, one, holder, keep)
}

// onePer is the type held once per record that an association of type at
// between from and to sets (at or its inverse), the record holding it and
// the record it is held with; nil when neither is such a type.
func (e *Engine) onePer(at *AssociationType, from, to int64) (one *AssociationType, holder, keep int64) {
	if at.OnePerFrom {
		return at, from, to
	}
	if inv := e.Assoc.Lookup(AssociationSpec{Category: at.Category, TypeID: at.Inverse}); inv != nil && inv.OnePerFrom {
		return inv, to, from
	}
	return nil, 0, 0
}

// keepOnePer removes holder's associations of type one with records other
// than keep, archived ones too: restored, they would hold it again.
func (e *Engine) keepOnePer(ctx context.Context, tx Tx, one *AssociationType, holder, keep int64) error {
	held, err := tx.AssociationRows(ctx, holder)
	if err != nil {
		return err
	}
	for _, r := range held {
		if r.TypeID == one.ID && r.Category == one.Category && r.ToID != keep {
			if err := tx.RemoveAssociations(ctx, rowsFor(holder, r.ToID, []*AssociationType{one}, e)); err != nil {
				return err
			}
		}
	}
	return nil
}

// typesBetween returns the types from one record to another.
func (e *Engine) typesBetween(ctx context.Context, tx ReadTx, fromID, toID int64) ([]*AssociationType, error) {
	rows, err := tx.AssociationsBetween(ctx, fromID, toID)
	if err != nil {
		return nil, err
	}
	var out []*AssociationType
	for _, r := range rows {
		if at := e.Assoc.Lookup(AssociationSpec{Category: r.Category, TypeID: r.TypeID}); at != nil {
			out = append(out, at)
		}
	}
	return out, nil
}

// Associate adds association types between two records. With replace, the
// labels between the pair become exactly the given ones (the unlabelled type
// stays), as HubSpot's v4 labelled PUT does. It returns the types between the
// pair afterwards, seen from the first record.
func (e *Engine) Associate(ctx context.Context, actor Actor, from *ObjectType, fromID string, to *ObjectType, toID string, specs []AssociationSpec, replace bool) ([]*AssociationType, error) {
	types, err := e.resolveSpecs(from, to, specs)
	if err != nil {
		return nil, err
	}
	var after []*AssociationType
	err = e.writeRetrying(ctx, func(tx Tx) error {
		if _, err := lockPairs(ctx, tx, []Unlink{{FromID: fromID, ToID: toID}}); err != nil {
			return err
		}
		a, err := e.loadLive(ctx, tx, from, fromID, subFromNotFound)
		if err != nil {
			return err
		}
		b, err := e.loadLive(ctx, tx, to, toID, subToNotFound)
		if err != nil {
			return err
		}
		if replace {
			current, err := e.typesBetween(ctx, tx, a.ID, b.ID)
			if err != nil {
				return err
			}
			var drop []*AssociationType
			for _, c := range current {
				if !c.Default && !containsType(types, c) {
					drop = append(drop, c)
				}
			}
			if err := tx.RemoveAssociations(ctx, rowsFor(a.ID, b.ID, drop, e)); err != nil {
				return err
			}
		}
		if err := e.associate(ctx, tx, actor, a, b, types); err != nil {
			return err
		}
		after, err = e.typesBetween(ctx, tx, a.ID, b.ID)
		return err
	})
	return after, err
}

func containsType(list []*AssociationType, t *AssociationType) bool {
	for _, x := range list {
		if x == t {
			return true
		}
	}
	return false
}

// AssociateDefault adds the unlabelled type between two records.
func (e *Engine) AssociateDefault(ctx context.Context, actor Actor, from *ObjectType, fromID string, to *ObjectType, toID string) ([]*AssociationType, error) {
	d := e.Assoc.Default(from.ID, to.ID)
	if d == nil && e.reloadShared() {
		d = e.Assoc.Default(from.ID, to.ID)
	}
	if d == nil {
		return nil, Invalidf("There is no default association type from %s to %s", from.Singular, to.Singular)
	}
	return e.Associate(ctx, actor, from, fromID, to, toID, []AssociationSpec{d.Spec()}, false)
}

// Disassociate removes association types between two records: the given ones,
// or all when specs is nil. Removing the unlabelled type removes every type.
// Missing records or associations are not an error. A pin on the removed
// association is lifted.
func (e *Engine) Disassociate(ctx context.Context, actor Actor, from *ObjectType, fromID string, to *ObjectType, toID string, specs []AssociationSpec) error {
	return e.DisassociateMany(ctx, actor, from, to, []Unlink{{FromID: fromID, ToID: toID, Specs: specs}})
}

// Unlink names a pair of records and the association types to remove
// between them (every type when Specs is nil).
type Unlink struct {
	FromID, ToID string
	Specs        []AssociationSpec
}

// DisassociateMany is Disassociate for several pairs in one transaction:
// every pair's types are checked first, so an invalid one removes nothing.
func (e *Engine) DisassociateMany(ctx context.Context, actor Actor, from, to *ObjectType, pairs []Unlink) error {
	types := make([][]*AssociationType, len(pairs))
	for i, p := range pairs {
		if p.Specs != nil {
			var err error
			if types[i], err = e.resolveSpecs(from, to, p.Specs); err != nil {
				return err
			}
		}
	}
	return e.writeRetrying(ctx, func(tx Tx) error {
		merged, err := lockPairs(ctx, tx, pairs)
		if err != nil {
			return err
		}
		for i, p := range pairs {
			a, okA := ParseID(p.FromID)
			b, okB := ParseID(p.ToID)
			if !okA || !okB {
				continue // names no record: nothing to remove
			}
			if to, ok := merged[a]; ok {
				a = to
			}
			if to, ok := merged[b]; ok {
				b = to
			}
			if err := e.disassociate(ctx, tx, actor, a, b, types[i], p.Specs != nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// lockPairs locks the records at both ends of every pair before anything of
// theirs is read or written, all at once and so in ascending id order (see
// ReadTx.ObjectsByIDs). Every write of an association does this first:
// writes of one pair then queue on its lower id, whichever end they start
// from, instead of each holding a lock the other waits for (a removal
// locking the association rows and then the records to lift a pin, an
// addition the records and then the rows). The ids of records merged into
// others lock the records they resolve to; lockPairs returns those ids with
// their records' ids.
func lockPairs(ctx context.Context, tx Tx, pairs []Unlink) (map[int64]int64, error) {
	ids := make([]int64, 0, 2*len(pairs))
	for _, p := range pairs {
		for _, v := range []string{p.FromID, p.ToID} {
			if id, ok := ParseID(v); ok {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	merged, err := tx.MergedInto(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		if to, ok := merged[id]; ok {
			ids[i] = to
		}
	}
	found, err := tx.ObjectsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	return merged, mergedMeanwhile(ctx, tx, ids, merged, found)
}

// disassociate removes types (all when !only) between records a and b.
func (e *Engine) disassociate(ctx context.Context, tx Tx, actor Actor, a, b int64, types []*AssociationType, only bool) error {
	current, err := e.typesBetween(ctx, tx, a, b)
	if err != nil || len(current) == 0 {
		return err
	}
	drop := current
	if only {
		drop = nil
		for _, t := range types {
			if t.Default {
				drop = current
				break
			}
			if containsType(current, t) {
				drop = append(drop, t)
			}
		}
	}
	if len(drop) == 0 {
		return nil
	}
	if err := tx.RemoveAssociations(ctx, rowsFor(a, b, drop, e)); err != nil {
		return err
	}
	if len(drop) == len(current) {
		return e.unpinPair(ctx, tx, actor, a, b)
	}
	return nil
}

// ListAssociations pages through the live records a live record is associated
// with, in ascending id order.
func (e *Engine) ListAssociations(ctx context.Context, from *ObjectType, fromID string, to *ObjectType, afterID int64, limit int) ([]Associated, int64, error) {
	var (
		out  []Associated
		next int64
	)
	err := e.Store.Read(ctx, func(tx ReadTx) error {
		obj, err := e.loadLive(ctx, tx, from, fromID, subFromNotFound)
		if err != nil {
			return err
		}
		out, next, err = e.associations(ctx, tx, obj.ID, to, afterID, limit)
		return err
	})
	return out, next, err
}

// associations reads one page of associations of a record.
func (e *Engine) associations(ctx context.Context, tx ReadTx, fromID int64, to *ObjectType, afterID int64, limit int) ([]Associated, int64, error) {
	rows, err := tx.AssociationsFrom(ctx, fromID, to.ID, afterID, limit+1)
	if err != nil {
		return nil, 0, err
	}
	var out []Associated
	for _, r := range rows {
		at := e.Assoc.Lookup(AssociationSpec{Category: r.Category, TypeID: r.TypeID})
		if at == nil {
			continue
		}
		if len(out) == 0 || out[len(out)-1].ToID != r.ToID {
			out = append(out, Associated{ToID: r.ToID})
		}
		last := &out[len(out)-1]
		last.Types = append(last.Types, at)
	}
	var next int64
	if len(out) > limit {
		next = out[limit].ToID
		out = out[:limit]
	}
	return out, next, nil
}

// WithAssociations reads, for each record, the first page of its associations
// with each of the given types (the ?associations= parameter).
func (e *Engine) WithAssociations(ctx context.Context, recs []*Record, to []*ObjectType, limit int) error {
	if len(to) == 0 || len(recs) == 0 {
		return nil
	}
	return e.Store.Read(ctx, func(tx ReadTx) error {
		for _, rec := range recs {
			rec.Associations = map[string]AssociationPage{}
			for _, t := range to {
				list, next, err := e.associations(ctx, tx, rec.ID, t, 0, limit)
				if err != nil {
					return err
				}
				if len(list) > 0 {
					rec.Associations[t.ID] = AssociationPage{Type: t, Results: list, NextAfter: next}
				}
			}
		}
		return nil
	})
}

// AssociationPage is one page of a record's associations with one type.
type AssociationPage struct {
	Type      *ObjectType
	Results   []Associated
	NextAfter int64
}
