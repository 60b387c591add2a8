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
	Props       []valueView

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
	// Shown names what the timeline shows ("activity", "notes").
	Shown     string
	NextURL   string
	NewestURL string
	BinURL    string
	Form      logForm
	Note      noteForm
	Owners    []ownerOption
	Channels  []channelView
	// Associated lists the records of other types associated with this one.
	Associated []assocGroup
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
	readable := h.readableActivities(c)
	data := &recordData{
		Type: v, ID: strconv.FormatInt(rec.ID, 10), URL: recordURL(v, rec.ID),
		RecordTitle:      v.titleOf(rec.ID, rec.Properties),
		CanReadActivity:  len(readable) > 0,
		CanWriteMessages: c.canWrite(h.typeOf(messagesView)),
		CanWriteNotes:    c.canWrite(h.typeOf(activityBySegment("notes"))),
		CanPin:           c.canWrite(t),
		Form:             in.Message,
		Note:             in.Note,
		Owners:           o.live,
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

// groups are the filter groups of the entries after the cursor, in the
// order of the timeline: newest first by hs_timestamp, entries without a
// time last, ties by id, as the engine's search sorts them. Every group
// holds the filters base.
func (k timelineCursor) groups(base []crm.FilterInput) [][]crm.FilterInput {
	with := func(fs ...crm.FilterInput) []crm.FilterInput { return append(slices.Clip(base), fs...) }
	id := strconv.FormatInt(k.ID, 10)
	noTime := crm.FilterInput{PropertyName: ptr("hs_timestamp"), Operator: ptr(crm.OpNotHasProperty)}
	if !k.HasTS {
		return [][]crm.FilterInput{with(noTime, filter("hs_object_id", crm.OpGT, id))}
	}
	ts := strconv.FormatInt(k.TS, 10)
	return [][]crm.FilterInput{
		with(filter("hs_timestamp", crm.OpLT, ts)),
		with(eq("hs_timestamp", ts), filter("hs_object_id", crm.OpGT, id)),
		with(noTime),
	}
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
	var cursor *timelineCursor
	if id, ok := crm.ParseID(q.Get("id")); ok {
		cursor = &timelineCursor{ID: id}
		if ts, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil {
			cursor.TS, cursor.HasTS = ts, true
		}
	}
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
	total := 0
	for _, v := range kinds {
		et := h.typeOf(v)
		base := []crm.FilterInput{eq("associations."+t.Singular, recID)}
		if v == messagesView && f.Channel != "" {
			base = append(base, eq("hs_communication_channel_type", f.Channel))
		}
		groups := [][]crm.FilterInput{base}
		if cursor != nil {
			groups = cursor.groups(base)
		}
		limit := timelinePageSize
		res, err := h.engine.Search(ctxOf(c), et, crm.SearchRequest{
			FilterGroups: groups,
			Sorts:        []crm.SortInput{{PropertyName: "hs_timestamp", Direction: "DESCENDING"}},
			Limit:        &limit,
		})
		if err != nil {
			return err
		}
		total += res.Total
		for _, r := range res.Records {
			items = append(items, newTimelineItem(v, et, r.Object))
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
	e.DeleteURL = data.URL + "/" + it.v.Segment + "/" + e.ID + "/delete"
	return e
}

func ptr(s string) *string { return &s }

func eq(name, value string) crm.FilterInput { return filter(name, crm.OpEQ, value) }

func filter(name, op, value string) crm.FilterInput {
	return crm.FilterInput{PropertyName: ptr(name), Operator: ptr(op), Value: ptr(value)}
}
