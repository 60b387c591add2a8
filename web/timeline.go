package web

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/spoke-crm/spoke/crm"
)

type recordData struct {
	base
	Type        *typeView
	ID          string
	URL         string
	RecordTitle string
	// Created names the record in its forms (recordCreated).
	Created string
	Props   []valueView

	// CanReadActivity says the token may read at least one engagement type.
	CanReadActivity  bool
	CanWriteMessages bool
	CanWriteNotes    bool
	CanPin           bool

	Pinned  *entryView
	Entries []entryView
	Total   int
	// Older says this page is not the newest.
	Older bool
	// Filters choose the engagement type shown, ChannelFilters the channel
	// of the messages shown (when the timeline shows messages only).
	Filters        []navLink
	ChannelFilters []navLink
	Filter         timelineFilter
	// Cursor is where an older page starts; nil on the newest page.
	Cursor *timelineCursor
	// Shown names what the timeline shows ("activity", "notes").
	Shown     string
	NextURL   string
	NewestURL string
	BinURL    string
	Form      logForm
	Note      noteForm
	// MessageOwners and NoteOwners are the owner choices of each form: the
	// active owners, and a deactivated one a refused form had chosen.
	MessageOwners []ownerOption
	NoteOwners    []ownerOption
	Channels      []channelView
	// Associated lists the records of other types associated with this one.
	Associated []assocGroup
	// AssocUnread says there are other record types the token may not read,
	// whose associated records the page cannot show.
	AssocUnread bool
}

// logForm holds what the person typed into "Log a message".
type logForm struct {
	Channel string
	Body    string
	Time    string
	Owner   string
	// Submitted says the form comes back after a refusal: its choices stay
	// as they were, defaults are not applied again.
	Submitted bool
	Error     *pageError
}

// noteForm holds what the person typed into "Add a note".
type noteForm struct {
	Body      string
	Time      string
	Owner     string
	Submitted bool
	Error     *pageError
}

// recordInput is what a refused form brings back to the record page.
type recordInput struct {
	Message logForm
	Note    noteForm
	// Filter is the timeline's filter the form was sent from; nil reads
	// the page's address.
	Filter *timelineFilter
}

// timelineFilter is what a timeline shows: one engagement type or all
// (Type nil), and for messages one channel or all (Channel "").
type timelineFilter struct {
	Type    *typeView
	Channel string
}

// values are the filter's query parameters: ?channel= for a channel
// (messages implied), ?type= for a type.
func (f timelineFilter) values() url.Values {
	v := url.Values{}
	switch {
	case f.Channel != "":
		v.Set("channel", f.Channel)
	case f.Type != nil:
		v.Set("type", f.Type.Segment)
	}
	return v
}

// shows reports whether an entry of type v, on channel for messages, passes.
func (f timelineFilter) shows(v *typeView, channel string) bool {
	return (f.Type == nil || f.Type == v) && (f.Channel == "" || f.Channel == channel)
}

// parseFilter reads a filter from the page's ?type= and ?channel= (or a
// form's copies of them); anything unknown, or a type the token may not
// read, is no filter.
func parseFilter(typ, channel string, readable []*typeView) timelineFilter {
	var f timelineFilter
	if _, ok := channelKeys[channel]; ok && slices.Contains(readable, messagesView) {
		return timelineFilter{Type: messagesView, Channel: channel}
	}
	if v := activityBySegment(typ); v != nil && slices.Contains(readable, v) {
		f.Type = v
	}
	return f
}

// record shows a record's main properties and its timeline.
func (h *Handler) record(c *call) error {
	t, v, err := h.resolve(c, false)
	if err != nil {
		return err
	}
	return h.renderRecord(c, t, v, recordInput{}, http.StatusOK)
}

// renderRecord renders the record page; in keeps a refused form's input.
func (h *Handler) renderRecord(c *call, t *crm.ObjectType, v *typeView, in recordInput, status int) error {
	rec, err := h.loadRecord(c, t, v)
	if err != nil {
		return err
	}
	o, err := h.loadOwners(c)
	if err != nil {
		return err
	}
	if t, err = h.labelled(c, t); err != nil {
		return err
	}
	readable := h.readableActivities(c)
	data := &recordData{
		Type: v, ID: strconv.FormatInt(rec.ID, 10), URL: recordURL(v, rec.ID),
		RecordTitle:      v.titleOf(rec.ID, rec.Properties),
		Created:          recordCreated(rec),
		CanReadActivity:  len(readable) > 0,
		CanWriteMessages: c.canWrite(h.typeOf(messagesView)),
		CanWriteNotes:    c.canWrite(h.typeOf(activityBySegment("notes"))),
		CanPin:           c.canWrite(t),
		Form:             in.Message,
		Note:             in.Note,
		MessageOwners:    o.withChosen(in.Message.Owner),
		NoteOwners:       o.withChosen(in.Note.Owner),
		Channels:         h.channels(),
	}
	if in.Filter != nil {
		data.Filter = *in.Filter
	} else {
		q := c.r.URL.Query()
		data.Filter = parseFilter(q.Get("type"), q.Get("channel"), readable)
	}
	// A new message is most likely on the channel the timeline shows, and
	// a new message or note owned by whoever owns the record.
	owner := ""
	if id := rec.Properties["hubspot_owner_id"]; slices.ContainsFunc(o.live, func(x ownerOption) bool { return x.ID == id }) {
		owner = id
	}
	if !in.Message.Submitted {
		data.Form.Channel = first(data.Filter.Channel, crm.ChannelWhatsApp)
		data.Form.Owner = owner
	}
	if !in.Note.Submitted {
		data.Note.Owner = owner
	}
	h.fill(c, &data.base, data.RecordTitle, v.Name)
	for _, name := range v.Main {
		if val := rec.Properties[name]; val != "" {
			if p := t.Property(name); p != nil {
				data.Props = append(data.Props, value(p, val, o))
			}
		}
	}
	if data.Associated, err = h.associated(c, t, v, rec); err != nil {
		return err
	}
	for _, ov := range h.recordViews() {
		if ot := h.typeOf(ov); ov.ID != v.ID && !c.canRead(ot) {
			data.AssocUnread = true
		}
	}
	if data.CanReadActivity {
		data.BinURL = data.URL + "/recycle-bin"
		if err := h.timeline(c, t, rec, o, data, readable); err != nil {
			return err
		}
	}
	h.render(c.w, c.r, status, "record", data)
	return nil
}

// timelineCursor is where an older page of a timeline starts: after the
// entry shown last, which had the time TS (epoch milliseconds; HasTS false
// for an entry without one) and the id ID.
type timelineCursor struct {
	TS    int64
	HasTS bool
	ID    int64
}

// parseCursor reads a cursor from a page's ?before= and ?id= (or a form's
// copies of them); nil without a valid id.
func parseCursor(before, id string) *timelineCursor {
	n, ok := crm.ParseID(id)
	if !ok {
		return nil
	}
	k := &timelineCursor{ID: n}
	if ts, err := strconv.ParseInt(before, 10, 64); err == nil {
		k.TS, k.HasTS = ts, true
	}
	return k
}

// values are the cursor's query parameters; none for nil.
func (k *timelineCursor) values() url.Values {
	v := url.Values{}
	if k != nil {
		v.Set("id", strconv.FormatInt(k.ID, 10))
		if k.HasTS {
			v.Set("before", strconv.FormatInt(k.TS, 10))
		}
	}
	return v
}

// shown reports whether an entry at time ts (epoch milliseconds) with id
// came at or before the cursor among the entries with the cursor's time.
func (k timelineCursor) shown(obj *crm.Object) bool {
	ts, ok := crm.ParseInstant(obj.Properties["hs_timestamp"])
	return ok && ts.UnixMilli() == k.TS && obj.ID <= k.ID
}

var noTime = crm.FilterInput{PropertyName: ptr("hs_timestamp"), Operator: ptr(crm.OpNotHasProperty)}

// typeTimeline finds a page of one engagement type's entries on a timeline:
// those matching base after the cursor (from the newest when nil), at most
// limit, in timeline order, with the number of entries after the cursor
// (exact, or at least more than limit).
//
// Each is one search with one filter group where it can be: the engine
// answers one group faster than a union of several. After a cursor with a
// time, the search is of the entries at that time or before; those at its
// time with an id up to the cursor's come first and were shown already, so
// they are left out here. Only if they fill a whole search (thousands of
// entries at one millisecond) does a search of exactly the entries after
// the cursor, in two groups, take over. Entries without a time, which come
// last, are left to the caller (untimed).
func (h *Handler) typeTimeline(c *call, et *crm.ObjectType, base []crm.FilterInput, cursor *timelineCursor, limit int) ([]*crm.Object, int, error) {
	with := func(fs ...crm.FilterInput) []crm.FilterInput { return append(slices.Clip(base), fs...) }
	search := func(offset, limit int, group ...[]crm.FilterInput) (*crm.SearchResult, error) {
		return h.engine.Search(ctxOf(c), et, crm.SearchRequest{
			FilterGroups: group,
			Sorts:        []crm.SortInput{{PropertyName: "hs_timestamp", Direction: "DESCENDING"}},
			Limit:        &limit,
			After:        strconv.Itoa(offset),
		})
	}
	objects := func(res *crm.SearchResult) []*crm.Object {
		out := make([]*crm.Object, 0, len(res.Records))
		for _, r := range res.Records {
			out = append(out, r.Object)
		}
		return out
	}
	switch {
	case cursor == nil:
		res, err := search(0, limit, base)
		if err != nil {
			return nil, 0, err
		}
		return objects(res), res.Total, nil
	case !cursor.HasTS:
		res, err := search(0, limit, with(noTime, filter("hs_object_id", crm.OpGT, strconv.FormatInt(cursor.ID, 10))))
		if err != nil {
			return nil, 0, err
		}
		return objects(res), res.Total, nil
	}
	// The cursor's own entry is at its time: one more than a page.
	ts := strconv.FormatInt(cursor.TS, 10)
	atOrBefore := with(filter("hs_timestamp", crm.OpLTE, ts))
	res, err := search(0, limit+1, atOrBefore)
	if err != nil {
		return nil, 0, err
	}
	var out []*crm.Object
	shown := 0
	for _, r := range res.Records {
		switch {
		case len(out) == 0 && cursor.shown(r.Object):
			shown++
		case len(out) < limit:
			out = append(out, r.Object)
		}
	}
	remaining := res.Total - shown
	switch {
	case shown == len(res.Records) && shown < res.Total:
		// The entries shown at the cursor's time fill the whole search.
		res, err = search(0, limit, with(filter("hs_timestamp", crm.OpLT, ts)),
			with(eq("hs_timestamp", ts), filter("hs_object_id", crm.OpGT, strconv.FormatInt(cursor.ID, 10))))
		if err != nil {
			return nil, 0, err
		}
		out, remaining = objects(res), res.Total
	case len(out) < limit && len(out) < remaining:
		// Several were shown at the cursor's time: the rest of the page.
		more, err := search(len(res.Records), limit-len(out), atOrBefore)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, objects(more)...)
	}
	return out, remaining, nil
}

// untimed finds the entries of one engagement type without a time (they
// come last on a timeline), at most limit of them, in id order, and their
// number; limit 0 only counts them.
func (h *Handler) untimed(c *call, et *crm.ObjectType, base []crm.FilterInput, limit int) (*crm.SearchResult, error) {
	return h.engine.Search(ctxOf(c), et, crm.SearchRequest{
		FilterGroups: [][]crm.FilterInput{append(slices.Clip(base), noTime)},
		Limit:        &limit,
	})
}

// timelineItem is one engagement found for a timeline page.
type timelineItem struct {
	v     *typeView
	t     *crm.ObjectType
	obj   *crm.Object
	ts    int64
	hasTS bool
}

func newTimelineItem(v *typeView, t *crm.ObjectType, obj *crm.Object) timelineItem {
	it := timelineItem{v: v, t: t, obj: obj}
	if ts, ok := crm.ParseInstant(obj.Properties["hs_timestamp"]); ok {
		it.ts, it.hasTS = ts.UnixMilli(), true
	}
	return it
}

// before orders a timeline: newest first, entries without a time last,
// equal times by id.
func (a timelineItem) before(b timelineItem) bool {
	if a.hasTS != b.hasTS {
		return a.hasTS
	}
	if a.ts != b.ts {
		return a.ts > b.ts
	}
	return a.obj.ID < b.obj.ID
}

// timeline fills in one page of the record's engagements of every type the
// token may read (or the one the filter names), newest first by
// hs_timestamp. Each type is one search of the engine (an associations
// filter and a descending sort, at most a page of results); the results are
// merged and the newest page-full shown. The first page shows the total of
// every type's count. Older pages go on from the last entry shown (keyset
// paging: ?before=its time&id=its id), so every entry is in reach however
// long the timeline is.
func (h *Handler) timeline(c *call, t *crm.ObjectType, rec *crm.Record, o *owners, data *recordData, readable []*typeView) error {
	q := c.r.URL.Query()
	f := data.Filter
	cursor := parseCursor(q.Get("before"), q.Get("id"))
	data.Cursor = cursor
	pageURL := func(f timelineFilter, extra url.Values) string {
		v := f.values()
		for k, vs := range extra {
			v[k] = vs
		}
		if len(v) == 0 {
			return data.URL + "#timeline"
		}
		return data.URL + "?" + v.Encode() + "#timeline"
	}
	data.Filters = append(data.Filters, navLink{Label: "All activity", URL: pageURL(timelineFilter{}, nil), Current: f.Type == nil})
	for _, v := range readable {
		data.Filters = append(data.Filters, navLink{Label: v.Label, URL: pageURL(timelineFilter{Type: v}, nil), Current: f.Type == v})
	}
	data.Shown = "activity"
	if f.Type != nil {
		data.Shown = strings.ToLower(f.Type.Label)
	}
	if f.Type == messagesView {
		data.ChannelFilters = append(data.ChannelFilters, navLink{Label: "All channels", URL: pageURL(timelineFilter{Type: messagesView}, nil), Current: f.Channel == ""})
		for _, ch := range h.channels() {
			data.ChannelFilters = append(data.ChannelFilters, navLink{Label: ch.Label, URL: pageURL(timelineFilter{Type: messagesView, Channel: ch.Value}, nil), Current: f.Channel == ch.Value})
		}
		if f.Channel != "" {
			data.Shown = h.channelLabel(f.Channel) + " messages"
		}
	}

	kinds := readable
	if f.Type != nil {
		kinds = []*typeView{f.Type}
	}
	recID := strconv.FormatInt(rec.ID, 10)
	var items []timelineItem
	var bases [][]crm.FilterInput
	total := 0
	for _, v := range kinds {
		et := h.typeOf(v)
		base := []crm.FilterInput{eq("associations."+t.Singular, recID)}
		if v == messagesView && f.Channel != "" {
			base = append(base, eq("hs_communication_channel_type", f.Channel))
		}
		objs, n, err := h.typeTimeline(c, et, base, cursor, timelinePageSize)
		if err != nil {
			return err
		}
		total += n
		for _, obj := range objs {
			items = append(items, newTimelineItem(v, et, obj))
		}
		bases = append(bases, base)
	}
	// After a cursor with a time, the timed entries were searched for. If
	// they do not outnumber a page, every one of them is here, and the
	// entries without a time come next: as many as there is room for, or
	// (for a full page) only whether there are any.
	if cursor != nil && cursor.HasTS && total <= timelinePageSize {
		room := timelinePageSize - len(items)
		for i, v := range kinds {
			et := h.typeOf(v)
			res, err := h.untimed(c, et, bases[i], room)
			if err != nil {
				return err
			}
			total += res.Total
			for _, r := range res.Records {
				items = append(items, newTimelineItem(v, et, r.Object))
			}
			room -= len(res.Records)
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].before(items[j]) })
	page := items[:min(len(items), timelinePageSize)]

	data.Older = cursor != nil
	if data.Older {
		data.NewestURL = pageURL(f, nil)
	} else {
		data.Total = total
	}
	pinned := rec.Properties[crm.PinnedProperty]
	if pinned != "" && !data.Older {
		p, err := h.pinnedEntry(c, pinned, kinds, f, page)
		if err != nil {
			return err
		}
		if p != nil {
			e := h.timelineEntry(c, data, *p, o)
			e.Pinned = true
			data.Pinned = &e
		}
	}
	for _, it := range page {
		e := h.timelineEntry(c, data, it, o)
		if data.Pinned != nil && e.ID == pinned {
			continue // shown at the top
		}
		e.Pinned = e.ID == pinned
		data.Entries = append(data.Entries, e)
	}
	if n := len(page); n > 0 && total > n {
		last := page[n-1]
		next := url.Values{"id": {strconv.FormatInt(last.obj.ID, 10)}}
		if last.hasTS {
			next.Set("before", strconv.FormatInt(last.ts, 10))
		}
		data.NextURL = pageURL(f, next)
	}
	return nil
}

// pinnedEntry finds the record's pinned engagement among the types kinds,
// if the filter shows it: on the page already, or read by id.
func (h *Handler) pinnedEntry(c *call, pinned string, kinds []*typeView, f timelineFilter, page []timelineItem) (*timelineItem, error) {
	for _, it := range page {
		if strconv.FormatInt(it.obj.ID, 10) == pinned {
			return &it, nil
		}
	}
	for _, v := range kinds {
		et := h.typeOf(v)
		rec, err := h.engine.Get(ctxOf(c), et, pinned, crm.ReadOptions{})
		if err != nil {
			if crm.AsError(err).Kind == crm.KindNotFound {
				continue
			}
			return nil, err
		}
		if !f.shows(v, rec.Properties["hs_communication_channel_type"]) {
			return nil, nil
		}
		it := newTimelineItem(v, et, rec.Object)
		return &it, nil
	}
	return nil, nil
}

// timelineEntry is an entry of the record page's timeline, with its actions.
func (h *Handler) timelineEntry(c *call, data *recordData, it timelineItem, o *owners) entryView {
	e := h.entry(it.v, it.t, it.obj, o)
	e.CanDelete = c.canWrite(it.t)
	e.DeleteURL = data.URL + "/" + it.v.Segment + "/" + e.ID + "/delete" + timelineQuery(data.Filter, data.Cursor)
	return e
}

func ptr(s string) *string { return &s }

func eq(name, value string) crm.FilterInput { return filter(name, crm.OpEQ, value) }

func filter(name, op, value string) crm.FilterInput {
	return crm.FilterInput{PropertyName: ptr(name), Operator: ptr(op), Value: ptr(value)}
}
