package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/spoke-crm/spoke/crm"
)

// Page sizes.
const (
	listPageSize     = 25
	timelinePageSize = 25
)

// resolve finds the type named in the path among record types (and
// communications when allowMessages), and checks the read scope.
func (h *Handler) resolve(c *call, allowMessages bool) (*crm.ObjectType, *typeView, error) {
	name := c.r.PathValue("type")
	t, err := h.engine.Types.Resolve(name)
	var v *typeView
	if err == nil {
		v = viewOf(t.ID)
	}
	if v == nil || (v == messagesView && !allowMessages) {
		return nil, nil, notFound("There is no page for " + strconv.Quote(name) + ".")
	}
	if !c.canRead(t) {
		return nil, nil, forbidden("read "+strings.ToLower(v.Label), t.ReadScopes)
	}
	return t, v, nil
}

func (h *Handler) messagesType() *crm.ObjectType {
	t, _ := h.engine.Types.Resolve(communicationsID)
	return t
}

type homeData struct {
	base
	Types []homeType
}

type homeType struct {
	Label string
	URL   string
	Count int
}

func (h *Handler) home(c *call) error {
	data := &homeData{}
	h.fill(c, &data.base, "Spoke", "")
	zero := 0
	for _, v := range recordTypes {
		t, _ := h.engine.Types.Resolve(v.ID)
		if !c.canRead(t) {
			continue
		}
		res, err := h.engine.Search(ctxOf(c), t, crm.SearchRequest{Limit: &zero})
		if err != nil {
			return err
		}
		data.Types = append(data.Types, homeType{Label: v.Label, URL: Prefix + v.Name, Count: res.Total})
	}
	h.render(c.w, c.r, http.StatusOK, "home", data)
	return nil
}

type listData struct {
	base
	Type    *typeView
	Query   string
	Columns []string
	Rows    []listRow
	Total   int
	// Searched says the total is known (a search, not a plain listing).
	Searched bool
	NextURL  string
	// FirstURL leads back to the first page, from later pages.
	FirstURL string
	// Of is set when the list is the records associated with one record.
	Of *listOf
}

// listOf is the record whose associated records a list shows.
type listOf struct {
	Type  *typeView
	Title string
	URL   string
}

type listRow struct {
	Title  string
	URL    string
	Values []valueView
}

// list shows the records of a type, or those matching the search box,
// through the engine's List and Search.
func (h *Handler) list(c *call) error {
	t, v, err := h.resolve(c, false)
	if err != nil {
		return err
	}
	q := c.r.URL.Query()
	query := strings.TrimSpace(q.Get("q"))
	data := &listData{Type: v, Query: query}
	h.fill(c, &data.base, v.Label, v.Name)
	data.Columns = h.columns(t, v)
	o, err := h.loadOwners(c)
	if err != nil {
		return err
	}
	var objs []*crm.Object
	limit := listPageSize
	if query != "" {
		offset, _ := strconv.Atoi(q.Get("after"))
		offset = max(0, min(offset, crm.MaxSearchResults-limit))
		res, err := h.engine.Search(ctxOf(c), t, crm.SearchRequest{Query: query, Limit: &limit, After: strconv.Itoa(offset)})
		if err != nil {
			pe := fromEngine(err, t)
			pe.Back, pe.BackLabel = Prefix+v.Name, "Back to "+strings.ToLower(v.Label)
			return pe
		}
		data.Searched, data.Total = true, res.Total
		for _, r := range res.Records {
			objs = append(objs, r.Object)
		}
		if res.NextOffset > 0 {
			data.NextURL = Prefix + v.Name + "?" + url.Values{"q": {query}, "after": {strconv.Itoa(res.NextOffset)}}.Encode()
		}
		if offset > 0 {
			data.FirstURL = Prefix + v.Name + "?" + url.Values{"q": {query}}.Encode()
		}
	} else {
		after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
		page, err := h.engine.List(ctxOf(c), t, max(after, 0), limit, crm.ReadOptions{})
		if err != nil {
			return err
		}
		for _, r := range page.Records {
			objs = append(objs, r.Object)
		}
		if page.NextAfter > 0 {
			data.NextURL = Prefix + v.Name + "?after=" + strconv.FormatInt(page.NextAfter, 10)
		}
		if after > 0 {
			data.FirstURL = Prefix + v.Name
		}
	}
	data.Rows = h.rows(t, v, objs, o)
	h.render(c.w, c.r, http.StatusOK, "list", data)
	return nil
}

// columns are the labels of a list's columns after the title.
func (h *Handler) columns(t *crm.ObjectType, v *typeView) []string {
	var out []string
	for _, name := range v.Columns {
		out = append(out, t.Property(name).Label)
	}
	return out
}

// rows are the records of a list as shown.
func (h *Handler) rows(t *crm.ObjectType, v *typeView, objs []*crm.Object, o *owners) []listRow {
	var out []listRow
	for _, obj := range objs {
		row := listRow{Title: v.titleOf(obj.ID, obj.Properties), URL: recordURL(v, obj.ID)}
		for _, name := range v.Columns {
			row.Values = append(row.Values, value(t.Property(name), obj.Properties[name], o))
		}
		out = append(out, row)
	}
	return out
}

func recordURL(v *typeView, id int64) string {
	return Prefix + v.Name + "/" + strconv.FormatInt(id, 10)
}

// loadRecord reads the live record named in the path.
func (h *Handler) loadRecord(c *call, t *crm.ObjectType, v *typeView) (*crm.Record, error) {
	id := c.r.PathValue("id")
	rec, err := h.engine.Get(ctxOf(c), t, id, crm.ReadOptions{})
	if err != nil {
		if crm.AsError(err).Kind == crm.KindNotFound {
			pe := notFound("There is no " + v.Singular + " " + id + ". It may have been deleted.")
			pe.Back, pe.BackLabel = Prefix+v.Name, "Back to "+strings.ToLower(v.Label)
			return nil, pe
		}
		return nil, err
	}
	return rec, nil
}

type recordData struct {
	base
	Type        *typeView
	ID          string
	URL         string
	RecordTitle string
	Props       []valueView

	CanReadMessages  bool
	CanWriteMessages bool
	CanPin           bool

	Pinned   *messageView
	Messages []messageView
	Total    int
	// Older says this page is not the newest.
	Older      bool
	Filters    []navLink
	Channel    string
	NextURL    string
	NewestURL  string
	BinURL     string
	Form       logForm
	Owners     []ownerOption
	Channels   []channelView
	MessageErr *pageError
	// Associated lists the records of other types associated with this one.
	Associated []assocGroup
}

// logForm holds what the person typed into "Log a message".
type logForm struct {
	Channel string
	Body    string
	Time    string
	Owner   string
	// Filter is the timeline's channel filter when the form was shown, so
	// the page after logging keeps it.
	Filter string
	// Submitted says the form comes back after a refusal: its choices stay
	// as they were, defaults are not applied again.
	Submitted bool
	Error     *pageError
}

// channelFilter is the timeline's channel filter: the page's ?channel=, or
// the one the log form was shown with; "" for all channels.
func channelFilter(c *call, form logForm) string {
	channel := c.r.URL.Query().Get("channel")
	if channel == "" {
		channel = form.Filter
	}
	if _, ok := channelKeys[channel]; !ok {
		return ""
	}
	return channel
}

// record shows a record's main properties and its message timeline.
func (h *Handler) record(c *call) error {
	t, v, err := h.resolve(c, false)
	if err != nil {
		return err
	}
	return h.renderRecord(c, t, v, logForm{}, http.StatusOK)
}

// renderRecord renders the record page; form keeps the log form's input
// when it was refused.
func (h *Handler) renderRecord(c *call, t *crm.ObjectType, v *typeView, form logForm, status int) error {
	rec, err := h.loadRecord(c, t, v)
	if err != nil {
		return err
	}
	o, err := h.loadOwners(c)
	if err != nil {
		return err
	}
	msgs := h.messagesType()
	data := &recordData{
		Type: v, ID: strconv.FormatInt(rec.ID, 10), URL: recordURL(v, rec.ID),
		RecordTitle:      v.titleOf(rec.ID, rec.Properties),
		CanReadMessages:  c.canRead(msgs),
		CanWriteMessages: c.canWrite(msgs),
		CanPin:           c.canWrite(t),
		Form:             form,
		Owners:           o.live,
		Channels:         h.channels(),
	}
	data.Channel = channelFilter(c, form)
	data.Form.Filter = data.Channel
	if !form.Submitted {
		// A new message is most likely on the channel the timeline shows,
		// and owned by whoever owns the record.
		data.Form.Channel = first(data.Channel, crm.ChannelWhatsApp)
		if owner := rec.Properties["hubspot_owner_id"]; slices.ContainsFunc(o.live, func(x ownerOption) bool { return x.ID == owner }) {
			data.Form.Owner = owner
		}
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
	if data.CanReadMessages {
		data.BinURL = data.URL + "/recycle-bin"
		if err := h.timeline(c, t, rec, o, data); err != nil {
			return err
		}
	}
	h.render(c.w, c.r, status, "record", data)
	return nil
}

// timeline fills in one page of the record's messages, newest first by
// hs_timestamp, with the engine's search: an associations filter and a
// descending sort. Pages are search offsets ("after") as far as search
// results reach (crm.MaxSearchResults); past that they go on from the last
// message shown ("before" = its timestamp, with "skip" = how many messages
// at that timestamp were shown), so no message is out of reach.
func (h *Handler) timeline(c *call, t *crm.ObjectType, rec *crm.Record, o *owners, data *recordData) error {
	q := c.r.URL.Query()
	channel := data.Channel
	before, errBefore := strconv.ParseInt(q.Get("before"), 10, 64)
	hasBefore := q.Get("before") != "" && errBefore == nil
	offset, _ := strconv.Atoi(q.Get("after"))
	if hasBefore {
		offset, _ = strconv.Atoi(q.Get("skip"))
	}
	offset = max(0, min(offset, crm.MaxSearchResults-timelinePageSize))

	pageURL := func(channel string, extra url.Values) string {
		v := url.Values{}
		if channel != "" {
			v.Set("channel", channel)
		}
		for k, vs := range extra {
			v[k] = vs
		}
		if len(v) == 0 {
			return data.URL + "#timeline"
		}
		return data.URL + "?" + v.Encode() + "#timeline"
	}
	data.Filters = append(data.Filters, navLink{Label: "All channels", URL: pageURL("", nil), Current: channel == ""})
	for _, ch := range h.channels() {
		data.Filters = append(data.Filters, navLink{Label: ch.Label, URL: pageURL(ch.Value, nil), Current: channel == ch.Value})
	}

	msgs := h.messagesType()
	filters := []crm.FilterInput{eq("associations."+t.Singular, strconv.FormatInt(rec.ID, 10))}
	if channel != "" {
		filters = append(filters, eq("hs_communication_channel_type", channel))
	}
	if hasBefore {
		filters = append(filters, crm.FilterInput{PropertyName: ptr("hs_timestamp"), Operator: ptr(crm.OpLTE), Value: ptr(strconv.FormatInt(before, 10))})
	}
	limit := timelinePageSize
	res, err := h.engine.Search(ctxOf(c), msgs, crm.SearchRequest{
		FilterGroups: [][]crm.FilterInput{filters},
		Sorts:        []crm.SortInput{{PropertyName: "hs_timestamp", Direction: "DESCENDING"}},
		Limit:        &limit,
		After:        strconv.Itoa(offset),
	})
	if err != nil {
		return err
	}
	data.Older = hasBefore || offset > 0
	if data.Older {
		data.NewestURL = pageURL(channel, nil)
	} else {
		data.Total = res.Total
	}

	pinned := rec.Properties[crm.PinnedProperty]
	if pinned != "" && !data.Older {
		if p, err := h.engine.Get(ctxOf(c), msgs, pinned, crm.ReadOptions{}); err == nil &&
			(channel == "" || p.Properties["hs_communication_channel_type"] == channel) {
			m := h.message(p.Object, o)
			m.Pinned = true
			data.Pinned = &m
		}
	}
	for _, r := range res.Records {
		if data.Pinned != nil && strconv.FormatInt(r.ID, 10) == pinned {
			continue // shown at the top
		}
		m := h.message(r.Object, o)
		m.Pinned = m.ID == pinned
		data.Messages = append(data.Messages, m)
	}

	n := len(res.Records)
	if n == 0 || offset+n >= res.Total {
		return nil
	}
	next := url.Values{}
	last, ok := crm.ParseInstant(res.Records[n-1].Properties["hs_timestamp"])
	switch {
	case !hasBefore && offset+n+timelinePageSize <= crm.MaxSearchResults:
		next.Set("after", strconv.Itoa(offset+n))
	case !ok: // no timestamp to go on from: the next offset under the same bound
		if hasBefore {
			next.Set("before", strconv.FormatInt(before, 10))
		}
		next.Set("skip", strconv.Itoa(offset+n))
	default:
		ms := last.UnixMilli()
		same := 0
		for _, r := range res.Records {
			if ts, ok := crm.ParseInstant(r.Properties["hs_timestamp"]); ok && ts.UnixMilli() == ms {
				same++
			}
		}
		if hasBefore && ms == before {
			same += offset
		}
		next.Set("before", strconv.FormatInt(ms, 10))
		next.Set("skip", strconv.Itoa(same))
	}
	data.NextURL = pageURL(channel, next)
	return nil
}

func ptr(s string) *string { return &s }

func eq(name, value string) crm.FilterInput {
	return crm.FilterInput{PropertyName: ptr(name), Operator: ptr(crm.OpEQ), Value: ptr(value)}
}
