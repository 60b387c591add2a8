package web

import (
	"html"
	"net/http"
	"net/url"
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
	t, v, rec, msgs, err := h.recordMessages(c, true, "log messages")
	if err != nil {
		return err
	}
	f := c.r.PostForm
	form := logForm{Channel: f.Get("channel"), Body: f.Get("body"), Time: f.Get("time"), Owner: f.Get("owner"),
		Filter: f.Get("filter"), Submitted: true}
	if blank(form.Body) {
		// The textarea is required, but a browser lets white space through
		// and a form can be sent without the page.
		form.Error = &pageError{Status: http.StatusBadRequest, Title: "That did not work",
			Message: "The message was not logged. Write the message's text: it is empty."}
		return h.renderRecord(c, t, v, form, http.StatusBadRequest)
	}
	props := map[string]string{
		"hs_communication_channel_type": form.Channel,
		"hs_communication_logged_from":  "CRM",
		"hs_communication_body":         bodyHTML(form.Body),
		"hs_timestamp":                  h.messageTime(form.Time, f.Get("tzoffset")),
	}
	if form.Owner != "" {
		props["hubspot_owner_id"] = form.Owner
	}
	in := crm.CreateInput{Properties: props, Associations: []crm.AssociationInput{{
		ToID:  strconv.FormatInt(rec.ID, 10),
		Types: []crm.AssociationSpec{{Category: "HUBSPOT_DEFINED", TypeID: v.AssocTypeID}},
	}}}
	obj, err := h.engine.Create(ctxOf(c), c.actor(), msgs, in)
	if err != nil {
		pe := fromEngine(err, msgs)
		if pe.Status >= 500 {
			return err
		}
		pe.Message = "The message was not logged. " + pe.Message
		form.Error = pe
		return h.renderRecord(c, t, v, form, pe.Status)
	}
	// Back to the timeline as it was filtered, unless the filter would hide
	// the new message.
	to := recordURL(v, rec.ID)
	if ch := channelFilter(c, form); ch != "" && ch == form.Channel {
		to += "?" + url.Values{"channel": {ch}}.Encode()
	}
	return h.redirect(c, to+"#message-"+strconv.FormatInt(obj.ID, 10), &flash{Text: "Message logged."})
}

// bodyHTML stores typed text the way HubSpot's editor does: as HTML, with
// the text escaped and line breaks kept. hs_body_preview gives it back as text.
func bodyHTML(text string) string {
	text = strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n")
	return strings.ReplaceAll(html.EscapeString(text), "\n", "<br>\n")
}

// messageTime turns the form's date and time into hs_timestamp. The field
// holds a local time (an <input type=datetime-local>) and tzoffset the
// browser's offset from UTC in minutes, which the page's script fills in;
// without it the time is UTC. Empty means now. Anything else goes to the
// engine as typed, which refuses it with the API's message.
func (h *Handler) messageTime(v, tzoffset string) string {
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

// recordMessage finds the live message mid on the record's timeline.
func (h *Handler) recordMessage(c *call, t *crm.ObjectType, v *typeView, rec *crm.Record, mid string) (*crm.Object, error) {
	missing := notFound("This message is not on the timeline of " + v.titleOf(rec.ID, rec.Properties) + ". It may have been deleted already.")
	missing.Back, missing.BackLabel = recordURL(v, rec.ID), "Back to the timeline"
	if _, err := strconv.ParseInt(mid, 10, 64); err != nil {
		return nil, missing
	}
	one := 1
	res, err := h.engine.Search(ctxOf(c), h.messagesType(), crm.SearchRequest{
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
// message is live and associated.
func (h *Handler) pin(c *call) error {
	return h.setPin(c, c.r.PostFormValue("message"), "Message pinned to the top of the timeline.")
}

func (h *Handler) unpin(c *call) error {
	return h.setPin(c, "", "Message unpinned.")
}

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
	if mid == "" && rec.Properties[crm.PinnedProperty] == "" {
		return h.redirect(c, recordURL(v, rec.ID)+"#timeline", &flash{Text: "No message was pinned."})
	}
	if _, err := h.engine.Update(ctxOf(c), c.actor(), t, strconv.FormatInt(rec.ID, 10), "", map[string]string{crm.PinnedProperty: mid}); err != nil {
		pe := fromEngine(err, t)
		pe.Back, pe.BackLabel = recordURL(v, rec.ID), "Back to the timeline"
		return pe
	}
	return h.redirect(c, recordURL(v, rec.ID)+"#timeline", &flash{Text: done})
}

type deleteData struct {
	base
	Type        *typeView
	RecordURL   string
	RecordTitle string
	Message     messageView
	Action      string
}

// confirmDelete asks before a message goes to the recycle bin.
func (h *Handler) confirmDelete(c *call) error {
	_, v, rec, obj, err := h.deletable(c)
	if err != nil {
		return err
	}
	o, err := h.loadOwners(c)
	if err != nil {
		return err
	}
	data := &deleteData{Type: v, RecordURL: recordURL(v, rec.ID), RecordTitle: v.titleOf(rec.ID, rec.Properties), Message: h.message(obj, o)}
	data.Message.Pinned = rec.Properties[crm.PinnedProperty] == data.Message.ID
	data.Action = c.r.URL.Path
	h.fill(c, &data.base, "Delete this message?", v.Name)
	h.render(c.w, c.r, http.StatusOK, "delete", data)
	return nil
}

// deletable checks the delete scope and finds the message on the record.
func (h *Handler) deletable(c *call) (*crm.ObjectType, *typeView, *crm.Record, *crm.Object, error) {
	t, v, rec, _, err := h.recordMessages(c, true, "delete messages")
	if err != nil {
		return nil, nil, nil, nil, err
	}
	obj, err := h.recordMessage(c, t, v, rec, c.r.PathValue("mid"))
	if err != nil {
		return nil, nil, nil, nil, err
	}
	return t, v, rec, obj, nil
}

// deleteMessage archives the message, as DELETE /crm/v3/objects/communications/{id} does.
func (h *Handler) deleteMessage(c *call) error {
	_, v, rec, obj, err := h.deletable(c)
	if err != nil {
		return err
	}
	if err := h.engine.Archive(ctxOf(c), h.messagesType(), strconv.FormatInt(obj.ID, 10)); err != nil {
		return err
	}
	return h.redirect(c, recordURL(v, rec.ID)+"#timeline", &flash{Text: "Message deleted.",
		LinkText: "Open the recycle bin to restore it", LinkURL: recordURL(v, rec.ID) + "/recycle-bin"})
}

type binData struct {
	base
	Type       *typeView
	Heading    string
	Intro      string
	IsMessages bool
	Messages   []messageView
	Records    []binRecord
	Total      int
	CanRestore bool
	// RestoreURL is the form action of a record's restore button, less "{id}/restore".
	RestoreURL string
	NextURL    string
	PrevURL    string
	Back       string
	BackLabel  string
}

type binRecord struct {
	ID       string
	Title    string
	Archived timeView
}

func binOffset(c *call) int {
	n, _ := strconv.Atoi(c.r.URL.Query().Get("offset"))
	return max(n, 0)
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

// recordRecycleBin lists the deleted messages of one record.
func (h *Handler) recordRecycleBin(c *call) error {
	t, v, rec, msgs, err := h.recordMessages(c, false, "read messages")
	if err != nil {
		return err
	}
	o, err := h.loadOwners(c)
	if err != nil {
		return err
	}
	offset := binOffset(c)
	page, err := h.engine.RecycleBin(ctxOf(c), msgs, crm.RecycleBinQuery{AssociatedWith: t, AssociatedID: rec.ID, Offset: offset, Limit: binPageSize})
	if err != nil {
		return err
	}
	title := v.titleOf(rec.ID, rec.Properties)
	url := recordURL(v, rec.ID)
	data := &binData{Type: messagesView, Heading: "Deleted messages of " + title, IsMessages: true, Total: page.Total,
		Intro:      "Messages deleted from this " + v.Singular + "'s timeline in the last " + strconv.Itoa(crm.RecycleBinDays) + " days. Restoring one brings it back onto the timeline with its associations.",
		CanRestore: c.canWrite(msgs), RestoreURL: url + "/recycle-bin/", Back: url, BackLabel: "Back to " + title}
	h.fill(c, &data.base, "Recycle bin: "+title, v.Name)
	for _, obj := range page.Records {
		data.Messages = append(data.Messages, h.message(obj, o))
	}
	data.pages(url+"/recycle-bin", offset, len(page.Records))
	h.render(c.w, c.r, http.StatusOK, "recyclebin", data)
	return nil
}

// restoreFromRecordBin restores a message and returns to the record's timeline.
func (h *Handler) restoreFromRecordBin(c *call) error {
	_, v, rec, msgs, err := h.recordMessages(c, true, "restore messages")
	if err != nil {
		return err
	}
	back := recordURL(v, rec.ID)
	obj, err := h.restore(c, msgs, c.r.PathValue("mid"), back+"/recycle-bin")
	if err != nil {
		return err
	}
	return h.redirect(c, back+"#message-"+strconv.FormatInt(obj.ID, 10), &flash{Text: "Message restored."})
}

// restore brings a record back with Engine.Restore, as POST
// /_spoke/objects/{type}/{id}/restore does.
func (h *Handler) restore(c *call, t *crm.ObjectType, id, back string) (*crm.Object, error) {
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

// typeRecycleBin lists every archived record of a type (communications: every deleted message).
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
	data := &binData{Type: v, Heading: "Deleted " + strings.ToLower(v.Label), IsMessages: v == messagesView, Total: page.Total,
		Intro:      capitalize(strings.ToLower(v.Label)) + " deleted in the last " + strconv.Itoa(crm.RecycleBinDays) + " days. Restoring one brings it back with its associations to records that still exist.",
		CanRestore: c.canWrite(t), RestoreURL: url + "/"}
	if v != messagesView {
		data.Back, data.BackLabel = Prefix+v.Name, "Back to "+strings.ToLower(v.Label)
	}
	h.fill(c, &data.base, data.Heading, v.Name)
	for _, obj := range page.Records {
		if data.IsMessages {
			data.Messages = append(data.Messages, h.message(obj, o))
		} else {
			data.Records = append(data.Records, binRecord{ID: strconv.FormatInt(obj.ID, 10), Title: v.titleOf(obj.ID, obj.Properties), Archived: timeOf(obj.ArchivedAt)})
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
	if v != messagesView {
		f.LinkText, f.LinkURL = "Open "+v.titleOf(obj.ID, obj.Properties), recordURL(v, obj.ID)
	}
	return h.redirect(c, url, f)
}

// recordMessages resolves the record of the path for work on its messages:
// the token must be able to write messages (read them when !write), or the
// answer is a 403 naming action.
func (h *Handler) recordMessages(c *call, write bool, action string) (*crm.ObjectType, *typeView, *crm.Record, *crm.ObjectType, error) {
	t, v, err := h.resolve(c, false)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	msgs := h.messagesType()
	if write && !c.canWrite(msgs) {
		return nil, nil, nil, nil, forbidden(action, msgs.WriteScopes)
	}
	if !write && !c.canRead(msgs) {
		return nil, nil, nil, nil, forbidden(action, msgs.ReadScopes)
	}
	rec, err := h.loadRecord(c, t, v)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	return t, v, rec, msgs, nil
}
