package crm

import (
	"context"
	"fmt"
	"regexp"
)

var labelName = regexp.MustCompile(`^[a-z0-9_]+$`)

// loadLabels refreshes the user-defined association types from storage.
func (e *Engine) loadLabels(ctx context.Context, tx ReadTx) error {
	labels, err := tx.AssociationLabels(ctx)
	if err != nil {
		return err
	}
	e.Assoc.set(labels)
	return nil
}

// labelWrite runs fn in a write transaction and then refreshes the labels.
func (e *Engine) labelWrite(ctx context.Context, fn func(Tx) error) error {
	if err := e.Store.Write(ctx, fn); err != nil {
		return err
	}
	return e.Store.Read(ctx, func(tx ReadTx) error { return e.loadLabels(ctx, tx) })
}

// CreateLabel adds a USER_DEFINED association type between two object types,
// in both directions. The inverse label defaults to the label.
func (e *Engine) CreateLabel(ctx context.Context, from, to *ObjectType, label, name, inverseLabel string) error {
	if label == "" {
		return Invalidf("An association label needs a label")
	}
	if !labelName.MatchString(name) {
		return Invalidf("Association label name %q is invalid: use lower-case letters, digits and underscores", name)
	}
	if inverseLabel == "" {
		inverseLabel = label
	}
	if err := checkStorable("The label of association label "+name, label, inverseLabel); err != nil {
		return err
	}
	taken := &Error{Kind: KindConflict, Category: CategoryConflict, Message: fmt.Sprintf("An association label named %s already exists between %s and %s", name, from.Singular, to.Singular)}
	for _, t := range append(e.Assoc.Between(from.ID, to.ID), e.Assoc.Between(to.ID, from.ID)...) {
		if t.Name == name || t.Name == name+"_inverse" {
			return taken
		}
	}
	return e.labelWrite(ctx, func(tx Tx) error {
		if e.Shared { // another node may have taken the name since this one loaded the labels
			stored, err := tx.AssociationLabels(ctx)
			if err != nil {
				return err
			}
			for _, l := range stored {
				pair := (l.From == from.ID && l.To == to.ID) || (l.From == to.ID && l.To == from.ID)
				if pair && (l.Name == name || l.Name == name+"_inverse") {
					return taken
				}
			}
		}
		// A custom end must be live as stored (see liveType).
		for _, t := range []*ObjectType{from, to} {
			if err := liveType(ctx, tx, t); err != nil {
				return err
			}
		}
		if from.ID == to.ID && inverseLabel == label {
			ids, err := tx.NextLabelIDs(ctx, 1)
			if err != nil {
				return err
			}
			return tx.PutAssociationLabel(ctx, &AssociationLabel{TypeID: ids[0], InverseID: ids[0], From: from.ID, To: to.ID, Label: label, Name: name})
		}
		ids, err := tx.NextLabelIDs(ctx, 2)
		if err != nil {
			return err
		}
		if err := tx.PutAssociationLabel(ctx, &AssociationLabel{TypeID: ids[0], InverseID: ids[1], From: from.ID, To: to.ID, Label: label, Name: name}); err != nil {
			return err
		}
		return tx.PutAssociationLabel(ctx, &AssociationLabel{TypeID: ids[1], InverseID: ids[0], From: to.ID, To: from.ID, Label: inverseLabel, Name: name + "_inverse"})
	})
}

// userLabel finds a USER_DEFINED type between two object types. A type
// this node does not know may have been made on another node sharing the
// database: the schemas are then reloaded once before it is refused.
func (e *Engine) userLabel(from, to *ObjectType, typeID int64) (*AssociationType, error) {
	find := func() *AssociationType {
		at := e.Assoc.Lookup(AssociationSpec{Category: CategoryUserDefined, TypeID: typeID})
		if at == nil || at.Default || at.From != from.ID || at.To != to.ID {
			return nil
		}
		return at
	}
	at := find()
	if at == nil && e.reloadShared() {
		at = find()
	}
	if at == nil {
		return nil, &Error{Kind: KindNotFound, Category: CategoryNotFound,
			Message: fmt.Sprintf("No association label with type id %d exists from %s to %s", typeID, from.Singular, to.Singular)}
	}
	return at, nil
}

// UpdateLabel renames a USER_DEFINED type and, when given, its inverse.
func (e *Engine) UpdateLabel(ctx context.Context, from, to *ObjectType, typeID int64, label, inverseLabel string) error {
	at, err := e.userLabel(from, to, typeID)
	if err != nil {
		return err
	}
	if label == "" {
		return Invalidf("An association label needs a label")
	}
	if err := checkStorable("The label of association label "+at.Name, label, inverseLabel); err != nil {
		return err
	}
	return e.labelWrite(ctx, func(tx Tx) error {
		// Another node may have deleted it: a change must not store it again.
		if err := e.storedLabels(ctx, tx, []*AssociationType{at}, func([]AssociationSpec) error {
			return &Error{Kind: KindNotFound, Category: CategoryNotFound,
				Message: fmt.Sprintf("No association label with type id %d exists from %s to %s", typeID, from.Singular, to.Singular)}
		}); err != nil {
			return err
		}
		if err := tx.PutAssociationLabel(ctx, &AssociationLabel{TypeID: at.ID, InverseID: at.Inverse, From: at.From, To: at.To, Label: label, Name: at.Name}); err != nil {
			return err
		}
		inv := e.Assoc.Lookup(AssociationSpec{Category: CategoryUserDefined, TypeID: at.Inverse})
		if inverseLabel == "" || inv == nil || inv.ID == at.ID {
			return nil
		}
		return tx.PutAssociationLabel(ctx, &AssociationLabel{TypeID: inv.ID, InverseID: inv.Inverse, From: inv.From, To: inv.To, Label: inverseLabel, Name: inv.Name})
	})
}

// DeleteLabel removes a USER_DEFINED type, its inverse, and every association
// of those types.
func (e *Engine) DeleteLabel(ctx context.Context, from, to *ObjectType, typeID int64) error {
	at, err := e.userLabel(from, to, typeID)
	if err != nil {
		return err
	}
	return e.deleteTypePair(ctx, at)
}

// deleteTypePair deletes the association type at and its inverse.
func (e *Engine) deleteTypePair(ctx context.Context, at *AssociationType) error {
	return e.labelWrite(ctx, func(tx Tx) error {
		if err := tx.DeleteAssociationLabel(ctx, at.ID); err != nil {
			return err
		}
		if at.Inverse != at.ID {
			return tx.DeleteAssociationLabel(ctx, at.Inverse)
		}
		return nil
	})
}

// storedLabels checks, on a database other nodes write to, that the
// USER_DEFINED types among ts are still stored, between the same pair: a node keeps the labels
// another node deleted until its next reload. It returns refused with those
// gone. A single node's labels are always those stored.
func (e *Engine) storedLabels(ctx context.Context, tx ReadTx, ts []*AssociationType, refused func(gone []AssociationSpec) error) error {
	if !e.Shared {
		return nil
	}
	need := false
	for _, at := range ts {
		need = need || at.Category == CategoryUserDefined
	}
	if !need {
		return nil
	}
	labels, err := tx.AssociationLabels(ctx)
	if err != nil {
		return err
	}
	// A reset starts the ids again: the id may now be a label of another pair.
	stored := make(map[int64]*AssociationLabel, len(labels))
	for _, l := range labels {
		stored[l.TypeID] = l
	}
	var gone []AssociationSpec
	for _, at := range ts {
		l := stored[at.ID]
		if at.Category == CategoryUserDefined && (l == nil || l.From != at.From || l.To != at.To) {
			gone = append(gone, at.Spec())
		}
	}
	if gone != nil {
		return refused(gone)
	}
	return nil
}
