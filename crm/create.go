package crm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// CreateInput is one record to create.
type CreateInput struct {
	Properties   map[string]string
	Associations []AssociationInput
	// TraceID is the objectWriteTraceId of a batch input.
	TraceID string
}

// createJob carries one create input through the phases of createMany.
type createJob struct {
	in    CreateInput
	props map[string]string
	links []inlineLink
	err   error
	obj   *Object
}

// inlineLink is a resolved inline association.
type inlineLink struct {
	toType string
	toID   int64
	types  []*AssociationType
}

// Create validates in and stores a new record of type t.
func (e *Engine) Create(ctx context.Context, actor Actor, t *ObjectType, in CreateInput) (*Object, error) {
	obj, err := e.create(ctx, actor, t, in)
	if fresh := e.refreshed(ctx, t, err); fresh != nil {
		return e.create(ctx, actor, fresh, in)
	}
	return obj, err
}

func (e *Engine) create(ctx context.Context, actor Actor, t *ObjectType, in CreateInput) (*Object, error) {
	var obj *Object
	checked := e.validateCreates(t, []CreateInput{in})
	if checked[0].err != nil {
		return nil, checked[0].err
	}
	err := e.writeRetrying(ctx, func(tx Tx) error {
		jobs, err := e.createMany(ctx, tx, actor, t, checked, false, nil)
		if err != nil {
			return err
		}
		obj = jobs[0].obj
		return nil
	})
	return obj, err
}

// CreateResult is the outcome of one batch create input: a record or an error.
type CreateResult struct {
	Object *Object
	Err    error
}

// CreateBatch creates records in one transaction. With perInput, failing
// inputs are reported in their result and the others are created (HubSpot's
// behaviour when every input has a unique objectWriteTraceId); without it the
// first failure fails the whole batch and nothing is created.
func (e *Engine) CreateBatch(ctx context.Context, actor Actor, t *ObjectType, inputs []CreateInput, perInput bool) ([]CreateResult, error) {
	var names []string
	for _, in := range inputs {
		names = appendKeys(names, in.Properties)
	}
	t = e.Known(ctx, t, false, names...)
	out, err := e.createBatch(ctx, actor, t, inputs, perInput)
	if fresh := e.refreshed(ctx, t, err); fresh != nil { // nothing was written
		return e.createBatch(ctx, actor, fresh, inputs, perInput)
	}
	return out, err
}

func (e *Engine) createBatch(ctx context.Context, actor Actor, t *ObjectType, inputs []CreateInput, perInput bool) ([]CreateResult, error) {
	var out []CreateResult
	checked := e.validateCreates(t, inputs)
	pre := e.prebuild(ctx, actor, t, checked)
	err := e.writeRetrying(ctx, func(tx Tx) error {
		jobs, err := e.createMany(ctx, tx, actor, t, checked, perInput, pre)
		if err != nil {
			return err
		}
		out = make([]CreateResult, len(jobs))
		for i, j := range jobs {
			out[i] = CreateResult{Object: j.obj, Err: j.err}
		}
		return nil
	})
	return out, err
}

// validateCreate checks one create input without touching storage.
func (e *Engine) validateCreate(t *ObjectType, in CreateInput) (map[string]string, []inlineLink, error) {
	props, errs := t.NormalizeProperties(in.Properties)
	if len(errs) > 0 {
		return nil, nil, ValidationError(e.PortalID, errs)
	}
	for name, from := range t.CreateFallbacks {
		if props[name] == "" && props[from] != "" {
			props[name] = props[from]
		}
	}
	if len(in.Associations) > MaxInlineAssociations {
		return nil, nil, Invalidf("At most %d associations can be given on create", MaxInlineAssociations)
	}
	var missing []string
	for _, name := range t.Required {
		if props[name] == "" {
			missing = append(missing, name)
		}
	}
	for _, group := range t.RequiredAnyOf {
		found := false
		for _, name := range group {
			found = found || props[name] != ""
		}
		if !found {
			missing = append(missing, group...)
		}
	}
	if len(missing) > 0 {
		return nil, nil, requiredNotSet(t, missing)
	}
	links, err := e.resolveInline(t, in.Associations)
	return props, links, err
}

// requiredNotSet is HubSpot's error for a create without the properties
// its type requires.
func requiredNotSet(t *ObjectType, missing []string) *Error {
	// HubSpot's message for a custom type has two spaces after the
	// schema's name (observed); built-in types have one.
	sep := " "
	if IsCustom(t.ID) {
		sep = "  "
	}
	err := Invalidf("Error creating %s.%sSome required properties were not set.", t.Label, sep)
	err.Context = map[string][]string{"properties": missing}
	return err
}

// storedRequired refuses, on a database other nodes write to, the creates
// of a custom type without a property its schema requires as stored: a
// schema changed through another node reaches this node's copy only at its
// next reload. jobs are those validated against the copy.
func (e *Engine) storedRequired(ctx context.Context, tx ReadTx, t *ObjectType, jobs []*createJob) error {
	if !e.Shared || t.Schema == nil {
		return nil
	}
	s, err := tx.CustomSchema(ctx, t.ID)
	if err != nil || s == nil || slices.Equal(s.RequiredProperties, t.Schema.RequiredProperties) {
		return err
	}
	for _, j := range jobs {
		if j.err != nil {
			continue
		}
		var missing []string
		for _, name := range s.RequiredProperties {
			if j.props[name] == "" {
				missing = append(missing, name)
			}
		}
		if len(missing) > 0 {
			j.err = requiredNotSet(t, missing)
		}
	}
	return nil
}

// resolveInline checks the types of inline associations: each must start at
// type t, and all types of one input must lead to the same object type.
func (e *Engine) resolveInline(t *ObjectType, inline []AssociationInput) ([]inlineLink, error) {
	var links []inlineLink
	for _, in := range inline {
		var link inlineLink
		for _, s := range in.Types {
			at := e.Assoc.Lookup(s)
			if at == nil {
				return nil, invalidAssociations([]AssociationSpec{s})
			}
			if at.From != t.ID {
				return nil, Invalidf("invalid from object type %s for associations to be created. expected: %s. For definition %s", t.ID, at.From, s)
			}
			if link.toType != "" && at.To != link.toType {
				return nil, invalidAssociations(in.Types)
			}
			link.toType = at.To
			link.types = append(link.types, at)
		}
		if len(link.types) == 0 {
			return nil, Invalidf("One or more associations are invalid: every association needs at least one type")
		}
		id, ok := ParseID(in.ToID)
		if !ok {
			return nil, invalidTargets(in.ToID, link.toType)
		}
		link.toID = id
		links = append(links, link)
	}
	return links, nil
}

func invalidTargets(id, typeID string) *Error {
	return &Error{Kind: KindInvalid, Category: CategoryValidation, Message: "One or more associations are invalid",
		Context: map[string][]string{"INVALID_OBJECT_IDS": {fmt.Sprintf("ToObjectId=%s of type %s is not valid", id, typeID)}}}
}

// validateCreates checks create inputs without touching storage, so that
// the work is done before the write transaction starts.
func (e *Engine) validateCreates(t *ObjectType, inputs []CreateInput) []createJob {
	jobs := make([]createJob, len(inputs))
	for i, in := range inputs {
		j := &jobs[i]
		j.in = in
		j.props, j.links, j.err = e.validateCreate(t, in)
	}
	return jobs
}

// prebuilt holds the records of a batch's inputs and their search
// documents, built before its write transaction (prebuild), by the position
// of their input; nil for an input that failed validation.
type prebuilt struct {
	now    time.Time
	owners map[string]*Owner
	objs   []*Object
	docs   []SearchDoc
}

// prebuildMin is the least number of valid inputs whose records are built
// before the write transaction: fewer are built in it, which spares them
// the read transaction that prebuild takes for their owners.
const prebuildMin = 10

// prebuild builds the records of a batch's valid inputs, with their history
// and search documents, before the batch's write transaction: the
// transaction holds the single writer of some stores, and building needs
// none of it. The records are built without ids (renumber gives them theirs
// in the transaction), with their owners as they are now: createMany checks
// the owners again and builds the records itself if any changed. It
// returns nil when it builds nothing (few inputs, or an error, which the
// write transaction meets again).
func (e *Engine) prebuild(ctx context.Context, actor Actor, t *ObjectType, checked []createJob) *prebuilt {
	var valid []*createJob
	for i := range checked {
		if checked[i].err == nil {
			valid = append(valid, &checked[i])
		}
	}
	if len(valid) < prebuildMin {
		return nil
	}
	owners := map[string]*Owner{}
	if slices.ContainsFunc(valid, func(j *createJob) bool { return j.props["hubspot_owner_id"] != "" }) {
		err := e.Store.Read(ctx, func(tx ReadTx) error {
			var err error
			owners, err = e.loadOwners(ctx, tx, valid, true)
			return err
		})
		if err != nil {
			return nil
		}
	}
	b := &prebuilt{now: e.now(), owners: owners, objs: make([]*Object, len(checked)), docs: make([]SearchDoc, len(checked))}
	objs := e.buildRecords(actor, t, valid, nil, owners, b.now)
	docs := newDocs(t, objs)
	if p, ok := e.Store.(Preparer); ok {
		p.Prepare(objs, docs)
	}
	k := 0
	for i := range checked {
		if checked[i].err == nil {
			b.objs[i], b.docs[i] = objs[k], docs[k]
			k++
		}
	}
	return b
}

// buildRecords builds the records of jobs with their first writes, with
// ids (none, for renumber to give, when ids is nil).
func (e *Engine) buildRecords(actor Actor, t *ObjectType, jobs []*createJob, ids []int64, owners map[string]*Owner, now time.Time) []*Object {
	objs := make([]*Object, len(jobs))
	history := make([]HistoryEntry, 0, len(jobs)*(len(jobs[0].props)+12))
	for i, j := range jobs {
		var id int64
		if ids != nil {
			id = ids[i]
		}
		start := len(history)
		objs[i], history = e.newObject(actor, t, id, j.props, owners, now, history)
		objs[i].CreateHistory = history[start:len(history):len(history)]
	}
	return objs
}

// newDocs are the search documents of records just built.
func newDocs(t *ObjectType, objs []*Object) []SearchDoc {
	docs := searchDocs(t, objs)
	for i := range docs {
		docs[i].New = true
	}
	return docs
}

// renumber gives a record built without its id (prebuild) the id id: its
// own, its hs_object_id and its history's. No other value a new record has
// depends on its id.
func renumber(obj *Object, id int64) {
	obj.ID = id
	v := strconv.FormatInt(id, 10)
	obj.Properties[ObjectIDProperty] = v
	for i := range obj.CreateHistory {
		h := &obj.CreateHistory[i]
		h.ObjectID = id
		if h.Name == ObjectIDProperty {
			h.Value = v
		}
	}
}

// sameOwners reports whether the owners read in the write transaction are
// those a prebuild read, as far as a new record's properties tell.
func sameOwners(now, then map[string]*Owner) bool {
	for id, o := range now {
		was := then[id]
		if was == nil || was.UserID != o.UserID {
			return false
		}
	}
	return true
}

// createMany checks validated inputs against storage and stores the records
// with set-based writes. Jobs that fail keep their error; without perInput
// the first failure is returned. checked is not modified, so a store may run
// the transaction again. pre, when not nil, holds the records built before
// the transaction (prebuild).
func (e *Engine) createMany(ctx context.Context, tx Tx, actor Actor, t *ObjectType, checked []createJob, perInput bool, pre *prebuilt) ([]*createJob, error) {
	now := e.now()
	jobs := make([]*createJob, len(checked))
	locks := make([]map[string]string, 0, len(checked))
	for i := range checked {
		j := checked[i]
		jobs[i] = &j
		if j.err == nil {
			locks = append(locks, j.props)
		}
	}
	if err := liveType(ctx, tx, t); err != nil {
		return nil, err
	}
	if err := e.storedRequired(ctx, tx, t, jobs); err != nil {
		return nil, err
	}
	if err := e.lockUnique(ctx, tx, t, locks...); err != nil {
		return nil, err
	}
	for _, check := range []func(context.Context, ReadTx, *ObjectType, []*createJob) error{
		e.checkPipelines, e.checkTargets, e.checkOwners, e.checkUnique, e.checkNewPins,
	} {
		if err := check(ctx, tx, t, jobs); err != nil {
			return nil, err
		}
	}
	var valid []*createJob
	for _, j := range jobs {
		if j.err == nil {
			valid = append(valid, j)
		} else if !perInput {
			return nil, j.err
		}
	}
	if len(valid) == 0 {
		return jobs, nil
	}
	owners, err := e.loadOwners(ctx, tx, valid, false)
	if err != nil {
		return nil, err
	}
	if pre != nil && !sameOwners(owners, pre.owners) {
		pre = nil
	}
	ids, err := tx.NextIDs(ctx, len(valid))
	if err != nil {
		return nil, err
	}
	objs := make([]*Object, 0, len(valid))
	var docs []SearchDoc
	if pre != nil {
		docs = make([]SearchDoc, 0, len(valid))
		for i, j := range jobs {
			if j.err == nil {
				j.obj = pre.objs[i]
				renumber(j.obj, ids[len(objs)])
				objs = append(objs, j.obj)
				doc := pre.docs[i]
				doc.ObjectID = j.obj.ID
				docs = append(docs, doc)
			}
		}
	} else {
		objs = e.buildRecords(actor, t, valid, ids, owners, now)
		for i, j := range valid {
			j.obj = objs[i]
		}
	}
	var rows []AssociationRow
	for _, j := range valid {
		for _, l := range j.links {
			types := l.types
			if d := e.Assoc.Default(t.ID, l.toType); d != nil && !containsType(types, d) {
				types = append(types, d)
			}
			rows = append(rows, rowsFor(j.obj.ID, l.toID, types, e)...)
		}
		if err := e.claimUnique(ctx, tx, t, j.obj, j.props); err != nil {
			return nil, err
		}
	}
	// Without prebuilt documents, the records' search documents are built
	// on another goroutine while the store writes the records and their
	// associations: the transaction holds the single writer of some
	// stores, and building is work that needs none of it.
	built := make(chan []SearchDoc, 1)
	if docs != nil {
		built <- docs
	} else {
		go func() { built <- newDocs(t, objs) }()
	}
	// The records' history is their first write, stored with them.
	if err := tx.InsertObjects(ctx, objs); err != nil {
		return nil, err
	}
	if err := e.checkAssociationLimits(ctx, tx, rows); err != nil {
		return nil, err
	}
	if err := tx.AddAssociations(ctx, rows); err != nil {
		return nil, err
	}
	// A type held once per record (primary company) stays with the last
	// link that sets it, of the new record or of a record it links to.
	type holding struct {
		one    *AssociationType
		holder int64
	}
	var order []holding
	keep := map[holding]int64{}
	for _, j := range valid {
		for _, l := range j.links {
			for _, at := range l.types {
				if one, holder, with := e.onePer(at, j.obj.ID, l.toID); one != nil {
					h := holding{one, holder}
					if _, ok := keep[h]; !ok {
						order = append(order, h)
					}
					keep[h] = with
				}
			}
		}
	}
	for _, h := range order {
		if err := e.keepOnePer(ctx, tx, h.one, h.holder, keep[h]); err != nil {
			return nil, err
		}
	}
	return jobs, tx.IndexObjects(ctx, <-built)
}

// newObject builds a record with its computed properties, and appends its
// history to history.
func (e *Engine) newObject(actor Actor, t *ObjectType, id int64, props map[string]string, owners map[string]*Owner, now time.Time, history []HistoryEntry) (*Object, []HistoryEntry) {
	obj := &Object{ID: id, TypeID: t.ID, Properties: make(map[string]string, len(props)+12), CreatedAt: now, UpdatedAt: now}
	set := func(name, value, sourceType, sourceID string) {
		if value == "" {
			return
		}
		obj.Properties[name] = value
		history = append(history, HistoryEntry{ObjectID: id, Name: name, Value: value, Timestamp: now, SourceType: sourceType, SourceID: sourceID})
	}
	for _, name := range sortedKeys(props) {
		set(name, props[name], actor.SourceType, actor.SourceID)
	}
	ts := FormatTime(now)
	set("hs_object_id", strconv.FormatInt(id, 10), SourceCalculated, "")
	set(t.CreatedProperty, ts, SourceCalculated, "")
	set(t.ModifiedProperty, ts, SourceCalculated, "")
	set("hs_object_source", actor.SourceType, SourceCalculated, "")
	set("hs_object_source_id", actor.SourceID, SourceCalculated, "")
	set("hs_object_source_label", actor.SourceType, SourceCalculated, "")
	derived := derive(t, props, obj.Properties, now, owners)
	for _, name := range sortedKeys(derived) {
		set(name, derived[name], SourceCalculated, "")
	}
	return obj, history
}

// checkTargets makes sure inline association targets exist, are live, and
// have the type the association leads to.
func (e *Engine) checkTargets(ctx context.Context, tx ReadTx, _ *ObjectType, jobs []*createJob) error {
	var ids []int64
	for _, j := range jobs {
		for _, l := range j.links {
			if j.err == nil {
				ids = append(ids, l.toID)
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	found, err := lockResolved(ctx, tx, ids)
	if err != nil {
		return err
	}
	byID := make(map[int64]*Object, len(found))
	for _, o := range found {
		byID[o.ID] = o
	}
	// The ids of records merged into others name the records they resolve to.
	var gone []int64
	for _, id := range ids {
		if byID[id] == nil {
			gone = append(gone, id)
		}
	}
	merged := map[int64]int64{}
	if len(gone) > 0 {
		if merged, err = tx.MergedInto(ctx, gone); err != nil {
			return err
		}
		var targets []int64
		for _, to := range merged {
			targets = append(targets, to)
		}
		more, err := tx.ObjectsByIDs(ctx, targets)
		if err != nil {
			return err
		}
		for _, o := range more {
			byID[o.ID] = o
		}
	}
	for _, j := range jobs {
		if len(merged) > 0 {
			j.links = append([]inlineLink(nil), j.links...) // the checked inputs stay as they were
		}
		for k, l := range j.links {
			if to, ok := merged[l.toID]; ok {
				j.links[k].toID, l.toID = to, to
			}
			if o := byID[l.toID]; j.err == nil && (o == nil || o.Archived || o.TypeID != l.toType) {
				j.err = invalidTargets(strconv.FormatInt(l.toID, 10), l.toType)
			}
		}
	}
	return nil
}

// checkOwners marks jobs whose hubspot_owner_id names no live owner.
func (e *Engine) checkOwners(ctx context.Context, tx ReadTx, _ *ObjectType, jobs []*createJob) error {
	checked := map[string]error{}
	for _, j := range jobs {
		v := j.props["hubspot_owner_id"]
		if j.err != nil || v == "" {
			continue
		}
		err, ok := checked[v]
		if !ok {
			_, err = e.liveOwner(ctx, tx, v)
			var domain *Error
			if err != nil && !errors.As(err, &domain) {
				return err
			}
			checked[v] = err
		}
		j.err = err
	}
	return nil
}

// loadOwners returns the owners the jobs name, by id string. With
// skipGone, an owner that is not live is left out (its jobs are refused
// later); else it is an error.
func (e *Engine) loadOwners(ctx context.Context, tx ReadTx, jobs []*createJob, skipGone bool) (map[string]*Owner, error) {
	owners := map[string]*Owner{}
	for _, j := range jobs {
		if v := j.props["hubspot_owner_id"]; v != "" && owners[v] == nil {
			o, err := e.liveOwner(ctx, tx, v)
			var domain *Error
			if skipGone && errors.As(err, &domain) {
				continue
			}
			if err != nil {
				return nil, err
			}
			owners[v] = o
		}
	}
	return owners, nil
}

// checkUnique marks jobs whose unique values are held by a live record or by
// an earlier input of the same batch.
func (e *Engine) checkUnique(ctx context.Context, tx ReadTx, t *ObjectType, jobs []*createJob) error {
	type key struct{ prop, value string }
	seen := map[key]bool{}
	for _, j := range jobs {
		if j.err != nil {
			continue
		}
		for _, name := range sortedKeys(j.props) {
			p := t.Property(name)
			if !p.Unique || j.props[name] == "" {
				continue
			}
			k := key{name, uniqueKey(p, j.props[name])}
			if seen[k] {
				j.err = &Error{Kind: KindConflict, Category: CategoryConflict,
					Message: fmt.Sprintf("Duplicate %s %s in the batch input: %s must be unique", t.Singular, name, j.props[name])}
				break
			}
			seen[k] = true
			id, err := tx.FindUnique(ctx, t.ID, name, k.value)
			if err == nil {
				j.err = uniqueConflict(t, id)
				break
			}
			if !errors.Is(err, ErrNotFound) {
				return err
			}
		}
	}
	return nil
}

// checkNewPins applies the pinning rule to new records: the pinned activity
// must be one of the record's inline associations, and live (checkTargets
// has checked that).
func (e *Engine) checkNewPins(ctx context.Context, tx ReadTx, t *ObjectType, jobs []*createJob) error {
	for _, j := range jobs {
		v := j.props[PinnedProperty]
		if j.err != nil || v == "" {
			continue
		}
		id, _ := strconv.ParseInt(v, 10, 64)
		linked := false
		for _, l := range j.links {
			linked = linked || (l.toID == id && e.isActivity(l.toType))
		}
		if !linked {
			j.err = ValidationError(e.PortalID, []PropertyError{{Name: PinnedProperty, Code: CodeInvalidPin,
				Message: fmt.Sprintf("Activity %s is not associated with the new %s; associate it in the same request to pin it", v, t.Singular)}})
		}
	}
	return nil
}

// searchDocs builds the search index entries of live records.
func searchDocs(t *ObjectType, objs []*Object) []SearchDoc {
	docs := make([]SearchDoc, 0, len(objs))
	for _, o := range objs {
		if !o.Archived {
			docs = append(docs, t.SearchDoc(o))
		}
	}
	return docs
}
