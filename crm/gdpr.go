package crm

import (
	"context"
	"errors"
	"slices"
	"strings"
)

// GDPRDelete deletes a contact for good, as HubSpot's GDPR delete does: not
// to the recycle bin, so it cannot be restored. With it go its history, its
// associations, the ids merged into it, and the engagements associated with
// it alone (an engagement also associated with another record stays there).
// Its email addresses (primary and additional) are blocked. The contact is
// named by its id (a live or archived contact, or an id merged into it) or,
// with idProperty, by the value of a unique property; an email address that
// names no live contact is blocked all the same.
func (e *Engine) GDPRDelete(ctx context.Context, t *ObjectType, objectID, idProperty string) error {
	if idProperty == "hs_object_id" {
		idProperty = ""
	}
	return e.writeRetrying(ctx, func(tx Tx) error {
		var id int64
		if idProperty == "" {
			var ok bool
			if id, ok = ParseID(objectID); !ok {
				return ObjectNotFound(objectID)
			}
			ids, err := followMerged(ctx, tx, []int64{id})
			if err != nil {
				return err
			}
			id = ids[0]
		} else {
			var err error
			id, err = e.resolveID(ctx, tx, t, objectID, idProperty)
			if err != nil {
				if AsError(err).Kind == KindNotFound && idProperty == "email" && Storable(objectID) && objectID != "" {
					return tx.BlockEmails(ctx, []string{strings.ToLower(objectID)}, e.now())
				}
				return err
			}
		}
		if err := lockWithAssociated(ctx, tx, []int64{id}); err != nil {
			return err
		}
		obj, err := tx.Object(ctx, t.ID, id)
		if errors.Is(err, ErrNotFound) {
			return ObjectNotFound(objectID)
		}
		if err != nil {
			return err
		}
		purge, err := e.onlyAssociatedEngagements(ctx, tx, obj.ID)
		if err != nil {
			return err
		}
		var emails []string
		for _, v := range []string{obj.Properties["email"], obj.Properties["hs_additional_emails"]} {
			for _, a := range strings.Split(v, ";") {
				if a = strings.ToLower(strings.TrimSpace(a)); a != "" && !slices.Contains(emails, a) {
					emails = append(emails, a)
				}
			}
		}
		if err := tx.BlockEmails(ctx, emails, e.now()); err != nil {
			return err
		}
		return tx.PurgeObjects(ctx, append([]int64{obj.ID}, purge...))
	})
}

// onlyAssociatedEngagements returns the engagements associated with the
// record id and with no other record, live or archived.
func (e *Engine) onlyAssociatedEngagements(ctx context.Context, tx ReadTx, id int64) ([]int64, error) {
	rows, err := tx.AssociationRows(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, r := range rows {
		if !e.isActivity(r.ToType) || slices.Contains(out, r.ToID) {
			continue
		}
		theirs, err := tx.AssociationRows(ctx, r.ToID)
		if err != nil {
			return nil, err
		}
		alone := true
		for _, x := range theirs {
			alone = alone && x.ToID == id
		}
		if alone {
			out = append(out, r.ToID)
		}
	}
	return out, nil
}
