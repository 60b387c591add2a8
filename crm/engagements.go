package crm

import (
	"encoding/json"
	"net/mail"
	"strings"
	"time"
)

// Engagement types (HubSpot's activities). Each is a declaration: the engine,
// the API and storage treat them like any other type. Where HubSpot publishes
// no definition of a property, the choice is recorded in docs/decisions.md.

// engagement declares an engagement type: its own properties, then what every
// engagement shares (hs_timestamp, the body preview, attachments, owner and
// system properties), HubSpot's engagement scopes unless t names others, and
// the three default properties a read returns.
func engagement(t *ObjectType, own ...*PropertyDefinition) *ObjectType {
	t.Activity = true
	if t.ReadScopes == nil {
		t.ReadScopes = []string{"crm.objects.contacts.read"}
		t.WriteScopes = []string{"crm.objects.contacts.write"}
	}
	t.SchemaReadScopes = []string{"crm.objects.contacts.read", "crm.schemas.contacts.read"}
	t.SchemaWriteScopes = []string{"crm.schemas.contacts.write"}
	t.Defaults = []string{"hs_createdate", "hs_lastmodifieddate", "hs_object_id"}
	t.CreatedProperty, t.ModifiedProperty = "hs_createdate", "hs_lastmodifieddate"
	return build(t, own,
		[]*PropertyDefinition{
			datetime("hs_timestamp", "Activity date"),
			readOnly(text("hs_body_preview", "Body preview")),
			readOnly(text("hs_body_preview_html", "HTML body preview")),
			readOnly(notIndexed(boolean("hs_body_preview_is_truncated", "Body preview is truncated"))),
			notIndexed(str("hs_attachment_ids", "Attached file IDs")),
		},
		ownerProperties(),
		systemProperties(t.CreatedProperty, t.ModifiedProperty),
	)
}

func boolean(name, label string) *PropertyDefinition {
	return &PropertyDefinition{Name: name, Label: label, Type: TypeBool, FieldType: "booleancheckbox",
		Options: []PropertyOption{{Label: "True", Value: "true"}, {Label: "False", Value: "false", DisplayOrder: 1}}}
}

// notIndexed keeps a property out of the search index (filters on it read
// the records): for values nobody filters on, such as ids of attachments,
// URLs and JSON documents.
func notIndexed(p *PropertyDefinition) *PropertyDefinition {
	p.NotIndexed = true
	return p
}

// activityType is the call or meeting type; its options are each account's
// own, so any value is accepted.
func activityType() *PropertyDefinition {
	return str("hs_activity_type", "Call and meeting type")
}

// Notes is the note object.
func Notes() *ObjectType {
	return engagement(&ObjectType{
		ID: "0-46", Name: "notes", Singular: "note", Label: "NOTE",
		Required:    []string{"hs_timestamp"},
		Searchable:  []string{"hs_note_body"},
		Derivations: []Derivation{previewOf("hs_note_body")},
	},
		richText("hs_note_body", "Note body"),
	)
}

// Call outcomes (hs_call_disposition): HubSpot's default outcomes, by GUID.
const (
	CallOutcomeBusy          = "9d9162e7-6cf3-4944-bf63-4dff82258764"
	CallOutcomeConnected     = "f240bbac-87c9-4f6e-bf70-924b57d47db7"
	CallOutcomeLiveMessage   = "a4c4c377-d246-4b32-a13b-75a56a4cd0ff"
	CallOutcomeLeftVoicemail = "b2cf5968-551e-4856-9783-52b3da59a7d0"
	CallOutcomeNoAnswer      = "73a0d17f-1163-4015-bdd5-ec830791da20"
	CallOutcomeWrongNumber   = "17b47fee-58de-441e-a44c-c6300d46f273"
)

// Calls is the call object.
func Calls() *ObjectType {
	return engagement(&ObjectType{
		ID: "0-48", Name: "calls", Singular: "call", Label: "CALL",
		Required:    []string{"hs_timestamp"},
		Searchable:  []string{"hs_call_title", "hs_body_preview"},
		Derivations: []Derivation{previewOf("hs_call_body")},
	},
		str("hs_call_title", "Call title"),
		richText("hs_call_body", "Call notes"),
		enum("hs_call_direction", "Call direction", "INBOUND", "Inbound", "OUTBOUND", "Outbound"),
		enum("hs_call_status", "Call status",
			"BUSY", "Busy", "CALLING_CRM_USER", "Calling CRM user", "CANCELED", "Canceled", "COMPLETED", "Completed",
			"CONNECTING", "Connecting", "FAILED", "Failed", "IN_PROGRESS", "In progress", "MISSED", "Missed",
			"NO_ANSWER", "No answer", "QUEUED", "Queued", "RINGING", "Ringing"),
		enum("hs_call_disposition", "Call outcome",
			CallOutcomeBusy, "Busy", CallOutcomeConnected, "Connected", CallOutcomeLiveMessage, "Left live message",
			CallOutcomeLeftVoicemail, "Left voicemail", CallOutcomeNoAnswer, "No answer", CallOutcomeWrongNumber, "Wrong number"),
		num("hs_call_duration", "Call duration"),
		phone("hs_call_from_number", "From number"),
		phone("hs_call_to_number", "To number"),
		notIndexed(str("hs_call_recording_url", "Recording URL")),
		num("hs_call_callee_object_id", "Callee object ID"),
		str("hs_call_callee_object_type", "Callee object type"),
		enum("hs_call_source", "Call source", "INTEGRATIONS_PLATFORM", "Integrations platform"),
		boolean("hs_call_has_voicemail", "Has voicemail"),
		activityType(),
	)
}

// Email directions (hs_email_direction).
const (
	EmailSent      = "EMAIL"
	EmailIncoming  = "INCOMING_EMAIL"
	EmailForwarded = "FORWARDED_EMAIL"
)

// Emails is the email object. HubSpot also accepts its sales email scope
// for emails, and deletes them for good: they cannot be restored.
func Emails() *ObjectType {
	return engagement(&ObjectType{
		ID: "0-49", Name: "emails", Singular: "email", Label: "EMAIL",
		Required:      []string{"hs_timestamp", "hs_email_direction"},
		Searchable:    []string{"hs_email_subject"},
		Derivations:   []Derivation{previewOf("hs_email_text", "hs_email_html"), emailAddresses()},
		ReadScopes:    []string{"crm.objects.contacts.read", "sales-email-read"},
		WriteScopes:   []string{"crm.objects.contacts.write", "sales-email-read"},
		NotRestorable: true,
	},
		enum("hs_email_direction", "Email direction",
			EmailSent, "Email sent from CRM", EmailIncoming, "Incoming email", EmailForwarded, "Forwarded email"),
		enum("hs_email_status", "Email send status",
			"BOUNCED", "Bounced", "FAILED", "Failed", "SCHEDULED", "Scheduled", "SENDING", "Sending", "SENT", "Sent"),
		str("hs_email_subject", "Email subject"),
		text("hs_email_text", "Email body"),
		richText("hs_email_html", "Email HTML body"),
		text("hs_email_headers", "Email headers"),
		readOnly(str("hs_email_from_email", "From email")),
		readOnly(str("hs_email_from_firstname", "From first name")),
		readOnly(str("hs_email_from_lastname", "From last name")),
		readOnly(str("hs_email_to_email", "To email")),
		readOnly(str("hs_email_to_firstname", "To first name")),
		readOnly(str("hs_email_to_lastname", "To last name")),
	)
}

// emailAddresses derives the sender and recipients of an email from
// hs_email_headers, a JSON document: {"from": {email, firstName, lastName},
// "to": [{email, firstName, lastName}], "cc": [...], "bcc": [...]}. Several
// recipients are joined with ";"; an email written as a name-addr
// ("Ana Lima <ana@example.com>") gives its address. Headers that are not
// such a document clear the derived values.
func emailAddresses() Derivation {
	type person struct {
		Email     string `json:"email"`
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
	}
	derived := []string{"hs_email_from_email", "hs_email_from_firstname", "hs_email_from_lastname",
		"hs_email_to_email", "hs_email_to_firstname", "hs_email_to_lastname"}
	return Derivation{Inputs: []string{"hs_email_headers"}, Compute: func(props map[string]string, _ time.Time) map[string]string {
		out := make(map[string]string, len(derived))
		for _, name := range derived {
			out[name] = ""
		}
		var h struct {
			From *person  `json:"from"`
			To   []person `json:"to"`
		}
		if json.Unmarshal([]byte(props["hs_email_headers"]), &h) != nil {
			return out
		}
		if h.From != nil {
			out["hs_email_from_email"] = emailAddress(h.From.Email)
			out["hs_email_from_firstname"], out["hs_email_from_lastname"] = h.From.FirstName, h.From.LastName
		}
		var emails, first, last []string
		for _, p := range h.To {
			emails, first, last = append(emails, emailAddress(p.Email)), append(first, p.FirstName), append(last, p.LastName)
		}
		out["hs_email_to_email"] = joinNonEmpty(emails)
		out["hs_email_to_firstname"] = joinNonEmpty(first)
		out["hs_email_to_lastname"] = joinNonEmpty(last)
		return out
	}}
}

// emailAddress is the address of an email written bare or as a name-addr.
func emailAddress(s string) string {
	s = strings.TrimSpace(s)
	if a, err := mail.ParseAddress(s); err == nil {
		return a.Address
	}
	if i, j := strings.LastIndexByte(s, '<'), strings.LastIndexByte(s, '>'); i >= 0 && j > i {
		return strings.TrimSpace(s[i+1 : j])
	}
	return s
}

func joinNonEmpty(values []string) string {
	var kept []string
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			kept = append(kept, v)
		}
	}
	return strings.Join(kept, ";")
}

// Meetings is the meeting object. A meeting created without hs_timestamp
// takes its start time, as HubSpot's meetings guide says.
func Meetings() *ObjectType {
	return engagement(&ObjectType{
		ID: "0-47", Name: "meetings", Singular: "meeting", Label: "MEETING_EVENT",
		Required:        []string{"hs_timestamp"},
		CreateFallbacks: map[string]string{"hs_timestamp": "hs_meeting_start_time"},
		Searchable:      []string{"hs_meeting_title", "hs_meeting_body"},
		Derivations:     []Derivation{previewOf("hs_meeting_body")},
	},
		str("hs_meeting_title", "Meeting name"),
		richText("hs_meeting_body", "Meeting description"),
		richText("hs_internal_meeting_notes", "Internal meeting notes"),
		notIndexed(str("hs_meeting_external_url", "External URL")),
		str("hs_meeting_location", "Location"),
		enum("hs_meeting_location_type", "Location type",
			"ADDRESS", "Address", "CUSTOM", "Custom", "PHONE", "Phone", "VCE", "Video conference"),
		datetime("hs_meeting_start_time", "Start time"),
		datetime("hs_meeting_end_time", "End time"),
		enum("hs_meeting_outcome", "Meeting outcome",
			"SCHEDULED", "Scheduled", "COMPLETED", "Completed", "RESCHEDULED", "Rescheduled",
			"NO_SHOW", "No show", "CANCELED", "Canceled"),
		activityType(),
	)
}

// Task statuses (hs_task_status).
const (
	TaskNotStarted = "NOT_STARTED"
	TaskCompleted  = "COMPLETED"
)

// Tasks is the task object; hs_timestamp is its due date. Open tasks due in
// a period are the common search, so a task's due date is also indexed
// within its status.
func Tasks() *ObjectType {
	return engagement(&ObjectType{
		ID: "0-27", Name: "tasks", Singular: "task", Label: "TASK",
		Required:      []string{"hs_timestamp"},
		Searchable:    []string{"hs_task_body", "hs_task_subject"},
		ScopedIndexes: []ScopedIndex{{Property: "hs_timestamp", Scope: "hs_task_status"}},
		Derivations: []Derivation{previewOf("hs_task_body"),
			statusDate("hs_task_status", TaskCompleted, "hs_task_completion_date")},
	},
		str("hs_task_subject", "Task title"),
		richText("hs_task_body", "Task notes"),
		enum("hs_task_status", "Task status",
			TaskNotStarted, "Not started", "IN_PROGRESS", "In progress", "WAITING", "Waiting",
			TaskCompleted, "Completed", "DEFERRED", "Deferred"),
		enum("hs_task_priority", "Priority", "NONE", "None", "LOW", "Low", "MEDIUM", "Medium", "HIGH", "High"),
		enum("hs_task_type", "Task type", "EMAIL", "Email", "CALL", "Call", "TODO", "To-do",
			"LINKED_IN", "LinkedIn", "LINKED_IN_CONNECT", "LinkedIn connect", "LINKED_IN_MESSAGE", "LinkedIn message"),
		notIndexed(str("hs_task_reminders", "Reminders")),
		readOnly(datetime("hs_task_completion_date", "Completed at")),
	)
}

// PostalMail is the postal mail object.
func PostalMail() *ObjectType {
	return engagement(&ObjectType{
		ID: "0-116", Name: "postal_mail", Singular: "postal_mail", Label: "POSTAL_MAIL",
		Required:    []string{"hs_timestamp"},
		Searchable:  []string{"hs_postal_mail_body"},
		Derivations: []Derivation{previewOf("hs_postal_mail_body")},
	},
		richText("hs_postal_mail_body", "Postal mail body"),
	)
}
