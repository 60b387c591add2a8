package crm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MergedIDsProperty lists, separated by ';', the ids of the records merged
// into a record, with those merged into them before.
const MergedIDsProperty = "hs_merged_object_ids"

// MaxMerges is how many merges the two records of a merge may have been
// part of together: HubSpot refuses a merge of records involved in 250 or
// more merges.
const MaxMerges = 250

// mergedIDs is the read-only property that lists merged ids.
func mergedIDs() *PropertyDefinition {
	return readOnly(&PropertyDefinition{Name: MergedIDsProperty, Label: "Merged record IDs", Type: TypeEnumeration, FieldType: "checkbox"})
}

// Mergeable reports whether records of t can be merged: contacts,
// companies, deals and tickets, the types with hs_merged_object_ids;
// engagements and users cannot.
func Mergeable(t *ObjectType) bool {
	return t.Property(MergedIDsProperty) != nil
}

// MergedIDs reads the ids listed in a record's hs_merged_object_ids.
func MergedIDs(obj *Object) []int64 {
	var out []int64
	for _, v := range strings.Split(obj.Properties[MergedIDsProperty], ";") {
		if id, ok := ParseID(strings.TrimSpace(v)); ok {
			out = append(out, id)
		}
	}
	return out
}

// mergedObject returns the record of type t that id, the id of a record
// merged into another, resolves to; ErrNotFound if id is no merged id or
// the record is of another type.
func (e *Engine) mergedObject(ctx context.Context, tx ReadTx, t *ObjectType, id int64) (*Object, error) {
	to, err := tx.MergedInto(ctx, []int64{id})
	if err != nil {
		return nil, err
	}
	target, ok := to[id]
	if !ok {
		return nil, ErrNotFound
	}
	return tx.Object(ctx, t.ID, target)
}

// followMerged replaces the merged ids among ids by the ids of the records
// they resolve to, in place, and returns ids.
func followMerged(ctx context.Context, tx ReadTx, ids []int64) ([]int64, error) {
	var want []int64
	for _, id := range ids {
		if id != 0 {
			want = append(want, id)
		}
	}
	if len(want) == 0 {
		return ids, nil
	}
	to, err := tx.MergedInto(ctx, want)
	if err != nil || len(to) == 0 {
		return ids, err
	}
	for i, id := range ids {
		if target, ok := to[id]; ok {
			ids[i] = target
		}
	}
	return ids, nil
}

// errMergeMoved ends a merge transaction that found one of its records
// changed since it was looked up (merged or archived by another writer):
// the merge looks them up again.
var errMergeMoved = errors.New("crm: a record of the merge changed meanwhile")

// mergePlan is what a merge found before it locked anything: the two
// records, resolved through earlier merges, and the unique values they hold.
type mergePlan struct {
	primary, secondary int64
	keys               []UniqueKey
}

// Merge merges the record mergeID into the record primaryID, as HubSpot
// merges today: both are replaced by a new record with a new id, and both
// old ids (with every id merged into them before) resolve to it. The new
// record takes the primary's property values and the other's where the
// primary has none, with HubSpot's exceptions (a contact keeps the
// primary's email and adds the other's to hs_additional_emails; the
// lifecycle stage furthest down the funnel wins), the older creation
// time, both records' property history, and their associations (the
// primary's own when a type allows one per record, such as a primary
// company). It is one transaction; writes of either record wait for it.
func (e *Engine) Merge(ctx context.Context, actor Actor, t *ObjectType, primaryID, mergeID string) (*Object, error) {
	for attempt := 0; ; attempt++ {
		plan, err := e.planMerge(ctx, t, primaryID, mergeID)
		if err != nil {
			return nil, err
		}
		var (
			merged *Object
			moved  bool
		)
		err = e.Store.Write(ctx, func(tx Tx) error {
			var err error
			merged, err = e.merge(ctx, tx, actor, t, plan)
			// A record moved: this transaction ends without writing, and
			// so only after the write that moved it has committed (a store
			// may commit several writes together), and the merge is
			// planned again from what that write left.
			moved = errors.Is(err, errMergeMoved)
			if moved {
				return nil
			}
			return err
		})
		if err != nil || !moved {
			return merged, err
		}
		if attempt == 20 {
			return nil, errMergeMoved
		}
	}
}

// mergeRecord is the live record of type t an id of a merge names,
// through earlier merges.
func (e *Engine) mergeRecord(ctx context.Context, tx ReadTx, t *ObjectType, idValue string) (*Object, error) {
	id, ok := ParseID(idValue)
	if !ok {
		return nil, ObjectNotFound(idValue)
	}
	obj, err := tx.Object(ctx, t.ID, id)
	if errors.Is(err, ErrNotFound) {
		obj, err = e.mergedObject(ctx, tx, t, id)
	}
	if errors.Is(err, ErrNotFound) || (err == nil && obj.Archived) {
		return nil, ObjectNotFound(idValue)
	}
	return obj, err
}

// planMerge checks a merge against what is committed, without locking.
func (e *Engine) planMerge(ctx context.Context, t *ObjectType, primaryID, mergeID string) (*mergePlan, error) {
	var plan *mergePlan
	err := e.Store.Read(ctx, func(tx ReadTx) error {
		p, err := e.mergeRecord(ctx, tx, t, primaryID)
		if err != nil {
			return err
		}
		s, err := e.mergeRecord(ctx, tx, t, mergeID)
		if err != nil {
			return err
		}
		if p.ID == s.ID {
			err := Invalidf("Cannot merge %s %s into itself: primaryObjectId %s and objectIdToMerge %s are the same %s",
				t.Singular, strconv.FormatInt(p.ID, 10), primaryID, mergeID, t.Singular)
			err.Context = map[string][]string{"primaryObjectId": {primaryID}, "objectIdToMerge": {mergeID}}
			return err
		}
		if n := (len(MergedIDs(p)) + len(MergedIDs(s))) / 2; n >= MaxMerges {
			err := Invalidf("Cannot merge %s %d and %d: together they have been part of %d merges, and records part of %d or more cannot be merged again",
				t.Singular, p.ID, s.ID, n, MaxMerges)
			err.Context = map[string][]string{"primaryObjectId": {primaryID}, "objectIdToMerge": {mergeID}}
			return err
		}
		plan = &mergePlan{primary: p.ID, secondary: s.ID, keys: uniqueKeys(nil, t, p.Properties, s.Properties)}
		return nil
	})
	return plan, err
}

// merge writes a planned merge: it locks the unique values and then both
// records (in id order, as every write of records does), checks that
// neither changed state since the plan, and replaces them by the new record.
func (e *Engine) merge(ctx context.Context, tx Tx, actor Actor, t *ObjectType, plan *mergePlan) (*Object, error) {
	if len(plan.keys) > 0 {
		if err := tx.LockUnique(ctx, plan.keys); err != nil {
			return nil, err
		}
	}
	// The records associated with either are locked with them: the merge
	// removes and adds the association rows of both ends, as another
	// merge or an association write of those records would.
	if err := lockWithAssociated(ctx, tx, []int64{plan.primary, plan.secondary}); err != nil {
		if errors.Is(err, errLocksMoved) {
			return nil, errMergeMoved
		}
		return nil, err
	}
	found, err := tx.ObjectsByIDs(ctx, []int64{plan.primary, plan.secondary})
	if err != nil {
		return nil, err
	}
	var p, s *Object
	for _, o := range found {
		if o.TypeID != t.ID || o.Archived {
			continue
		}
		switch o.ID {
		case plan.primary:
			p = o
		case plan.secondary:
			s = o
		}
	}
	if p == nil || s == nil {
		return nil, errMergeMoved
	}
	rowsP, err := tx.AssociationRows(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	rowsS, err := tx.AssociationRows(ctx, s.ID)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(t.Properties))
	for _, prop := range t.Properties {
		names = append(names, prop.Name)
	}
	history, err := tx.History(ctx, []int64{p.ID, s.ID}, names)
	if err != nil {
		return nil, err
	}
	ids, err := tx.NextIDs(ctx, 1)
	if err != nil {
		return nil, err
	}
	now := e.now()
	n := &Object{ID: ids[0], TypeID: t.ID, Properties: mergeProperties(t, p, s), CreatedAt: p.CreatedAt, UpdatedAt: now}
	if s.CreatedAt.Before(n.CreatedAt) {
		n.CreatedAt = s.CreatedAt
	}
	merged := append(append(MergedIDs(p), MergedIDs(s)...), p.ID, s.ID)
	slices.Sort(merged)
	merged = slices.Compact(merged)
	list := make([]string, len(merged))
	for i, id := range merged {
		list[i] = strconv.FormatInt(id, 10)
	}
	n.Properties[MergedIDsProperty] = strings.Join(list, ";")
	n.Properties["hs_object_id"] = strconv.FormatInt(n.ID, 10)
	n.Properties[t.CreatedProperty] = FormatTime(n.CreatedAt)
	n.Properties[t.ModifiedProperty] = FormatTime(now)

	// The old records go first: their unique values pass to the new one.
	if err := tx.MergeIDs(ctx, []int64{p.ID, s.ID}, n.ID); err != nil {
		return nil, err
	}
	if err := tx.PurgeObjects(ctx, []int64{p.ID, s.ID}); err != nil {
		return nil, err
	}
	if err := tx.InsertObjects(ctx, []*Object{n}); err != nil {
		return nil, err
	}
	unique := map[string]string{}
	for name, v := range n.Properties {
		if prop := t.Property(name); prop != nil && prop.Unique {
			unique[name] = v
		}
	}
	if err := e.claimUnique(ctx, tx, t, n, unique); err != nil {
		return nil, err
	}
	docs := searchDocs(t, []*Object{n})
	for i := range docs {
		docs[i].New = true
	}
	if err := tx.IndexObjects(ctx, docs); err != nil {
		return nil, err
	}
	history = mergedHistory(history, p.ID)
	newest := map[string]string{}
	for i := range history {
		history[i].ObjectID = n.ID
		newest[history[i].Name] = history[i].Value
	}
	// The merge's values are recorded where they differ from the primary's
	// or from the newest value of either record, so that the history ends
	// with the record's value.
	for _, name := range sortedKeys(n.Properties) {
		if v := n.Properties[name]; v != p.Properties[name] || v != newest[name] {
			history = append(history, HistoryEntry{ObjectID: n.ID, Name: name, Value: v, Timestamp: now, SourceType: SourceCalculated})
		}
	}
	for _, name := range sortedKeys(newest) {
		if _, kept := n.Properties[name]; !kept && newest[name] != "" {
			history = append(history, HistoryEntry{ObjectID: n.ID, Name: name, Timestamp: now, SourceType: SourceCalculated})
		}
	}
	if err := appendInOrder(ctx, tx, history); err != nil {
		return nil, err
	}
	return n, tx.AddAssociations(ctx, e.mergedAssociations(n, p, s, rowsP, rowsS))
}

// mergedHistory orders both records' history (read newest first per record
// and property) oldest first, as it is appended: the two records' writes
// interleave by time, and at one time the primary's come last.
func mergedHistory(history []HistoryEntry, primary int64) []HistoryEntry {
	slices.Reverse(history)
	slices.SortStableFunc(history, func(a, b HistoryEntry) int {
		if c := cmp.Compare(a.Timestamp.UnixMilli(), b.Timestamp.UnixMilli()); c != 0 {
			return c
		}
		switch {
		case a.ObjectID == b.ObjectID:
			return 0
		case a.ObjectID == primary:
			return 1
		case b.ObjectID == primary:
			return -1
		}
		return 0
	})
	return history
}

// appendInOrder stores history entries (oldest first) in their order: two
// values of one property at one time (one write of each record, or of the
// other record and the merge) go into separate writes, of which the later
// is read as the newer; one write holds one value of a property.
func appendInOrder(ctx context.Context, tx Tx, history []HistoryEntry) error {
	start := 0
	seen := map[string]bool{}
	for i, h := range history {
		if i > 0 && h.Timestamp.UnixMilli() != history[i-1].Timestamp.UnixMilli() {
			clear(seen)
		} else if seen[h.Name] {
			if err := tx.AppendHistory(ctx, history[start:i]); err != nil {
				return err
			}
			start = i
			clear(seen)
		}
		seen[h.Name] = true
	}
	return tx.AppendHistory(ctx, history[start:])
}

// mergedAssociations are the rows (both directions) of the new record of a
// merge: every association of either old record, but those between them.
// Of a type a record holds once (a primary company), the primary's stays;
// the other's target keeps its other types.
func (e *Engine) mergedAssociations(n, p, s *Object, rowsP, rowsS []AssociationRow) []AssociationRow {
	var order []int64
	types := map[int64][]*AssociationType{}
	onePer := map[*AssociationType]int64{}
	for _, rows := range [][]AssociationRow{rowsP, rowsS} {
		for _, r := range rows {
			if r.ToID == p.ID || r.ToID == s.ID {
				continue
			}
			at := e.Assoc.Lookup(AssociationSpec{Category: r.Category, TypeID: r.TypeID})
			if at == nil || containsType(types[r.ToID], at) {
				continue
			}
			if at.OnePerFrom {
				if holder, ok := onePer[at]; ok && holder != r.ToID {
					continue
				}
				onePer[at] = r.ToID
			}
			if types[r.ToID] == nil {
				order = append(order, r.ToID)
			}
			types[r.ToID] = append(types[r.ToID], at)
		}
	}
	var out []AssociationRow
	for _, to := range order {
		out = append(out, rowsFor(n.ID, to, types[to], e)...)
	}
	return out
}

// funnel orders the lifecycle stages; a merge keeps the one furthest down.
// "other" is outside the funnel: it stays only when neither record has
// another stage.
var funnel = []string{"subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist"}

// mergeProperties combines two records' values: the primary's, then the
// other's where the primary has none, with HubSpot's exceptions for email
// addresses and the lifecycle stage.
func mergeProperties(t *ObjectType, p, s *Object) map[string]string {
	out := make(map[string]string, len(p.Properties)+len(s.Properties))
	for k, v := range s.Properties {
		out[k] = v
	}
	for k, v := range p.Properties {
		if v != "" {
			out[k] = v
		}
	}
	if t.Property("email") != nil && t.Property("hs_additional_emails") != nil {
		primary := out["email"]
		var extra []string
		seen := map[string]bool{strings.ToLower(primary): true, "": true}
		for _, v := range []string{p.Properties["hs_additional_emails"], s.Properties["email"], p.Properties["email"], s.Properties["hs_additional_emails"]} {
			for _, a := range strings.Split(v, ";") {
				if a = strings.TrimSpace(a); !seen[strings.ToLower(a)] {
					seen[strings.ToLower(a)] = true
					extra = append(extra, a)
				}
			}
		}
		delete(out, "hs_additional_emails")
		if len(extra) > 0 {
			out["hs_additional_emails"] = strings.Join(extra, ";")
		}
	}
	if t.Property("lifecyclestage") != nil {
		a, b := p.Properties["lifecyclestage"], s.Properties["lifecyclestage"]
		if slices.Index(funnel, b) > slices.Index(funnel, a) {
			out["lifecyclestage"] = b
		}
	}
	return out
}

// seedMerged records the merged ids of fixture records (their
// hs_merged_object_ids), after the records are stored: each resolves to
// its record. A merged id that names a stored record, or that two records
// list, is a 409.
func (e *Engine) seedMerged(ctx context.Context, tx Tx, f *Fixture) error {
	owner := map[int64]string{}
	for _, typeName := range sortedKeys(f.Objects) {
		for i, fo := range f.Objects[typeName] {
			v := fo.Properties[MergedIDsProperty]
			if v == "" {
				continue
			}
			where := fmt.Sprintf("objects.%s[%d]", typeName, i)
			id, _ := ParseID(fo.ID)
			var ids []int64
			for _, part := range strings.Split(v, ";") {
				m, ok := ParseID(strings.TrimSpace(part))
				if !ok {
					return Invalidf("%s: %s holds %q, which is not a record id", where, MergedIDsProperty, part)
				}
				if prev, dup := owner[m]; dup && prev != where {
					return fixtureConflict(where, "merged id %d is also a merged id of %s", m, prev)
				}
				owner[m] = where
				ids = append(ids, m)
			}
			stored, err := tx.ObjectsByIDs(ctx, ids)
			if err != nil {
				return err
			}
			if len(stored) > 0 {
				return fixtureConflict(where, "merged id %d is the id of a stored %s", stored[0].ID, stored[0].TypeID)
			}
			if err := tx.MergeIDs(ctx, ids, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// seedMergeState stores what a fixture holds of merges (the merged ids its
// records list), GDPR deletes (blocked addresses) and association limits.
func (e *Engine) seedMergeState(ctx context.Context, tx Tx, f *Fixture) error {
	if err := e.seedMerged(ctx, tx, f); err != nil {
		return err
	}
	var emails []string
	for i, a := range f.BlockedEmails {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == "" {
			return Invalidf("gdprBlockedEmails[%d]: an email address is required", i)
		}
		if err := checkStorable(fmt.Sprintf("gdprBlockedEmails[%d]", i), a); err != nil {
			return err
		}
		emails = append(emails, a)
	}
	if err := tx.BlockEmails(ctx, emails, e.now()); err != nil {
		return err
	}
	return e.seedAssociationLimits(ctx, tx, f.AssociationLimits)
}

// exportMergeState adds the blocked addresses and association limits to an
// export; merged ids travel in the records' hs_merged_object_ids.
func (e *Engine) exportMergeState(ctx context.Context, tx ReadTx, f *Fixture) error {
	emails, err := tx.BlockedEmails(ctx)
	if err != nil {
		return err
	}
	f.BlockedEmails = emails
	limits, err := tx.AssociationLimits(ctx)
	if err != nil {
		return err
	}
	for _, l := range limits {
		if e.limitType(l) == nil {
			continue
		}
		from, ferr := e.Types.Resolve(l.From)
		to, terr := e.Types.Resolve(l.To)
		if ferr != nil || terr != nil {
			continue
		}
		f.AssociationLimits = append(f.AssociationLimits, FixtureAssociationLimit{From: from.Name, To: to.Name,
			Category: l.Category, TypeID: l.TypeID, MaxToObjectIDs: l.Max})
	}
	return nil
}
