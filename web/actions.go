package web

import (
	"errors"
	"html"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// binPageSize is how many archived records a recycle-bin page shows.
const binPageSize = 25

// logMessage creates a message associated with the record (inline
// association, as POST /crm/v3/objects/communications does), or shows the
// record page again with the domain's objections and the typed input.
func (h *Handler) logMessage(c *call) error {
	t, v, rec, msgs, err := h.recordActivity(c, messagesView, true, "log messages")
	if err != nil {
		return err
	}
	f := c.r.PostForm
	form := logForm{Channel: f.Get("channel"), Body: f.Get("body"), Time: f.Get("time"), Owner: f.Get("owner"), Submitted: true}
	filter := h.formFilter(c)
	refuse := func(pe *pageError) error {
		form.Error = pe
		return h.renderRecord(c, t, v, recordInput{Message: form, Filter: &filter}, pe.Status)
	}
	if blank(form.Body) {
		// The textarea is required, but a browser lets white space through
		// and a form can be sent without the page.
		return refuse(&pageError{Status: http.StatusBadRequest, Title: "That did not work",
			Message: "The message was not logged. Write the message's text: it is empty."})
	}
	props := map[string]string{
		"hs_communication_channel_type": form.Channel,
		"hs_communication_logged_from":  "CRM",
		"hs_communication_body":         bodyHTML(form.Body),
		"hs_timestamp":                  h.formTime(form.Time, f.Get("tzoffset")),
	}
	if pe, err := h.deactivatedOwner(c, form.Owner); err != nil || pe != nil {
		if err != nil {
			return err
		}
		pe.Message = "The message was not logged. " + pe.Message
		return refuse(pe)
	}
	obj, pe, err := h.createOn(c, msgs, t, rec, props, form.Owner)
	if err != nil {
		return err
	}
	if pe != nil {
		pe.Message = "The message was not logged. " + pe.Message
		return refuse(pe)
	}
	return h.redirect(c, h.afterCreate(v, rec, filter, messagesView, form.Channel, obj), &flash{Text: "Message logged."})
}

// addNote creates a note associated with the record, as POST
// /crm/v3/objects/notes with an inline association does.
func (h *Handler) addNote(c *call) error {
	notes := activityBySegment("notes")
	t, v, rec, nt, err := h.recordActivity(c, notes, true, "add notes")
	if err != nil {
		return err
	}
	f := c.r.PostForm
	form := noteForm{Body: f.Get("body"), Time: f.Get("time"), Owner: f.Get("owner"), Submitted: true}
	filter := h.formFilter(c)
	refuse := func(pe *pageError) error {
		form.Error = pe
		return h.renderRecord(c, t, v, recordInput{Note: form, Filter: &filter}, pe.Status)
	}
	if blank(form.Body) {
		return refuse(&pageError{Status: http.StatusBadRequest, Title: "That did not work",
			Message: "The note was not added. Write the note's text: it is empty."})
	}
	props := map[string]string{
		"hs_note_body": bodyHTML(form.Body),
		"hs_timestamp": h.formTime(form.Time, f.Get("tzoffset")),
	}
	if pe, err := h.deactivatedOwner(c, form.Owner); err != nil || pe != nil {
		if err != nil {
			return err
		}
		pe.Message = "The note was not added. " + pe.Message
		return refuse(pe)
	}
	obj, pe, err := h.createOn(c, nt, t, rec, props, form.Owner)
	if err != nil {
		return err
	}
	if pe != nil {
		pe.Message = "The note was not added. " + pe.Message
		return refuse(pe)
	}
	return h.redirect(c, h.afterCreate(v, rec, filter, notes, "", obj), &flash{Text: "Note added."})
}

// deactivatedOwner refuses, by name, an owner a form chose who has been
// deactivated since the page was loaded (the engine would refuse the id,
// which means nothing to a person). Only tokens that may read owners know
// their names; for the others the engine's words stand.
func (h *Handler) deactivatedOwner(c *call, id string) (*pageError, error) {
	if id == "" {
		return nil, nil
	}
	o, err := h.loadOwners(c)
	if err != nil || !o.deactivated(id) {
		return nil, err
	}
	return &pageError{Status: http.StatusBadRequest, Title: "That did not work", Message: "Some values were not valid.",
		Details: []string{"Owner: " + o.name(id) + " is deactivated. Choose another owner."}}, nil
}

// createOn creates an engagement of type et associated with the record
// (HubSpot's default association type between them). A refusal by the
// domain comes back as a page error to show beside the form.
func (h *Handler) createOn(c *call, et, t *crm.ObjectType, rec *crm.Record, props map[string]string, owner string) (*crm.Object, *pageError, error) {
	if owner != "" {
		props["hubspot_owner_id"] = owner
	}
	assoc := h.engine.Assoc.Default(et.ID, t.ID)
	if assoc == nil {
		return nil, nil, errors.New("web: no association type from " + et.Name + " to " + t.Name)
	}
	in := crm.CreateInput{Properties: props, Associations: []crm.AssociationInput{{
		ToID: strconv.FormatInt(rec.ID, 10), Types: []crm.AssociationSpec{assoc.Spec()},
	}}}
	obj, err := h.engine.Create(ctxOf(c), c.actor(), et, in)
	if err != nil {
		pe := fromEngine(err, et)
		if pe.Status >= 500 {
			return nil, nil, err
		}
		return nil, pe, nil
	}
	return obj, nil, nil
}

// afterCreate is where the page goes after a new entry: back to the
// timeline as it was filtered, unless the filter would hide the entry.
func (h *Handler) afterCreate(v *typeView, rec *crm.Record, filter timelineFilter, kind *typeView, channel string, obj *crm.Object) string {
	if !filter.shows(kind, channel) {
		filter = timelineFilter{}
	}
	return filteredURL(v, rec, filter) + "#" + kind.anchor(strconv.FormatInt(obj.ID, 10))
}

// filteredURL is the record's page showing the timeline as filter filters it.
func filteredURL(v *typeView, rec *crm.Record, filter timelineFilter) string {
	return recordURL(v, rec.ID) + timelineQuery(filter, nil)
}

// timelineQuery is the query ("?channel=SMS&before=…&id=…", or "") of the
// timeline page that filter and cursor (nil: the newest page) show.
func timelineQuery(filter timelineFilter, cursor *timelineCursor) string {
	q := filter.values()
	for k, vs := range cursor.values() {
		q[k] = vs
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// formFilter is the timeline filter a form was sent from (its hidden
// filter_type and filter fields).
func (h *Handler) formFilter(c *call) timelineFilter {
	return parseFilter(c.r.PostFormValue("filter_type"), c.r.PostFormValue("filter"), h.readableActivities(c))
}

// bodyHTML stores typed text the way HubSpot's editor does: as HTML, with
// the text escaped and line breaks kept. hs_body_preview gives it back as text.
func bodyHTML(text string) string {
	text = strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n")
	return strings.ReplaceAll(html.EscapeString(text), "\n", "<br>\n")
}

// formTime turns the form's date and time into hs_timestamp. The field
// holds a local time (an <input type=datetime-local>) and tzoffset the
// browser's offset from UTC in minutes, which the page's script fills in;
// without it the time is UTC. Empty means now. Anything else goes to the
// engine as typed, which refuses it with the API's message.
func (h *Handler) formTime(v, tzoffset string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return crm.FormatTime(h.now())
	}
	offset, err := strconv.Atoi(strings.TrimSpace(tzoffset))
	if err != nil || offset < -18*60 || offset > 18*60 {
		offset = 0
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, v); err == nil {
			return crm.FormatTime(t.Add(-time.Duration(offset) * time.Minute))
		}
	}
	return v
}

// recordEntry finds the live engagement mid of type et on the record's timeline.
func (h *Handler) recordEntry(c *call, t *crm.ObjectType, v *typeView, rec *crm.Record, kind *typeView, et *crm.ObjectType, mid string) (*crm.Object, error) {
	missing := notFound("This " + kind.Singular + " is not on the timeline of " + v.titleOf(rec.ID, rec.Properties) + ". It may have been deleted already.")
	missing.Back, missing.BackLabel = recordURL(v, rec.ID), "Back to the timeline"
	if _, ok := crm.ParseID(mid); !ok {
		return nil, missing
	}
	one := 1
	res, err := h.engine.Search(ctxOf(c), et, crm.SearchRequest{
		FilterGroups: [][]crm.FilterInput{{eq("associations."+t.Singular, strconv.FormatInt(rec.ID, 10)), eq("hs_object_id", mid)}},
		Limit:        &one,
	})
	if err != nil {
		return nil, err
	}
	if len(res.Records) == 0 {
		return nil, missing
	}
	return res.Records[0].Object, nil
}

// pin sets the record's hs_pinned_engagement_id; the engine checks that the
// engagement is live and associated.
func (h *Handler) pin(c *call) error {
	return h.setPin(c, c.r.PostFormValue("engagement"), "pinned to the top of the timeline.")
}

// unpin clears the record's pin. The form names the entry its page showed
// as pinned: if another has been pinned since (on another page or through
// the API), that newer pin stays.
func (h *Handler) unpin(c *call) error {
	return h.setPin(c, "", "unpinned.")
}

// setPin pins mid ("" unpins). The form's kind names the engagement's type
// for the notice only.
func (h *Handler) setPin(c *call, mid, done string) error {
	t, v, err := h.resolve(c, false)
	if err != nil {
		return err
	}
	if !c.canWrite(t) {
		return forbidden("change "+strings.ToLower(v.Label), t.WriteScopes)
	}
	rec, err := h.loadRecord(c, t, v)
	if err != nil {
		return err
	}
	back := filteredURL(v, rec, h.formFilter(c))
	what := "Activity"
	if kind := activityBySegment(c.r.PostFormValue("kind")); kind != nil {
		what = capitalize(kind.Singular)
	}
	pinned := rec.Properties[crm.PinnedProperty]
	if mid == "" && pinned == "" {
		return h.redirect(c, back+"#timeline", &flash{Text: "Nothing was pinned."})
	}
	if shown := c.r.PostFormValue("engagement"); mid == "" && shown != "" && shown != pinned {
		return h.redirect(c, back+"#timeline", &flash{
			Text: "That " + strings.ToLower(what) + " is not pinned any more: another entry was pinned after your page was loaded. Nothing was unpinned."})
	}
	if _, err := h.engine.Update(ctxOf(c), c.actor(), t, strconv.FormatInt(rec.ID, 10), "", map[string]string{crm.PinnedProperty: mid}); err != nil {
		pe := fromEngine(err, t)
		pe.Back, pe.BackLabel = recordURL(v, rec.ID), "Back to the timeline"
		return pe
	}
	return h.redirect(c, back+"#timeline", &flash{Text: what + " " + done})
}

type deleteData struct {
	base
	Type        *typeView
	RecordURL   string
	RecordTitle string
	// Created names the record in the form (recordCreated).
	Created string
	// Filter and Cursor are the timeline page the question was asked from
	// (its filter, and where it starts when older); BackURL that page.
	Filter  timelineFilter
	Cursor  *timelineCursor
	BackURL string
	Entry   entryView
	Action  string
}

// confirmDelete asks before an engagement goes to the recycle bin.
func (h *Handler) confirmDelete(c *call) error {
	_, v, rec, kind, et, obj, err := h.deletable(c)
	if err != nil {
		return err
	}
	o, err := h.loadOwners(c)
	if err != nil {
		return err
	}
	data := &deleteData{Type: v, RecordURL: recordURL(v, rec.ID), RecordTitle: v.titleOf(rec.ID, rec.Properties), Created: recordCreated(rec),
		Entry: h.entry(kind, et, obj, o)}
	data.Entry.Pinned = rec.Properties[crm.PinnedProperty] == data.Entry.ID
	q := c.r.URL.Query()
	data.Filter = parseFilter(q.Get("type"), q.Get("channel"), h.readableActivities(c))
	data.Cursor = parseCursor(q.Get("before"), q.Get("id"))
	data.BackURL = recordURL(v, rec.ID) + timelineQuery(data.Filter, data.Cursor)
	data.Action = c.r.URL.Path
	h.fill(c, &data.base, "Delete this "+kind.Singular+"?", v.Name)
	h.render(c.w, c.r, http.StatusOK, "delete", data)
	return nil
}

// deletable checks the delete scope and finds the engagement on the record.
func (h *Handler) deletable(c *call) (*crm.ObjectType, *typeView, *crm.Record, *typeView, *crm.ObjectType, *crm.Object, error) {
	kind := activityBySegment(c.r.PathValue("kind"))
	if kind == nil {
		return nil, nil, nil, nil, nil, nil, notFound("There is no page at this address.")
	}
	t, v, rec, et, err := h.recordActivity(c, kind, true, "delete "+strings.ToLower(kind.Label))
	if err != nil {
		return nil, nil, nil, nil, nil, nil, err
	}
	obj, err := h.recordEntry(c, t, v, rec, kind, et, c.r.PathValue("mid"))
	if err != nil {
		return nil, nil, nil, nil, nil, nil, err
	}
	return t, v, rec, kind, et, obj, nil
}

// deleteEntry archives the engagement, as DELETE /crm/v3/objects/{type}/{id} does.
func (h *Handler) deleteEntry(c *call) error {
	_, v, rec, kind, et, obj, err := h.deletable(c)
	if err != nil {
		return err
	}
	if err := h.engine.Archive(ctxOf(c), et, strconv.FormatInt(obj.ID, 10)); err != nil {
		return err
	}
	f := &flash{Text: capitalize(kind.Singular) + " deleted."}
	if et.NotRestorable {
		f.Text += " Deleted " + strings.ToLower(kind.Label) + " cannot be restored."
	} else {
		f.LinkText, f.LinkURL = "Open the recycle bin to restore it", recordURL(v, rec.ID)+"/recycle-bin"
	}
	cursor := parseCursor(c.r.PostFormValue("before"), c.r.PostFormValue("id"))
	return h.redirect(c, recordURL(v, rec.ID)+timelineQuery(h.formFilter(c), cursor)+"#timeline", f)
}

type binData struct {
	base
	Type    *typeView
	Heading string
	Intro   string
	// IsActivity says the bin lists engagements (Entries), not records.
	IsActivity bool
	Entries    []entryView
	Records    []binRecord
	Total      int
	// CanRestore and RestoreURL are for records: the token may restore
	// them, and a restore button's action, less "{id}/restore".
	CanRestore bool
	RestoreURL string
	// RecordCreated names the record of a record's bin in its forms
	// (recordCreated); "" for a type's bin.
	RecordCreated string
	// Tabs lead to the recycle bins of the other engagement types.
	Tabs      []navLink
	NextURL   string
	PrevURL   string
	Back      string
	BackLabel string
}

type binRecord struct {
	ID       string
	Title    string
	Archived timeView
	// Created names the record in its restore form (epoch ms).
	Created string
}

// maxBinOffset bounds a recycle bin page's offset.
const maxBinOffset = 1 << 30

func binOffset(c *call) int {
	n, _ := strconv.Atoi(c.r.URL.Query().Get("offset"))
	return min(max(n, 0), maxBinOffset)
}

func (d *binData) pages(base string, offset, shown int) {
	if offset+shown < d.Total {
		d.NextURL = base + "?offset=" + strconv.Itoa(offset+binPageSize)
	}
	if offset > 0 {
		d.PrevURL = base
		if offset > binPageSize {
			d.PrevURL += "?offset=" + strconv.Itoa(offset-binPageSize)
		}
	}
}

// binEntry is an archived engagement in a recycle bin, with its restore
// button when the token may write its type and the type can be restored.
func (h *Handler) binEntry(c *call, kind *typeView, et *crm.ObjectType, obj *crm.Object, o *owners, restoreURL string) entryView {
	e := h.entry(kind, et, obj, o)
	if e.Restorable && c.canWrite(et) {
		e.RestoreURL = restoreURL
	}
	return e
}

// recordRecycleBin lists the engagements deleted from one record's
// timeline, of every type the token may read, most recently deleted first.
func (h *Handler) recordRecycleBin(c *call) error {
	t, v, err := h.resolve(c, false)
	if err != nil {
		return err
	}
	readable := h.readableActivities(c)
	if len(readable) == 0 {
		return forbidden("read activity", h.typeOf(messagesView).ReadScopes)
	}
	rec, err := h.loadRecord(c, t, v)
	if err != nil {
		return err
	}
	o, err := h.loadOwners(c)
	if err != nil {
		return err
	}
	offset := binOffset(c)
	type archived struct {
		kind *typeView
		et   *crm.ObjectType
		obj  *crm.Object
	}
	var all []archived
	total := 0
	for _, kind := range readable {
		et := h.typeOf(kind)
		page, err := h.engine.RecycleBin(ctxOf(c), et, crm.RecycleBinQuery{AssociatedWith: t, AssociatedID: rec.ID, Limit: offset + binPageSize})
		if err != nil {
			return err
		}
		total += page.Total
		for _, obj := range page.Records {
			all = append(all, archived{kind, et, obj})
		}
	}
	// The engine's order, across types: most recently deleted first, then by id.
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i].obj, all[j].obj
		if !a.ArchivedAt.Equal(b.ArchivedAt) {
			return a.ArchivedAt.After(b.ArchivedAt)
		}
		return a.ID > b.ID
	})
	title := v.titleOf(rec.ID, rec.Properties)
	url := recordURL(v, rec.ID)
	data := &binData{Type: v, Heading: "Deleted activity of " + title, IsActivity: true, Total: total,
		Intro: "Messages, notes, calls, emails, meetings, tasks and postal mail deleted from this " + v.Singular + "'s timeline in the last " +
			strconv.Itoa(crm.RecycleBinDays) + " days. Restoring one brings it back onto the timeline with its associations; deleted emails cannot be restored.",
		Back: url, BackLabel: "Back to " + title, RecordCreated: recordCreated(rec)}
	h.fill(c, &data.base, "Recycle bin: "+title, v.Name)
	for _, a := range all[min(offset, len(all)):min(offset+binPageSize, len(all))] {
		id := strconv.FormatInt(a.obj.ID, 10)
		data.Entries = append(data.Entries, h.binEntry(c, a.kind, a.et, a.obj, o, url+"/recycle-bin/"+a.kind.Segment+"/"+id+"/restore"))
	}
	data.pages(url+"/recycle-bin", offset, len(data.Entries))
	h.render(c.w, c.r, http.StatusOK, "recyclebin", data)
	return nil
}

// restoreFromRecordBin restores an engagement and returns to the record's timeline.
func (h *Handler) restoreFromRecordBin(c *call) error {
	kind := activityBySegment(c.r.PathValue("kind"))
	if kind == nil {
		return notFound("There is no page at this address.")
	}
	_, v, rec, et, err := h.recordActivity(c, kind, true, "restore "+strings.ToLower(kind.Label))
	if err != nil {
		return err
	}
	back := recordURL(v, rec.ID)
	obj, err := h.restore(c, et, c.r.PathValue("mid"), back+"/recycle-bin")
	if err != nil {
		return err
	}
	return h.redirect(c, back+"#"+kind.anchor(strconv.FormatInt(obj.ID, 10)), &flash{Text: capitalize(kind.Singular) + " restored."})
}

// restore brings a record back with Engine.Restore, as POST
// /_spoke/objects/{type}/{id}/restore does. A recycle bin's form names the
// creation time of what it shows (created): if the id now names another
// deleted record (the data was reset or seeded again since the page was
// loaded), nothing is restored.
func (h *Handler) restore(c *call, t *crm.ObjectType, id, back string) (*crm.Object, error) {
	if shown := c.r.PostFormValue("created"); shown != "" {
		binned, err := h.engine.Get(ctxOf(c), t, id, crm.ReadOptions{Archived: true})
		if err != nil && crm.AsError(err).Kind != crm.KindNotFound {
			return nil, err
		}
		if err == nil && strconv.FormatInt(binned.ID, 10) == id && strconv.FormatInt(binned.CreatedAt.UnixMilli(), 10) != shown {
			v := viewOfType(t)
			return nil, &pageError{Status: http.StatusConflict, Title: "Conflict", Back: back, BackLabel: "Back to the recycle bin",
				Message: "Nothing was restored: the deleted " + v.Singular + " " + id + " is not the one your page showed (the data was reset or seeded again since). Reload the recycle bin and try again."}
		}
	}
	obj, err := h.engine.Restore(ctxOf(c), c.actor(), t, id)
	if err != nil {
		pe := fromEngine(err, t)
		if crm.AsError(err).Kind == crm.KindNotFound {
			pe.Message = "That is not in the recycle bin any more: it was restored already, or deleted for good after " + strconv.Itoa(crm.RecycleBinDays) + " days."
		}
		pe.Back, pe.BackLabel = back, "Back to the recycle bin"
		return nil, pe
	}
	return obj, nil
}

// typeRecycleBin lists every archived record of a type; for an engagement
// type, every deleted engagement of it, with tabs to the other types' bins.
func (h *Handler) typeRecycleBin(c *call) error {
	t, v, err := h.resolve(c, true)
	if err != nil {
		return err
	}
	o, err := h.loadOwners(c)
	if err != nil {
		return err
	}
	offset := binOffset(c)
	page, err := h.engine.RecycleBin(ctxOf(c), t, crm.RecycleBinQuery{Offset: offset, Limit: binPageSize})
	if err != nil {
		return err
	}
	url := Prefix + v.Name + "/recycle-bin"
	isActivity := v.Segment != ""
	data := &binData{Type: v, Heading: "Deleted " + strings.ToLower(v.Label), IsActivity: isActivity, Total: page.Total,
		Intro:      capitalize(strings.ToLower(v.Label)) + " deleted in the last " + strconv.Itoa(crm.RecycleBinDays) + " days. Restoring one brings it back with its associations to records that still exist.",
		CanRestore: c.canWrite(t), RestoreURL: url + "/"}
	if t.NotRestorable {
		data.Intro = capitalize(strings.ToLower(v.Label)) + " deleted in the last " + strconv.Itoa(crm.RecycleBinDays) + " days. Deleted " + strings.ToLower(v.Label) + " cannot be restored."
	}
	if isActivity {
		for _, other := range h.readableActivities(c) {
			data.Tabs = append(data.Tabs, navLink{Label: other.Label, URL: Prefix + other.Name + "/recycle-bin", Current: other == v})
		}
	} else {
		data.Back, data.BackLabel = Prefix+v.Name, "Back to "+strings.ToLower(v.Label)
	}
	h.fill(c, &data.base, data.Heading, v.Name)
	for _, obj := range page.Records {
		id := strconv.FormatInt(obj.ID, 10)
		if isActivity {
			data.Entries = append(data.Entries, h.binEntry(c, v, t, obj, o, url+"/"+id+"/restore"))
		} else {
			data.Records = append(data.Records, binRecord{ID: id, Title: v.titleOf(obj.ID, obj.Properties), Archived: timeOf(obj.ArchivedAt),
				Created: strconv.FormatInt(obj.CreatedAt.UnixMilli(), 10)})
		}
	}
	data.pages(url, offset, len(page.Records))
	h.render(c.w, c.r, http.StatusOK, "recyclebin", data)
	return nil
}

// restoreFromTypeBin restores a record from its type's recycle bin.
func (h *Handler) restoreFromTypeBin(c *call) error {
	t, v, err := h.resolve(c, true)
	if err != nil {
		return err
	}
	if !c.canWrite(t) {
		return forbidden("restore "+strings.ToLower(v.Label), t.WriteScopes)
	}
	url := Prefix + v.Name + "/recycle-bin"
	obj, err := h.restore(c, t, c.r.PathValue("id"), url)
	if err != nil {
		return err
	}
	f := &flash{Text: capitalize(v.Singular) + " restored."}
	if v.Segment == "" {
		f.LinkText, f.LinkURL = "Open "+v.titleOf(obj.ID, obj.Properties), recordURL(v, obj.ID)
	}
	return h.redirect(c, url, f)
}

// recordActivity resolves the record of the path for work on its
// engagements of type kind: the token must be able to write them (read
// them when !write), or the answer is a 403 naming action.
func (h *Handler) recordActivity(c *call, kind *typeView, write bool, action string) (*crm.ObjectType, *typeView, *crm.Record, *crm.ObjectType, error) {
	t, v, err := h.resolve(c, false)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	et := h.typeOf(kind)
	if write && !c.canWrite(et) {
		return nil, nil, nil, nil, forbidden(action, et.WriteScopes)
	}
	if !write && !c.canRead(et) {
		return nil, nil, nil, nil, forbidden(action, et.ReadScopes)
	}
	rec, err := h.loadRecord(c, t, v)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	return t, v, rec, et, nil
}
