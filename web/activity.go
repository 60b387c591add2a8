package web

import (
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// Engagement type ids the pages show on timelines.
const (
	communicationsID = "0-18"
	notesID          = "0-46"
	callsID          = "0-48"
	emailsID         = "0-49"
	meetingsID       = "0-47"
	tasksID          = "0-27"
	postalMailID     = "0-116"
)

// activityTypes are the engagement types on a record's timeline, in the
// order of the timeline's type filter. Name is the crm name (the recycle
// bin's address); Segment names the type on the record page (its filter
// and its entries' addresses); Key names its icon and colour.
var activityTypes = []*typeView{
	messagesView,
	{ID: notesID, Name: "notes", Label: "Notes", Singular: "note", Segment: "notes", Key: "note", Body: "hs_note_body"},
	{ID: callsID, Name: "calls", Label: "Calls", Singular: "call", Segment: "calls", Key: "call", Summary: callSummary},
	{ID: emailsID, Name: "emails", Label: "Emails", Singular: "email", Segment: "emails", Key: "email", Summary: emailSummary},
	{ID: meetingsID, Name: "meetings", Label: "Meetings", Singular: "meeting", Segment: "meetings", Key: "meeting", Summary: meetingSummary},
	{ID: tasksID, Name: "tasks", Label: "Tasks", Singular: "task", Segment: "tasks", Key: "task", Summary: taskSummary},
	{ID: postalMailID, Name: "postal_mail", Label: "Postal mail", Singular: "postal mail", Segment: "postal-mail", Key: "postal-mail", Body: "hs_postal_mail_body"},
}

// messagesView is the communications type: messages on WhatsApp, LinkedIn
// and SMS, each shown with its channel.
var messagesView = &typeView{ID: communicationsID, Name: "communications", Label: "Messages", Singular: "message",
	Segment: "messages", Key: "message", Body: "hs_communication_body"}

// activityBySegment finds an engagement type by its record-page name.
func activityBySegment(segment string) *typeView {
	for _, v := range activityTypes {
		if v.Segment == segment {
			return v
		}
	}
	return nil
}

// anchor is the element id of an entry of this type: "note-123".
func (v *typeView) anchor(id string) string {
	return strings.ReplaceAll(v.Singular, " ", "-") + "-" + id
}

// summaryPart is one piece of an entry's one-line summary: words, or an
// instant or a duration in a <time> element.
type summaryPart struct {
	Prefix string
	Text   string
	Time   timeView
	// End is the end of a span of time that starts at Time.
	End timeView
	// Duration is an ISO 8601 duration ("PT4M5S") for a <time> element.
	Duration string
}

// entryView is one engagement on a timeline, in a recycle bin or on the
// delete question.
type entryView struct {
	ID   string
	Type *typeView
	// Anchor is the element id on the timeline ("message-12", "call-13").
	Anchor string
	// Key names the icon and colour: the channel's for messages
	// (whatsapp, linkedin, sms, other), the type's for the others.
	Key string
	// Label is what the entry is, in words, beside its icon: a message's
	// channel, or the type ("Note", "Call").
	Label string
	// Noun names the entry in sentences: "WhatsApp message", "call".
	Noun string
	// Body is the sanitised HTML body of messages, notes and postal mail;
	// HasBody says the type shows one, Empty that it shows no text.
	Body    template.HTML
	HasBody bool
	Empty   bool
	// Summary is the one-line summary of calls, emails, meetings and tasks.
	Summary []summaryPart
	Time    timeView
	// TimeInSummary says the summary shows the entry's time (a task's due
	// date, a meeting's start), so the header does not repeat it.
	TimeInSummary bool
	Owner         string
	// Created is the engagement's creation time in epoch ms, which names it
	// in a recycle bin's restore form.
	Created  string
	Pinned   bool
	Archived timeView
	// CanDelete and Restorable: the token may delete entries of the type;
	// entries of the type can come back from the recycle bin.
	CanDelete  bool
	Restorable bool
	// DeleteURL asks before deleting the entry from the record's timeline.
	DeleteURL string
	// RestoreURL restores the entry from a recycle bin; "" when the token
	// may not or the type cannot be restored.
	RestoreURL string
}

// Name is what the entry is, capitalised for the start of a sentence or a
// label: "WhatsApp message", "Note".
func (e entryView) Name() string { return capitalize(e.Noun) }

// entry builds the view of an engagement of the type v.
func (h *Handler) entry(v *typeView, t *crm.ObjectType, obj *crm.Object, o *owners) entryView {
	p := obj.Properties
	id := strconv.FormatInt(obj.ID, 10)
	e := entryView{
		ID: id, Type: v, Anchor: v.anchor(id), Key: v.Key, Label: capitalize(v.Singular), Noun: v.Singular,
		Time:       timeOfValue(p["hs_timestamp"]),
		Owner:      o.name(p["hubspot_owner_id"]),
		Created:    strconv.FormatInt(obj.CreatedAt.UnixMilli(), 10),
		Restorable: !t.NotRestorable,
	}
	if v == messagesView {
		ch := h.channel(p["hs_communication_channel_type"])
		e.Key, e.Label, e.Noun = ch.Key, ch.Label, ch.Label+" message"
	}
	if v.Body != "" {
		e.HasBody = true
		e.Body, e.Empty = messageBody(p[v.Body])
	}
	if v.Summary != nil {
		e.Summary, e.TimeInSummary = v.Summary(t, p)
	}
	if obj.Archived {
		e.Archived = timeOf(obj.ArchivedAt)
	}
	return e
}

// optionLabel is the label of an enumeration value, or the value.
func optionLabel(t *crm.ObjectType, name, v string) string {
	if p := t.Property(name); p != nil {
		for _, o := range p.Options {
			if o.Value == v {
				return o.Label
			}
		}
	}
	return v
}

// summary collects the parts of a summary that have a value.
type summary []summaryPart

func (s *summary) text(v string) {
	if v = oneLine(v); v != "" {
		*s = append(*s, summaryPart{Text: v})
	}
}

func (s *summary) option(t *crm.ObjectType, name, v string) {
	if v != "" {
		s.text(optionLabel(t, name, v))
	}
}

// oneLine folds white space, line breaks included, into single spaces.
func oneLine(v string) string { return strings.Join(strings.Fields(v), " ") }

// callSummary: the call's title, direction, duration and outcome (its
// status when no outcome is set).
func callSummary(t *crm.ObjectType, p map[string]string) ([]summaryPart, bool) {
	var s summary
	s.text(p["hs_call_title"])
	s.option(t, "hs_call_direction", p["hs_call_direction"])
	if text, iso, ok := formatDuration(p["hs_call_duration"]); ok {
		s = append(s, summaryPart{Text: text, Duration: iso})
	}
	if v := p["hs_call_disposition"]; v != "" {
		s.option(t, "hs_call_disposition", v)
	} else {
		s.option(t, "hs_call_status", p["hs_call_status"])
	}
	return s, false
}

// emailSummary: the email's subject and direction.
func emailSummary(t *crm.ObjectType, p map[string]string) ([]summaryPart, bool) {
	var s summary
	s.text(first(oneLine(p["hs_email_subject"]), "(no subject)"))
	s.option(t, "hs_email_direction", p["hs_email_direction"])
	return s, false
}

// meetingSummary: the meeting's title, its start (and end) time and its
// outcome. An end on the start's day shows its time only. When the meeting
// starts at its hs_timestamp, as it usually does, the header leaves the
// time out.
func meetingSummary(t *crm.ObjectType, p map[string]string) ([]summaryPart, bool) {
	var s summary
	s.text(first(oneLine(p["hs_meeting_title"]), "(no title)"))
	inSummary := false
	if start := p["hs_meeting_start_time"]; start != "" {
		part := summaryPart{Time: timeOfValue(start)}
		if end := p["hs_meeting_end_time"]; end != "" {
			part.End = timeOfValue(end)
			from, ok1 := crm.ParseInstant(start)
			to, ok2 := crm.ParseInstant(end)
			if ok1 && ok2 && from.UTC().Format(time.DateOnly) == to.UTC().Format(time.DateOnly) {
				part.End.Text = to.UTC().Format("15:04") + " UTC"
			}
		}
		s = append(s, part)
		at, ok := crm.ParseInstant(p["hs_timestamp"])
		from, ok2 := crm.ParseInstant(start)
		inSummary = ok && ok2 && at.Equal(from)
	}
	s.option(t, "hs_meeting_outcome", p["hs_meeting_outcome"])
	return s, inSummary
}

// taskSummary: the task's subject, status and due date (its hs_timestamp,
// which the header then leaves out).
func taskSummary(t *crm.ObjectType, p map[string]string) ([]summaryPart, bool) {
	var s summary
	s.text(first(oneLine(p["hs_task_subject"]), "(no title)"))
	s.option(t, "hs_task_status", p["hs_task_status"])
	due := p["hs_timestamp"]
	if due == "" {
		return s, false
	}
	return append(s, summaryPart{Prefix: "Due ", Time: timeOfValue(due)}), true
}

// formatDuration shows hs_call_duration, in milliseconds, as m:ss (h:mm:ss
// from an hour on), rounded to the second, with its ISO 8601 form.
func formatDuration(ms string) (text, iso string, ok bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(ms), 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) || f > 1e15 {
		return "", "", false
	}
	total := int64(math.Round(f / 1000))
	h, m, sec := total/3600, total/60%60, total%60
	if h > 0 {
		text = strconv.FormatInt(h, 10) + ":" + pad2(m) + ":" + pad2(sec)
	} else {
		text = strconv.FormatInt(m, 10) + ":" + pad2(sec)
	}
	iso = "PT"
	if h > 0 {
		iso += strconv.FormatInt(h, 10) + "H"
	}
	if m > 0 {
		iso += strconv.FormatInt(m, 10) + "M"
	}
	if sec > 0 || total == 0 {
		iso += strconv.FormatInt(sec, 10) + "S"
	}
	return text, iso, true
}

func pad2(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}
