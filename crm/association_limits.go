package crm

import (
	"context"
	"fmt"
	"sort"
	"strconv"
)

// AssociationLimit is a limit a user set on an association type: a record
// of type From is associated by the type (Category, TypeID) with at most
// Max records of type To. The limit of a pair's unlabelled type is the
// pair's object limit; the limit of a labelled type is that label's.
type AssociationLimit struct {
	From, To string // object type ids
	Category string
	TypeID   int64
	Max      int
}

// AssociationConfig is an association type with the limit set on it (Max
// 0: none).
type AssociationConfig struct {
	Type *AssociationType
	Max  int
}

// LimitInput names an association type of a pair and the limit to set on
// it. An empty Category means the type of the pair with that id.
type LimitInput struct {
	Category string
	TypeID   int64
	Max      int
}

// AssociationLimitsBetween returns every association type from one object
// type to another, in id order, each with its limit.
func (e *Engine) AssociationLimitsBetween(ctx context.Context, from, to *ObjectType) ([]AssociationConfig, error) {
	limits, err := e.readLimits(ctx)
	if err != nil {
		return nil, err
	}
	var out []AssociationConfig
	for _, at := range e.Assoc.Between(from.ID, to.ID) {
		c := AssociationConfig{Type: at}
		if l := findLimit(limits, at); l != nil {
			c.Max = l.Max
		}
		out = append(out, c)
	}
	return out, nil
}

// readLimits reads the limits set, after the labels when another node
// may have made some.
func (e *Engine) readLimits(ctx context.Context) ([]*AssociationLimit, error) {
	var limits []*AssociationLimit
	err := e.Store.Read(ctx, func(tx ReadTx) error {
		if e.Shared {
			if err := e.loadLabels(ctx, tx); err != nil {
				return err
			}
		}
		var err error
		limits, err = tx.AssociationLimits(ctx)
		return err
	})
	return limits, err
}

// AllAssociationLimits returns every limit set, on types that exist, by
// pair and then type id.
func (e *Engine) AllAssociationLimits(ctx context.Context) ([]AssociationConfig, error) {
	limits, err := e.readLimits(ctx)
	if err != nil {
		return nil, err
	}
	var out []AssociationConfig
	for _, l := range limits {
		if at := e.limitType(l); at != nil {
			out = append(out, AssociationConfig{Type: at, Max: l.Max})
		}
	}
	return out, nil
}

// limitType is the association type a stored limit is set on, or nil when
// the type is gone.
func (e *Engine) limitType(l *AssociationLimit) *AssociationType {
	at := e.Assoc.Lookup(AssociationSpec{Category: l.Category, TypeID: l.TypeID})
	if at == nil || at.From != l.From || at.To != l.To {
		return nil
	}
	return at
}

func findLimit(limits []*AssociationLimit, at *AssociationType) *AssociationLimit {
	for _, l := range limits {
		if l.From == at.From && l.To == at.To && l.Category == at.Category && l.TypeID == at.ID {
			return l
		}
	}
	return nil
}

func limitOf(at *AssociationType, max int) *AssociationLimit {
	return &AssociationLimit{From: at.From, To: at.To, Category: at.Category, TypeID: at.ID, Max: max}
}

// limitedType resolves the type of a limit input among the types from one
// object type to another, reloading the labels once on a miss on a shared
// database.
func (e *Engine) limitedType(ctx context.Context, from, to *ObjectType, category string, typeID int64) (*AssociationType, error) {
	find := func() *AssociationType {
		for _, at := range e.Assoc.Between(from.ID, to.ID) {
			if at.ID == typeID && (category == "" || at.Category == category) {
				return at
			}
		}
		return nil
	}
	at := find()
	if at == nil && e.Shared {
		if err := e.Store.Read(ctx, func(tx ReadTx) error { return e.loadLabels(ctx, tx) }); err != nil {
			return nil, err
		}
		at = find()
	}
	if at == nil {
		return nil, invalidAssociations([]AssociationSpec{{Category: category, TypeID: typeID}})
	}
	return at, nil
}

// SetAssociationLimit sets the limit of one association type from one
// object type to another: create sets a limit the type does not have yet,
// otherwise an existing limit changes. A label's limit cannot exceed the
// pair's object limit (the limit of its unlabelled type), nor the object
// limit fall below a label's. Associations already stored are kept when a
// limit is lowered below their number: limits apply to new associations.
func (e *Engine) SetAssociationLimit(ctx context.Context, from, to *ObjectType, in LimitInput, create bool) (AssociationConfig, error) {
	at, err := e.limitedType(ctx, from, to, in.Category, in.TypeID)
	if err != nil {
		return AssociationConfig{}, err
	}
	if in.Max < 1 {
		return AssociationConfig{}, Invalidf("maxToObjectIds must be at least 1, not %d", in.Max)
	}
	err = e.Store.Write(ctx, func(tx Tx) error {
		// Another node may have deleted the label: no limit on a type gone.
		if err := e.storedLabels(ctx, tx, []*AssociationType{at}, func(gone []AssociationSpec) error { return invalidAssociations(gone) }); err != nil {
			return err
		}
		limits, err := tx.AssociationLimits(ctx)
		if err != nil {
			return err
		}
		old := findLimit(limits, at)
		switch {
		case create && old != nil:
			return &Error{Kind: KindConflict, Category: CategoryConflict,
				Message: fmt.Sprintf("A limit of %d is already set on association type %s=%d from %s to %s; change it with batch/update",
					old.Max, at.Category, at.ID, from.Singular, to.Singular)}
		case !create && old == nil:
			return &Error{Kind: KindNotFound, Category: CategoryNotFound,
				Message: fmt.Sprintf("No limit is set on association type %s=%d from %s to %s; set one with batch/create",
					at.Category, at.ID, from.Singular, to.Singular)}
		}
		if err := e.checkLimitRange(from, to, at, in.Max, limits); err != nil {
			return err
		}
		return tx.PutAssociationLimit(ctx, limitOf(at, in.Max))
	})
	return AssociationConfig{Type: at, Max: in.Max}, err
}

// checkLimitRange keeps label limits within the object limit of their pair.
func (e *Engine) checkLimitRange(from, to *ObjectType, at *AssociationType, max int, limits []*AssociationLimit) error {
	types := e.Assoc.Between(from.ID, to.ID)
	if !at.Default {
		for _, d := range types {
			if l := findLimit(limits, d); d.Default && l != nil && max > l.Max {
				return Invalidf("The limit of association type %s=%d (%s) from %s to %s must be between 1 and %d, the limit of %s associated with one %s",
					at.Category, at.ID, at.Label, from.Singular, to.Singular, l.Max, to.Name, from.Singular)
			}
		}
		return nil
	}
	highest := 0
	var label *AssociationType
	for _, t := range types {
		if l := findLimit(limits, t); !t.Default && l != nil && l.Max > highest {
			highest, label = l.Max, t
		}
	}
	if max < highest {
		return Invalidf("The limit of %s associated with one %s must be at least %d, the limit of association type %s=%d (%s)",
			to.Name, from.Singular, highest, label.Category, label.ID, label.Label)
	}
	return nil
}

// RemoveAssociationLimits removes the limits of the given types from one
// object type to another; types without a limit are skipped. Every spec
// must name a type of the pair.
func (e *Engine) RemoveAssociationLimits(ctx context.Context, from, to *ObjectType, specs []AssociationSpec) error {
	types := make([]*AssociationType, len(specs))
	for i, s := range specs {
		at, err := e.limitedType(ctx, from, to, s.Category, s.TypeID)
		if err != nil {
			return err
		}
		types[i] = at
	}
	return e.Store.Write(ctx, func(tx Tx) error {
		for _, at := range types {
			if err := tx.DeleteAssociationLimit(ctx, limitOf(at, 0)); err != nil {
				return err
			}
		}
		return nil
	})
}

// limitKey names the associations of one record by one type.
type limitKey struct {
	from     int64
	category string
	typeID   int64
}

// checkAssociationLimits refuses rows, about to be added, that would give
// a record more associations of a limited type than its limit allows. Rows
// already stored add nothing; both directions of an association count, each
// against the limit of its own type.
func (e *Engine) checkAssociationLimits(ctx context.Context, tx ReadTx, rows []AssociationRow) error {
	if len(rows) == 0 {
		return nil
	}
	limits, err := tx.AssociationLimits(ctx)
	if err != nil || len(limits) == 0 {
		return err
	}
	added := map[limitKey]map[int64]bool{}
	limited := map[limitKey]*AssociationLimit{}
	stored := map[[2]int64][]AssociationRow{}
	for _, r := range rows {
		var l *AssociationLimit
		for _, c := range limits {
			if c.From == r.FromType && c.To == r.ToType && c.Category == r.Category && c.TypeID == r.TypeID {
				l = c
				break
			}
		}
		if l == nil {
			continue
		}
		pair := [2]int64{r.FromID, r.ToID}
		have, ok := stored[pair]
		if !ok {
			if have, err = tx.AssociationsBetween(ctx, r.FromID, r.ToID); err != nil {
				return err
			}
			stored[pair] = have
		}
		exists := false
		for _, h := range have {
			exists = exists || (h.Category == r.Category && h.TypeID == r.TypeID)
		}
		if exists {
			continue
		}
		k := limitKey{r.FromID, r.Category, r.TypeID}
		if added[k] == nil {
			added[k] = map[int64]bool{}
		}
		added[k][r.ToID] = true
		limited[k] = l
	}
	keys := make([]limitKey, 0, len(added))
	for k := range added {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.from != b.from {
			return a.from < b.from
		}
		if a.category != b.category {
			return a.category < b.category
		}
		return a.typeID < b.typeID
	})
	for _, k := range keys {
		l := limited[k]
		n, err := tx.CountAssociations(ctx, k.from, l.To, l.Category, l.TypeID)
		if err != nil {
			return err
		}
		if n+len(added[k]) > l.Max {
			return e.limitExceeded(l, k.from, n)
		}
	}
	return nil
}

// limitExceeded is the 400 of an association write beyond a limit.
func (e *Engine) limitExceeded(l *AssociationLimit, fromID int64, have int) *Error {
	from, to := l.From, l.To
	fromName, toName := from, to
	if t, err := e.Types.Resolve(from); err == nil {
		fromName = t.Singular
	}
	if t, err := e.Types.Resolve(to); err == nil {
		toName = t.Name
	}
	label := "unlabeled"
	if at := e.Assoc.Lookup(AssociationSpec{Category: l.Category, TypeID: l.TypeID}); at != nil && at.Label != "" {
		label = at.Label
	}
	id := strconv.FormatInt(fromID, 10)
	return &Error{Kind: KindInvalid, Category: CategoryValidation,
		Message: fmt.Sprintf("Association limit exceeded: %s %s can be associated with at most %d %s by association type %s=%d (%s) and has %d",
			fromName, id, l.Max, toName, l.Category, l.TypeID, label, have),
		Context: map[string][]string{"fromObjectId": {id}, "fromObjectType": {from}, "toObjectType": {to},
			"associationCategory": {l.Category}, "associationTypeId": {strconv.FormatInt(l.TypeID, 10)},
			"maxToObjectIds": {strconv.Itoa(l.Max)}}}
}

// FixtureAssociationLimit is an association limit in a fixture: records of
// type From are associated by the type (Category, TypeID) with at most
// MaxToObjectIDs records of type To.
type FixtureAssociationLimit struct {
	From           string `json:"from"`
	To             string `json:"to"`
	Category       string `json:"category,omitempty"`
	TypeID         int64  `json:"typeId"`
	MaxToObjectIDs int    `json:"maxToObjectIds"`
}

// seedAssociationLimits stores a fixture's limits, replacing stored limits
// of the same types, with the checks of SetAssociationLimit.
func (e *Engine) seedAssociationLimits(ctx context.Context, tx Tx, limits []FixtureAssociationLimit) error {
	if len(limits) == 0 {
		return nil
	}
	stored, err := tx.AssociationLimits(ctx)
	if err != nil {
		return err
	}
	for i, fl := range limits {
		where := fmt.Sprintf("associationLimits[%d]", i)
		from, err := e.Types.Resolve(fl.From)
		if err != nil {
			return fixtureError(where, err)
		}
		to, err := e.Types.Resolve(fl.To)
		if err != nil {
			return fixtureError(where, err)
		}
		var at *AssociationType
		for _, t := range e.Assoc.Between(from.ID, to.ID) {
			if t.ID == fl.TypeID && (fl.Category == "" || t.Category == fl.Category) {
				at = t
			}
		}
		if at == nil {
			return fixtureError(where, invalidAssociations([]AssociationSpec{{Category: fl.Category, TypeID: fl.TypeID}}))
		}
		if fl.MaxToObjectIDs < 1 {
			return Invalidf("%s: maxToObjectIds must be at least 1, not %d", where, fl.MaxToObjectIDs)
		}
		l := limitOf(at, fl.MaxToObjectIDs)
		rest := make([]*AssociationLimit, 0, len(stored))
		for _, s := range stored {
			if *s != *limitOf(at, s.Max) {
				rest = append(rest, s)
			}
		}
		if err := e.checkLimitRange(from, to, at, l.Max, rest); err != nil {
			return fixtureError(where, err)
		}
		if err := tx.PutAssociationLimit(ctx, l); err != nil {
			return err
		}
		stored = append(rest, l)
	}
	return nil
}
