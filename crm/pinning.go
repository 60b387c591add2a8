package crm

import (
	"context"
	"errors"
	"fmt"
	"strconv"
)

// PinnedProperty holds the id of the activity pinned to the top of a record's
// timeline.
const PinnedProperty = "hs_pinned_engagement_id"

// CodeInvalidPin is the validation code of a pin that breaks HubSpot's rules.
const CodeInvalidPin = "INVALID_PINNED_ENGAGEMENT"

// isActivity reports whether records of the type can be pinned.
func (e *Engine) isActivity(typeID string) bool {
	t, err := e.Types.Resolve(typeID)
	return err == nil && t.Activity
}

// checkPin enforces the pinning rules when changed sets a pin: the activity
// must exist, be live, and be associated with the record.
func (e *Engine) checkPin(ctx context.Context, tx ReadTx, t *ObjectType, obj *Object, changed map[string]string) error {
	v, ok := changed[PinnedProperty]
	if !ok || v == "" || t.Property(PinnedProperty) == nil {
		return nil
	}
	fail := func(format string, args ...any) error {
		return ValidationError(e.PortalID, []PropertyError{{Name: PinnedProperty, Code: CodeInvalidPin, Message: fmt.Sprintf(format, args...)}})
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return fail("%s is not an activity id", v)
	}
	// One read finds the activity whatever its type; a record of a type
	// that is no activity is no pin. It is not locked: the record is, and
	// it may have the higher id. An archive of the activity, or a removal
	// of the pair, locks the record, so it waits for this write and then
	// lifts the pin.
	found, err := tx.PeekObjects(ctx, []int64{id})
	if err != nil {
		return err
	}
	var activity *Object
	if len(found) == 1 && e.isActivity(found[0].TypeID) {
		activity = found[0]
	}
	if activity == nil || activity.Archived {
		return fail("Activity %s does not exist or is archived, so it cannot be pinned", v)
	}
	rows, err := tx.AssociationsBetween(ctx, obj.ID, activity.ID)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return fail("Activity %s is not associated with %s %d; associate it before pinning it", v, t.Singular, obj.ID)
	}
	return nil
}

// unpin clears the pin of record if it names activityID.
func (e *Engine) unpin(ctx context.Context, tx Tx, actor Actor, recordID, activityID int64) error {
	// A look first, without locking: a record that does not pin the
	// activity is left alone, and not locked. It may be one this write
	// did not lock with the others (restored since, with no pin), and
	// locking it now could take it out of the id order.
	seen, err := tx.PeekObjects(ctx, []int64{recordID})
	if err != nil {
		return err
	}
	if len(seen) == 0 || seen[0].Properties[PinnedProperty] != strconv.FormatInt(activityID, 10) {
		return nil
	}
	for _, t := range e.Types.Types() {
		if t.Property(PinnedProperty) == nil {
			continue
		}
		obj, err := tx.Object(ctx, t.ID, recordID)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if obj.Properties[PinnedProperty] != strconv.FormatInt(activityID, 10) {
			return nil
		}
		return e.apply(ctx, tx, actor, t, obj, map[string]string{PinnedProperty: ""}, e.now())
	}
	return nil
}

// unpinPair lifts a pin between two records no longer associated.
func (e *Engine) unpinPair(ctx context.Context, tx Tx, actor Actor, a, b int64) error {
	if err := e.unpin(ctx, tx, actor, a, b); err != nil {
		return err
	}
	return e.unpin(ctx, tx, actor, b, a)
}

// unpinEverywhere lifts the pins on every record associated with an archived activity.
func (e *Engine) unpinEverywhere(ctx context.Context, tx Tx, activity *Object) error {
	rows, err := tx.AssociationsFrom(ctx, activity.ID, "", 0, 1<<30)
	if err != nil {
		return err
	}
	system := Actor{SourceType: SourceCalculated}
	seen := map[int64]bool{}
	for _, r := range rows {
		if !seen[r.ToID] {
			seen[r.ToID] = true
			if err := e.unpin(ctx, tx, system, r.ToID, activity.ID); err != nil {
				return err
			}
		}
	}
	return nil
}
