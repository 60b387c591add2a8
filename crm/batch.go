package crm

import (
	"context"
	"errors"
	"strings"
)

// Batch limits, as HubSpot sets them.
const (
	MaxBatchInputs        = 100
	MaxBatchHistoryInputs = 50
)

// nonUnique is HubSpot's 400 for an idProperty that cannot identify records.
func (e *Engine) nonUnique(t *ObjectType, name string) *Error {
	return Invalidf("Unable to perform update/upsert by non-unique %s property %s in portal ID %d", t.ID, name, e.PortalID)
}

// checkDuplicates refuses a batch that names the same id twice.
func checkDuplicates(ids []string) error {
	return checkDuplicateKeys(ids, ids)
}

// checkDuplicateKeys refuses a batch in which two inputs have the same key,
// naming the second input as shown.
func checkDuplicateKeys[K comparable](keys []K, shown []string) error {
	seen := map[K]bool{}
	var dups []string
	for i, k := range keys {
		if seen[k] && !containsString(dups, shown[i]) {
			dups = append(dups, shown[i])
		}
		seen[k] = true
	}
	if len(dups) > 0 {
		err := Invalidf("Duplicate IDs found in batch input: [%s]. IDs must be unique", strings.Join(dups, ", "))
		err.Context = map[string][]string{"ids": dups}
		return err
	}
	return nil
}

func containsString(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// resolveIDs maps batch ids to record ids: numeric ids as they are, or values
// of a unique property. Unresolvable ids map to 0.
func (e *Engine) resolveIDs(ctx context.Context, tx ReadTx, t *ObjectType, ids []string, idProperty string) ([]int64, error) {
	out := make([]int64, len(ids))
	for i, v := range ids {
		id, err := e.resolveID(ctx, tx, t, v, idProperty)
		if err != nil {
			if AsError(err).Kind == KindNotFound {
				continue
			}
			return nil, err
		}
		out[i] = id
	}
	return out, nil
}

// loadMany returns, for each id (0 for none), the record of type t in the
// wanted archive state, or nil.
func (e *Engine) loadMany(ctx context.Context, tx ReadTx, t *ObjectType, ids []int64, archived bool) ([]*Object, error) {
	var want []int64
	for _, id := range ids {
		if id != 0 {
			want = append(want, id)
		}
	}
	found, err := tx.ObjectsByIDs(ctx, want)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*Object, len(found))
	for _, o := range found {
		byID[o.ID] = o
	}
	// The ids of records merged into others name the records they resolve to.
	var gone []int64
	for _, id := range want {
		if byID[id] == nil {
			gone = append(gone, id)
		}
	}
	if len(gone) > 0 {
		merged, err := tx.MergedInto(ctx, gone)
		if err != nil {
			return nil, err
		}
		if len(merged) > 0 {
			targets := make([]int64, 0, len(merged))
			for _, to := range merged {
				targets = append(targets, to)
			}
			more, err := tx.ObjectsByIDs(ctx, targets)
			if err != nil {
				return nil, err
			}
			for _, o := range more {
				byID[o.ID] = o
			}
			for id, to := range merged {
				byID[id] = byID[to]
			}
		}
	}
	out := make([]*Object, len(ids))
	for i, id := range ids {
		if o := byID[id]; o != nil && o.TypeID == t.ID && o.Archived == archived && !e.purgeable(o) {
			out[i] = o
		}
	}
	return out, nil
}

// BatchRead reads records by id (or unique property value) in input order;
// ids that resolve to nothing come back in missing.
func (e *Engine) BatchRead(ctx context.Context, t *ObjectType, ids []string, opts ReadOptions) (recs []*Record, missing []string, err error) {
	if err := checkDuplicates(ids); err != nil {
		return nil, nil, err
	}
	err = e.Store.Read(ctx, func(tx ReadTx) error {
		resolved, err := e.resolveIDs(ctx, tx, t, ids, opts.IDProperty)
		if err != nil {
			return err
		}
		objs, err := e.loadMany(ctx, tx, t, resolved, opts.Archived)
		if err != nil {
			return err
		}
		var found []*Object
		read := map[int64]bool{}
		for i, o := range objs {
			switch {
			case o == nil:
				missing = append(missing, ids[i])
			case !read[o.ID]: // two merged ids of one record read it once
				read[o.ID] = true
				found = append(found, o)
			}
		}
		recs, err = e.withHistory(ctx, tx, t, found, opts.PropertiesWithHistory)
		return err
	})
	return recs, missing, err
}

// UpdateInput is one input of a batch update.
type UpdateInput struct {
	ID         string
	IDProperty string
	Properties map[string]string
	TraceID    string
}

// UpdateResult is the outcome of one batch update input.
type UpdateResult struct {
	Object *Object
	Err    error
}

// batchIDProperty checks an idProperty of batch update and upsert: only a
// property HubSpot treats as unique for these operations will do.
func (e *Engine) batchIDProperty(t *ObjectType, name string, upsert bool) error {
	if name == "" {
		return nil
	}
	p := t.Property(name)
	if p == nil || !p.Unique {
		return e.nonUnique(t, name)
	}
	// HubSpot refuses batch updates by email; upserts by email work.
	if p.HubSpotDefined && !upsert {
		return e.nonUnique(t, name)
	}
	return nil
}

// UpdateBatch changes records in one transaction. Ids that resolve to nothing
// are reported in missing and do not stop the others. With perInput, inputs
// that fail validation are reported in their result; without it the first
// failure fails the batch and nothing is written.
func (e *Engine) UpdateBatch(ctx context.Context, actor Actor, t *ObjectType, inputs []UpdateInput, perInput bool) (results []UpdateResult, missing []string, err error) {
	var names []string
	for _, in := range inputs {
		if in.IDProperty != "" {
			names = append(names, in.IDProperty)
		}
		names = appendKeys(names, in.Properties)
	}
	t = e.Known(ctx, t, false, names...)
	results, missing, err = e.updateBatch(ctx, actor, t, inputs, perInput)
	if fresh := e.refreshed(ctx, t, err); fresh != nil { // nothing was written
		return e.updateBatch(ctx, actor, fresh, inputs, perInput)
	}
	return results, missing, err
}

func (e *Engine) updateBatch(ctx context.Context, actor Actor, t *ObjectType, inputs []UpdateInput, perInput bool) (results []UpdateResult, missing []string, err error) {
	ids, shown := make([]string, len(inputs)), make([]string, len(inputs))
	for i, in := range inputs {
		ids[i], shown[i] = in.IDProperty+"\x00"+in.ID, in.ID
		if err := e.batchIDProperty(t, in.IDProperty, false); err != nil {
			return nil, nil, err
		}
	}
	if err := checkDuplicateKeys(ids, shown); err != nil {
		return nil, nil, err
	}
	results = make([]UpdateResult, len(inputs))
	props := make([]map[string]string, len(inputs))
	for i, in := range inputs {
		var errs []PropertyError
		if props[i], errs = t.NormalizeProperties(in.Properties); len(errs) > 0 {
			if !perInput {
				return nil, nil, ValidationError(e.PortalID, errs)
			}
			results[i].Err = ValidationError(e.PortalID, errs)
		}
	}
	err = e.writeRetrying(ctx, func(tx Tx) error {
		tx = memoPipelines(tx) // every record is checked against the same pipelines
		if err := e.lockUnique(ctx, tx, t, props...); err != nil {
			return err
		}
		resolved := make([]int64, len(inputs))
		for i, in := range inputs {
			id, err := e.resolveID(ctx, tx, t, in.ID, in.IDProperty)
			if err != nil && AsError(err).Kind != KindNotFound {
				return err
			}
			resolved[i] = id
		}
		if _, err := lockResolved(ctx, tx, resolved); err != nil {
			return err
		}
		objs, err := e.loadMany(ctx, tx, t, resolved, false)
		if err != nil {
			return err
		}
		// Two ids may name one record: a merged-away id and the record it
		// reads as, or two ids merged into one record.
		found := make([]int64, len(objs))
		for i, o := range objs {
			if found[i] = -int64(i) - 1; o != nil {
				found[i] = o.ID
			}
		}
		if err := checkDuplicateKeys(found, shown); err != nil {
			return err
		}
		now := e.now()
		taken := map[string]int64{}
		var changes []*objectChange
		for i, o := range objs {
			if results[i].Err != nil {
				continue
			}
			if o == nil {
				missing = append(missing, inputs[i].ID)
				continue
			}
			c, err := e.change(ctx, tx, actor, t, o, props[i], now, taken)
			if err != nil {
				if _, domain := err.(*Error); !domain || !perInput {
					return err
				}
				results[i].Err = err
				continue
			}
			results[i].Object = o
			if c != nil {
				changes = append(changes, c)
			}
		}
		if len(changes) == 0 {
			return nil
		}
		return e.writeChanges(ctx, tx, t, changes)
	})
	return results, missing, err
}

// upsertTarget is the live record holding an upsert input's value, locked,
// or nil when none holds it; id is the record the value was found on (0:
// none). The value is looked up before the record is locked: a write of
// another node that commits in between (an archive, which frees the value)
// leaves the record found not live, and the value is looked up again.
func (e *Engine) upsertTarget(ctx context.Context, tx Tx, t *ObjectType, in UpsertInput, id int64) (*Object, error) {
	p := t.Property(in.IDProperty)
	var last int64
	for id != 0 {
		if _, err := lockResolved(ctx, tx, []int64{id}); err != nil {
			return nil, err
		}
		objs, err := e.loadMany(ctx, tx, t, []int64{id}, false)
		if err != nil {
			return nil, err
		}
		if objs[0] != nil {
			return objs[0], nil
		}
		if id == last {
			// Still held by a record that is not live: the claim is
			// the record's, and a create of the value is refused.
			return nil, nil
		}
		last = id
		if id, err = tx.FindUnique(ctx, t.ID, in.IDProperty, lookupKey(p, in.ID)); errors.Is(err, ErrNotFound) {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// UpsertInput is one input of a batch upsert: ID is the value of the unique
// property IDProperty.
type UpsertInput struct {
	ID         string
	IDProperty string
	Properties map[string]string
	TraceID    string
}

// UpsertResult is the outcome of one upsert input.
type UpsertResult struct {
	Object *Object
	New    bool
	Err    error
}

// UpsertBatch creates or updates records found by a unique property, in one
// transaction.
func (e *Engine) UpsertBatch(ctx context.Context, actor Actor, t *ObjectType, inputs []UpsertInput, perInput bool) ([]UpsertResult, error) {
	var names []string
	for _, in := range inputs {
		if in.IDProperty != "" {
			names = append(names, in.IDProperty)
		}
		names = appendKeys(names, in.Properties)
	}
	t = e.Known(ctx, t, false, names...)
	out, err := e.upsertBatch(ctx, actor, t, inputs, perInput)
	if fresh := e.refreshed(ctx, t, err); fresh != nil { // nothing was written
		return e.upsertBatch(ctx, actor, fresh, inputs, perInput)
	}
	return out, err
}

func (e *Engine) upsertBatch(ctx context.Context, actor Actor, t *ObjectType, inputs []UpsertInput, perInput bool) ([]UpsertResult, error) {
	keys := make([]string, len(inputs))
	for i, in := range inputs {
		if in.IDProperty == "" {
			return nil, Invalidf("Every upsert input needs an idProperty naming a unique property")
		}
		if err := e.batchIDProperty(t, in.IDProperty, true); err != nil {
			return nil, err
		}
		p := t.Property(in.IDProperty)
		keys[i] = in.IDProperty + "\x00" + uniqueKey(p, in.ID)
	}
	if err := checkDuplicates(keys); err != nil {
		return nil, Invalidf("Duplicate IDs found in batch input: an id appears twice for the same idProperty. IDs must be unique")
	}
	results := make([]UpsertResult, len(inputs))
	err := e.writeRetrying(ctx, func(tx Tx) error {
		tx = memoPipelines(tx) // every record is checked against the same pipelines
		// Every value the batch looks up or may claim is locked first, so
		// that concurrent upserts of one value find the record the first
		// of them created instead of each creating it.
		locks := make([]map[string]string, 0, 2*len(inputs))
		for _, in := range inputs {
			props, _ := t.NormalizeProperties(in.Properties)
			locks = append(locks, map[string]string{in.IDProperty: in.ID}, props)
		}
		if err := e.lockUnique(ctx, tx, t, locks...); err != nil {
			return err
		}
		// Each input's value is looked up once, and the records found
		// are locked together, in id order, before each input locks its
		// own again (which is free).
		found := make([]int64, len(inputs)) // 0: not found, or not looked up
		for i, in := range inputs {
			if storableValue(in.IDProperty, in.ID) != nil {
				continue
			}
			id, err := tx.FindUnique(ctx, t.ID, in.IDProperty, lookupKey(t.Property(in.IDProperty), in.ID))
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			found[i] = id
		}
		if len(inputs) > 1 {
			if _, err := lockResolved(ctx, tx, found); err != nil {
				return err
			}
		}
		var (
			creates   []CreateInput
			createIdx []int
			updates   []*objectChange
		)
		now := e.now()
		taken := map[string]int64{}
		for i, in := range inputs {
			props, errs := t.NormalizeProperties(in.Properties)
			if perr := storableValue(in.IDProperty, in.ID); perr != nil {
				errs = append(errs, *perr) // before a lookup that would fail on it
			}
			if len(errs) > 0 {
				if !perInput {
					return ValidationError(e.PortalID, errs)
				}
				results[i].Err = ValidationError(e.PortalID, errs)
				continue
			}
			obj, err := e.upsertTarget(ctx, tx, t, in, found[i])
			if err != nil {
				return err
			}
			if obj == nil {
				// Not found: create it with the id value set.
				withID := make(map[string]string, len(in.Properties)+1)
				for k, v := range in.Properties {
					withID[k] = v
				}
				withID[in.IDProperty] = in.ID
				creates = append(creates, CreateInput{Properties: withID, TraceID: in.TraceID})
				createIdx = append(createIdx, i)
				continue
			}
			c, err := e.change(ctx, tx, actor, t, obj, props, now, taken)
			if err != nil {
				if _, domain := err.(*Error); !domain || !perInput {
					return err
				}
				results[i].Err = err
				continue
			}
			results[i].Object = obj
			if c != nil {
				updates = append(updates, c)
			}
		}
		if len(updates) > 0 {
			if err := e.writeChanges(ctx, tx, t, updates); err != nil {
				return err
			}
		}
		if len(creates) == 0 {
			return nil
		}
		jobs, err := e.createMany(ctx, tx, actor, t, e.validateCreates(t, creates), perInput, nil)
		if err != nil {
			return err
		}
		for k, j := range jobs {
			results[createIdx[k]] = UpsertResult{Object: j.obj, New: j.err == nil, Err: j.err}
		}
		return nil
	})
	return results, err
}

// ArchiveBatch archives records in one transaction; ids that resolve to
// nothing or are already archived are skipped, as on HubSpot.
func (e *Engine) ArchiveBatch(ctx context.Context, t *ObjectType, ids []string) error {
	if err := checkDuplicates(ids); err != nil {
		return err
	}
	return e.writeRetrying(ctx, func(tx Tx) error {
		resolved := make([]int64, len(ids))
		for i, v := range ids {
			resolved[i], _ = ParseID(v) // 0, which loadMany skips, when it names no record
		}
		if _, err := followMerged(ctx, tx, resolved); err != nil {
			return err
		}
		if err := lockWithAssociated(ctx, tx, resolved); err != nil {
			return err
		}
		objs, err := e.loadMany(ctx, tx, t, resolved, false)
		if err != nil {
			return err
		}
		now := e.now()
		var live []*Object
		for _, o := range objs {
			if o == nil {
				continue
			}
			o.Archived, o.ArchivedAt, o.UpdatedAt = true, now, now
			if err := tx.ReleaseUnique(ctx, t.ID, o.ID, ""); err != nil {
				return err
			}
			live = append(live, o)
		}
		if len(live) == 0 {
			return nil
		}
		if err := tx.UpdateObjects(ctx, live); err != nil {
			return err
		}
		ids := make([]int64, len(live))
		for i, o := range live {
			ids[i] = o.ID
		}
		if err := tx.UnindexObjects(ctx, ids); err != nil {
			return err
		}
		for _, o := range live {
			if err := e.unpinEverywhere(ctx, tx, o); err != nil {
				return err
			}
		}
		return nil
	})
}

// lockResolved reads and, in a write transaction, locks the records ids
// and the records the merged ones among them resolve to, in one call and so
// in ascending id order (see lockPairs): locking the merge targets after the
// others would take them out of that order. It returns the records read.
func lockResolved(ctx context.Context, tx ReadTx, ids []int64) ([]*Object, error) {
	var want []int64
	for _, id := range ids {
		if id != 0 {
			want = append(want, id)
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	merged, err := tx.MergedInto(ctx, want)
	if err != nil {
		return nil, err
	}
	for _, to := range merged {
		want = append(want, to)
	}
	found, err := tx.ObjectsByIDs(ctx, want)
	if err != nil {
		return nil, err
	}
	return found, mergedMeanwhile(ctx, tx, want, merged, found)
}

// mergedMeanwhile returns errLocksMoved when one of ids (those named and
// the records the merged ones resolved to when looked up, merged) was not
// found locked (found) because it has been merged into a record since.
func mergedMeanwhile(ctx context.Context, tx ReadTx, ids []int64, merged map[int64]int64, found []*Object) error {
	locked := make(map[int64]bool, len(found))
	for _, o := range found {
		locked[o.ID] = true
	}
	var missing []int64
	for _, id := range ids {
		if _, ok := merged[id]; !ok && !locked[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	now, err := tx.MergedInto(ctx, missing)
	if err != nil {
		return err
	}
	if len(now) > 0 {
		return errLocksMoved
	}
	return nil
}

// lockWithAssociated locks the records ids and every record associated with
// them, all in one call and so in ascending id order (see lockPairs), before
// an archive writes anything: archiving lifts pins from the associated
// records, and locking the archived record first and a pinning record later
// could deadlock with a write of that pair, which locks the pair's lower id
// first. An association made after the read below is not locked here; its
// writer has committed by the time this transaction can see it, so the
// later lock of its record waits for no one.
func lockWithAssociated(ctx context.Context, tx Tx, ids []int64) error {
	var all []int64
	for _, id := range ids {
		if id == 0 {
			continue
		}
		all = append(all, id)
		rows, err := tx.AssociationsFrom(ctx, id, "", 0, 1<<30)
		if err != nil {
			return err
		}
		for _, r := range rows {
			all = append(all, r.ToID)
		}
	}
	if len(all) == 0 {
		return nil
	}
	if _, err := tx.ObjectsByIDs(ctx, all); err != nil {
		return err
	}
	// Once a record is locked, nothing is associated with it but by this
	// transaction; a record associated with it between the read above and
	// the lock is not locked, and locking it now could take it out of the
	// id order: the transaction starts again (writeRetrying).
	locked := make(map[int64]bool, len(all))
	for _, id := range all {
		locked[id] = true
	}
	for _, id := range ids {
		if id == 0 {
			continue
		}
		rows, err := tx.AssociationsFrom(ctx, id, "", 0, 1<<30)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if !locked[r.ToID] {
				return errLocksMoved
			}
		}
	}
	return nil
}

// errLocksMoved ends a transaction that found, once it had locked records,
// one it should have locked with them: a record associated with them after
// it read their associations, or a record an id it names was merged into
// after it looked the merged ids up. Locking that one now could take it out
// of the id order; the transaction starts again (writeRetrying).
var errLocksMoved = errors.New("crm: records to lock changed meanwhile")

// writeRetrying runs fn in a write transaction, and again while it ends
// with errLocksMoved.
func (e *Engine) writeRetrying(ctx context.Context, fn func(Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := e.Store.Write(ctx, fn)
		if !errors.Is(err, errLocksMoved) || attempt == 20 {
			return err
		}
	}
}
