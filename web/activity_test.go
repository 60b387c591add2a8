package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/spoketest"
)

// engagement creates an engagement of type typ (notes, calls ...)
// associated with the record toType/toID by HubSpot's default association
// type, as POST /crm/v3/objects/{typ} with an inline association does.
func (f fixture) engagement(typ, toType, toID string, props map[string]string) string {
	f.t.Helper()
	et, rt := f.typ(typ), f.typ(toType)
	assoc := f.s.Engine.Assoc.Default(et.ID, rt.ID)
	obj, err := f.s.Engine.Create(context.Background(), actor, et, crm.CreateInput{Properties: props,
		Associations: []crm.AssociationInput{{ToID: toID, Types: []crm.AssociationSpec{assoc.Spec()}}}})
	if err != nil {
		f.t.Fatal(err)
	}
	return strconv.FormatInt(obj.ID, 10)
}

var entryRE = regexp.MustCompile(`<li id="([a-z-]+-\d+)" class="entry `)

// entries lists the anchors of a timeline page's entries ("note-12"), in order.
func (p *page) entries() []string {
	var out []string
	for _, m := range entryRE.FindAllStringSubmatch(p.Body, -1) {
		out = append(out, m[1])
	}
	return out
}

// entry is the HTML of one timeline entry.
func (p *page) entry(t *testing.T, anchor string) *page {
	t.Helper()
	start := strings.Index(p.Body, `<li id="`+anchor+`"`)
	if start < 0 {
		t.Fatalf("no entry %s:\n%s", anchor, p.Body)
	}
	end := start + strings.Index(p.Body[start:], "</li>")
	return &page{Status: p.Status, Body: p.Body[start:end], Header: p.Header}
}

// TestTimelineEveryType: a record's timeline shows each engagement type
// with its icon, its word and its one-line summary (or its sanitised
// body), newest first across types, with the total of all of them.
func TestTimelineEveryType(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	ana := strconv.FormatInt(s.NewOwner("ana@example.com", "Ana", "Lima").ID, 10)
	c := f.contact("Tia", "Teixeira")
	msg := f.message("contacts", c, "WHATS_APP", "Order <b>shipped</b>", "2026-04-01T09:00:00Z")
	note := f.engagement("notes", "contacts", c, map[string]string{"hs_timestamp": "2026-04-02T09:00:00Z",
		"hs_note_body":     `<p>Prefers <strong>WhatsApp</strong>.</p><script>window.hacked=1</script><img src=x onerror="window.hacked=2">`,
		"hubspot_owner_id": ana})
	call := f.engagement("calls", "contacts", c, map[string]string{"hs_timestamp": "2026-04-03T09:00:00Z",
		"hs_call_title": "Quote <img src=x onerror=alert(1)> follow-up", "hs_call_direction": "OUTBOUND",
		"hs_call_duration": "245000", "hs_call_disposition": crm.CallOutcomeConnected, "hs_call_status": "COMPLETED"})
	longCall := f.engagement("calls", "contacts", c, map[string]string{"hs_timestamp": "2026-04-03T10:00:00Z",
		"hs_call_direction": "INBOUND", "hs_call_duration": "3725000", "hs_call_status": "NO_ANSWER"})
	email := f.engagement("emails", "contacts", c, map[string]string{"hs_timestamp": "2026-04-04T09:00:00Z",
		"hs_email_direction": "INCOMING_EMAIL", "hs_email_subject": "Re: <b>invoice</b>\nsecond line", "hs_email_text": "Thanks"})
	meeting := f.engagement("meetings", "contacts", c, map[string]string{"hs_timestamp": "2026-04-05T09:00:00Z",
		"hs_meeting_title": "Kick-off", "hs_meeting_start_time": "2026-04-05T09:00:00Z", "hs_meeting_end_time": "2026-04-05T10:30:00Z",
		"hs_meeting_outcome": "COMPLETED"})
	task := f.engagement("tasks", "contacts", c, map[string]string{"hs_timestamp": "2026-04-06T17:00:00Z",
		"hs_task_subject": "Send the catalogue", "hs_task_status": "NOT_STARTED", "hubspot_owner_id": ana})
	mail := f.engagement("postal_mail", "contacts", c, map[string]string{"hs_timestamp": "2026-04-07",
		"hs_postal_mail_body": "Catalogue sent\nby post"})
	other := f.contact("Other", "Person")
	f.engagement("notes", "contacts", other, map[string]string{"hs_timestamp": "2026-04-08T09:00:00Z", "hs_note_body": "Not for Tia"})
	path := "/ui/contacts/" + c
	b := signIn(t, s, spoketest.Token)

	p := b.get(path).want(t, 200, `Activity <span class="count">(8)</span>`).lacks(t, "Not for Tia", "<script>", "<img")
	want := []string{"postal-mail-" + mail, "task-" + task, "meeting-" + meeting, "email-" + email, "call-" + longCall, "call-" + call,
		"note-" + note, "message-" + msg}
	if got := p.entries(); !slices.Equal(got, want) {
		t.Errorf("timeline %v, want newest first %v", got, want)
	}
	// Each type: its colour and icon (by class), its word, its summary.
	p.entry(t, "message-"+msg).want(t, 200, `class="entry ch-whatsapp"`, `<span class="kind-name">WhatsApp</span>`,
		`<div class="body">Order <b>shipped</b></div>`)
	p.entry(t, "note-"+note).want(t, 200, `class="entry ch-note"`, `<svg class="icon"`, `aria-hidden="true"`, `<span class="kind-name">Note</span>`,
		`<time datetime="2026-04-02T09:00:00Z">2 Apr 2026, 09:00 UTC</time> · <span class="owner">Ana Lima</span>`,
		`<div class="body"><p>Prefers <strong>WhatsApp</strong>.</p>`, `aria-label="Note, 2 Apr 2026, 09:00 UTC"`)
	p.entry(t, "call-"+call).want(t, 200, `class="entry ch-call"`, `<span class="kind-name">Call</span>`,
		`<p class="summary"><bdi>Quote &lt;img src=x onerror=alert(1)&gt; follow-up</bdi> · <bdi>Outbound</bdi> · <time datetime="PT4M5S">4:05</time> · <bdi>Connected</bdi></p>`)
	p.entry(t, "call-"+longCall).want(t, 200, `<p class="summary"><bdi>Inbound</bdi> · <time datetime="PT1H2M5S">1:02:05</time> · <bdi>No answer</bdi></p>`)
	p.entry(t, "email-"+email).want(t, 200, `class="entry ch-email"`, `<span class="kind-name">Email</span>`,
		`<p class="summary"><bdi>Re: &lt;b&gt;invoice&lt;/b&gt; second line</bdi> · <bdi>Incoming email</bdi></p>`)
	// A meeting at its start time shows it in the summary only; an end on
	// the same day, its time only.
	p.entry(t, "meeting-"+meeting).want(t, 200, `class="entry ch-meeting"`, `<span class="kind-name">Meeting</span>`, `<span class="meta"></span>`,
		`<p class="summary"><bdi>Kick-off</bdi> · <time datetime="2026-04-05T09:00:00Z">5 Apr 2026, 09:00 UTC</time> – `+
			`<time datetime="2026-04-05T10:30:00Z" data-after="2026-04-05T09:00:00Z">10:30 UTC</time> · <bdi>Completed</bdi></p>`)
	third := f.contact("Third", "Person")
	late := f.engagement("meetings", "contacts", third, map[string]string{"hs_timestamp": "2026-04-05T08:00:00Z",
		"hs_meeting_start_time": "2026-04-05T23:00:00Z", "hs_meeting_end_time": "2026-04-06T01:00:00Z"})
	b.get("/ui/contacts/"+third).entry(t, "meeting-"+late).want(t, 200, `<span class="meta"><time datetime="2026-04-05T08:00:00Z">`,
		`<p class="summary"><bdi>(no title)</bdi> · <time datetime="2026-04-05T23:00:00Z">5 Apr 2026, 23:00 UTC</time> – `+
			`<time datetime="2026-04-06T01:00:00Z" data-after="2026-04-05T23:00:00Z">6 Apr 2026, 01:00 UTC</time></p>`)
	// A task's time is its due date: in the summary, not again in the header.
	p.entry(t, "task-"+task).want(t, 200, `class="entry ch-task"`, `<span class="kind-name">Task</span>`,
		`<span class="meta"><span class="owner">Ana Lima</span></span>`,
		`<p class="summary"><bdi>Send the catalogue</bdi> · <bdi>Not started</bdi> · Due <time datetime="2026-04-06T17:00:00Z">6 Apr 2026, 17:00 UTC</time></p>`,
		`aria-label="Task, 6 Apr 2026, 17:00 UTC"`)
	p.entry(t, "postal-mail-"+mail).want(t, 200, `class="entry ch-postal-mail"`, `<span class="kind-name">Postal mail</span>`,
		`<div class="body">Catalogue sent<br>`+"\n"+`by post</div>`, `<time datetime="2026-04-07T00:00:00Z">`)

	// Every type has its own icon.
	icons := map[string]bool{}
	for _, a := range want {
		e := p.entry(t, a)
		i := strings.Index(e.Body, "<svg")
		icons[e.Body[i:i+strings.Index(e.Body[i:], "</svg>")]] = true
	}
	if len(icons) != 7 {
		t.Errorf("%d different icons for 7 types", len(icons))
	}

	// Filter by type.
	p = b.get(path+"?type=calls").want(t, 200, `aria-label="Filter by type"`, `aria-current="true">Calls</a>`).lacks(t, "Filter messages by channel")
	if got := p.entries(); !slices.Equal(got, []string{"call-" + longCall, "call-" + call}) {
		t.Errorf("calls filter %v", got)
	}
	for typ, anchor := range map[string]string{"notes": "note-" + note, "emails": "email-" + email, "meetings": "meeting-" + meeting,
		"tasks": "task-" + task, "postal-mail": "postal-mail-" + mail, "messages": "message-" + msg} {
		if got := b.get(path + "?type=" + typ).entries(); !slices.Equal(got, []string{anchor}) {
			t.Errorf("%s filter %v", typ, got)
		}
	}
	b.get(path+"?type=messages").want(t, 200, `aria-label="Filter messages by channel"`, `aria-current="true">All channels</a>`)
	if got := b.get(path + "?type=widgets").entries(); len(got) != 8 { // unknown: everything
		t.Errorf("unknown filter %v", got)
	}
	filters := regexp.MustCompile(`<nav class="filters" aria-label="Filter by type">[\s\S]*?</nav>`).FindString(p.Body)
	for _, label := range []string{"All activity", "Messages", "Notes", "Calls", "Emails", "Meetings", "Tasks", "Postal mail"} {
		if !strings.Contains(filters, ">"+label+"</a>") {
			t.Errorf("type filters lack %s: %s", label, filters)
		}
	}
	b.get("/ui/contacts/"+other+"?type=meetings").want(t, 200, "No meetings.")

	// Companies, deals and tickets show them too.
	co := f.create("companies", map[string]string{"name": "Acme"})
	f.engagement("tasks", "companies", co, map[string]string{"hs_timestamp": "2026-04-06T17:00:00Z", "hs_task_subject": "Company task"})
	b.get("/ui/companies/"+co).want(t, 200, "Company task", `Activity <span class="count">(1)</span>`)
	d := f.create("deals", map[string]string{"dealname": "Big deal", "dealstage": "closedwon", "pipeline": "default"})
	f.engagement("meetings", "deals", d, map[string]string{"hs_meeting_start_time": "2026-04-05T09:00:00Z", "hs_meeting_title": "Deal review"})
	b.get("/ui/deals/"+d).want(t, 200, "Deal review")
	tk := f.create("tickets", map[string]string{"subject": "Broken", "hs_pipeline": "0", "hs_pipeline_stage": "1"})
	f.engagement("calls", "tickets", tk, map[string]string{"hs_timestamp": "2026-04-05T09:00:00Z", "hs_call_title": "Ticket call"})
	b.get("/ui/tickets/"+tk).want(t, 200, "Ticket call")
}

// TestMixedTimelinePaging: a timeline of every type pages newest first
// across types, equal times in id order, every entry once; a type filter
// pages its type alone.
func TestMixedTimelinePaging(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	c := f.contact("Many", "Kinds")
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	type made struct {
		anchor string
		id     int64
		ts     time.Time
	}
	var all []made
	kinds := []struct{ typ, anchor string }{{"notes", "note"}, {"calls", "call"}, {"emails", "email"}, {"meetings", "meeting"},
		{"tasks", "task"}, {"postal_mail", "postal-mail"}, {"communications", "message"}}
	for i := range 80 {
		k := kinds[i%len(kinds)]
		ts := base.Add(time.Duration(i/5) * time.Hour) // five at each time, of different types
		props := map[string]string{"hs_timestamp": ts.Format(time.RFC3339)}
		var id string
		switch k.typ {
		case "communications":
			id = f.message("contacts", c, "SMS", "m"+strconv.Itoa(i), props["hs_timestamp"])
		case "emails":
			props["hs_email_direction"] = "EMAIL"
			id = f.engagement(k.typ, "contacts", c, props)
		default:
			id = f.engagement(k.typ, "contacts", c, props)
		}
		n, _ := strconv.ParseInt(id, 10, 64)
		all = append(all, made{k.anchor + "-" + id, n, ts})
	}
	slices.SortStableFunc(all, func(a, b made) int {
		if c := b.ts.Compare(a.ts); c != 0 {
			return c
		}
		return int(a.id - b.id)
	})
	var want []string
	for _, m := range all {
		want = append(want, m.anchor)
	}
	b := signIn(t, s, spoketest.Token)
	walk := func(start string) []string {
		var got []string
		next := start
		for pages := 0; next != ""; pages++ {
			if pages > 10 {
				t.Fatal("too many pages")
			}
			p := b.get(next).want(t, 200)
			if pages == 0 {
				p.lacks(t, "Newest activity")
			} else {
				p.want(t, 200, "Showing older activity.", "Newest activity").lacks(t, `<span class="count">`)
			}
			got = append(got, p.entries()...)
			next = p.olderURL()
		}
		return got
	}
	b.get("/ui/contacts/"+c).want(t, 200, `Activity <span class="count">(80)</span>`)
	if got := walk("/ui/contacts/" + c); !slices.Equal(got, want) {
		t.Errorf("paged timeline:\n got %v\nwant %v", got, want)
	}
	var calls []string
	for _, a := range want {
		if strings.HasPrefix(a, "call-") {
			calls = append(calls, a)
		}
	}
	b.get("/ui/contacts/"+c+"?type=calls").want(t, 200, `Activity <span class="count">(`+strconv.Itoa(len(calls))+`)</span>`)
	if got := walk("/ui/contacts/" + c + "?type=calls"); !slices.Equal(got, calls) {
		t.Errorf("paged calls:\n got %v\nwant %v", got, calls)
	}
	// A cursor for an id that is no number, or no time: the first page.
	if got := b.get("/ui/contacts/" + c + "?id=abc&before=1").entries(); !slices.Equal(got, want[:25]) {
		t.Errorf("bad cursor %v", got)
	}
}

// TestAddNote: "Add a note" creates a note associated with the record, as
// the API would, and refuses an empty one on the server with the input kept.
func TestAddNote(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	s.Clock.Set(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
	f := fixture{t, s}
	owner := strconv.FormatInt(s.NewOwner("rui@example.com", "Rui", "Alves").ID, 10)
	for _, typ := range []string{"contacts", "companies", "deals", "tickets"} {
		t.Run(typ, func(t *testing.T) {
			var id string
			switch typ {
			case "contacts":
				id = f.contact("Nina", "Nunes")
			case "companies":
				id = f.create(typ, map[string]string{"name": "Acme"})
			case "deals":
				id = f.create(typ, map[string]string{"dealname": "D", "dealstage": "closedwon", "pipeline": "default"})
			case "tickets":
				id = f.create(typ, map[string]string{"subject": "T", "hs_pipeline": "0", "hs_pipeline_stage": "1"})
			}
			path := "/ui/" + typ + "/" + id
			b := signIn(t, s, spoketest.Token)
			b.get(path).want(t, 200, `<h2 id="note-h">Add a note</h2>`, `<a href="#note-h">Add a note</a>`,
				`<form class="log-form note-form" method="post" action="`+path+`/notes">`, `<textarea id="note-body" name="body" rows="4" required>`)

			p := b.post(path+"/notes", url.Values{"body": {"Called <back> & agreed\non Friday"}, "time": {"2026-05-20T09:30"},
				"tzoffset": {"60"}, "owner": {owner}})
			if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, path+"#note-") {
				t.Fatalf("add note: %d %q %s", p.Status, p.Location, p.Body)
			}
			nid := strings.TrimPrefix(p.Location, path+"#note-")
			page := b.follow(p).want(t, 200, `role="status"><p>Note added.</p>`,
				"<div class=\"body\">Called &lt;back&gt; &amp; agreed<br>\non Friday</div>", `<span class="owner">Rui Alves</span>`)
			if got := page.entries(); !slices.Equal(got, []string{"note-" + nid}) {
				t.Errorf("timeline %v", got)
			}
			status, props := apiProps(t, s, "notes", nid, "hs_note_body,hs_timestamp,hubspot_owner_id,hs_body_preview")
			if status != 200 {
				t.Fatalf("API read %d", status)
			}
			for k, v := range map[string]any{"hs_note_body": "Called &lt;back&gt; &amp; agreed<br>\non Friday", "hs_timestamp": "2026-05-20T08:30:00Z",
				"hubspot_owner_id": owner, "hs_body_preview": "Called <back> & agreed on Friday"} {
				if props[k] != v {
					t.Errorf("%s = %v, want %v", k, props[k], v)
				}
			}
			// Associated with the record, with HubSpot's default type.
			r := s.Do("GET", "/crm/v4/objects/notes/"+nid+"/associations/"+typ, nil)
			if r.Status != 200 || !strings.Contains(string(r.Body), `"toObjectId":`+id) {
				t.Errorf("note's associations: %d %s", r.Status, r.Body)
			}
			// No time is now.
			p = b.post(path+"/notes", url.Values{"body": {"now"}})
			_, props = apiProps(t, s, "notes", strings.TrimPrefix(p.Location, path+"#note-"), "hs_timestamp")
			if props["hs_timestamp"] != "2026-06-01T12:00:00Z" {
				t.Errorf("default time %v", props["hs_timestamp"])
			}
		})
	}

	c := f.contact("Empty", "Notes")
	path := "/ui/contacts/" + c
	b := signIn(t, s, spoketest.Token)
	b.get(path)
	// Empty: refused on the server (the required textarea lets spaces
	// through), the input kept, nothing created.
	for _, body := range []string{"", "   ", "\u200b\n\t"} {
		b.post(path+"/notes", url.Values{"body": {body}, "time": {"2026-05-20T09:30"}, "owner": {owner}}).
			want(t, http.StatusBadRequest, `id="note-error" data-form-error`, "The note was not added. Write the note&#39;s text: it is empty.",
				`value="2026-05-20T09:30"`).form(t, path+"/notes").want(t, http.StatusBadRequest, `<option value="`+owner+`" selected>`)
	}
	// The domain's validation, in words.
	b.post(path+"/notes", url.Values{"body": {"keep this note"}, "time": {"yesterday"}}).
		want(t, http.StatusBadRequest, "The note was not added.", "Activity date: yesterday was not a valid datetime", ">keep this note</textarea>").
		lacks(t, `id="log-error"`)
	b.post(path+"/notes", url.Values{"body": {"x"}, "owner": {"123"}}).want(t, http.StatusBadRequest, "Owner: 123 is not a valid owner id")
	b.post(path+"/notes", url.Values{"body": {"forged"}, "csrf": {"forged"}}).want(t, http.StatusForbidden, "Form expired")
	r := s.Do("POST", "/crm/v3/objects/notes/search", map[string]any{"filterGroups": []any{map[string]any{"filters": []any{
		map[string]any{"propertyName": "associations.contact", "operator": "EQ", "value": c}}}}})
	if r.Status != 200 || r.JSON()["total"] != float64(0) {
		t.Errorf("refused notes were created: %d %s", r.Status, r.Body)
	}
	b.post("/ui/contacts/10000009999/notes", url.Values{"body": {"x"}}).want(t, http.StatusNotFound)
}

// TestPinDeleteRestoreEngagements: a note and a task are pinned, unpinned,
// deleted and restored from the timeline like messages; an email is
// deleted but cannot be restored.
func TestPinDeleteRestoreEngagements(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	s.Clock.Set(time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC))
	f := fixture{t, s}
	c := f.contact("Pia", "Pinto")
	note := f.engagement("notes", "contacts", c, map[string]string{"hs_timestamp": "2026-01-01T10:00:00Z", "hs_note_body": "The oldest note"})
	task := f.engagement("tasks", "contacts", c, map[string]string{"hs_timestamp": "2026-01-20T10:00:00Z", "hs_task_subject": "Call back"})
	email := f.engagement("emails", "contacts", c, map[string]string{"hs_timestamp": "2026-01-21T10:00:00Z", "hs_email_direction": "EMAIL", "hs_email_subject": "Quote"})
	for i := range 30 { // the note is past the first page
		f.message("contacts", c, "SMS", "m"+strconv.Itoa(i), "2026-01-10T10:00:00Z")
	}
	path := "/ui/contacts/" + c
	b := signIn(t, s, spoketest.Token)
	p := b.get(path)
	p.entry(t, "task-"+task).want(t, 200, `<input type="hidden" name="engagement" value="`+task+`">`, `<input type="hidden" name="kind" value="tasks">`,
		`Pin<span class="visually-hidden"> this task to the top</span>`, `href="`+path+`/tasks/`+task+`/delete">Delete<span class="visually-hidden"> this task</span>`)

	// Pin the note: it comes first though it is the oldest.
	p = b.post(path+"/pin", url.Values{"engagement": {note}, "kind": {"notes"}})
	p = b.follow(p).want(t, 200, "Note pinned to the top of the timeline.", `<li id="note-`+note+`" class="entry ch-note is-pinned">`,
		`aria-label="Pinned note, 1 Jan 2026, 10:00 UTC"`, `Unpin<span class="visually-hidden"> this note</span>`)
	if got := p.entries(); len(got) != 26 || got[0] != "note-"+note {
		t.Errorf("pinned note: %d entries, first %v", len(got), got[:1])
	}
	if _, props := apiProps(t, s, "contacts", c, "hs_pinned_engagement_id"); props["hs_pinned_engagement_id"] != note {
		t.Errorf("API pin %v", props["hs_pinned_engagement_id"])
	}
	// A filter that hides it leaves it out; one that shows it keeps it first.
	b.get(path+"?type=tasks").lacks(t, "note-"+note)
	if got := b.get(path + "?type=notes").entries(); !slices.Equal(got, []string{"note-" + note}) {
		t.Errorf("notes filter with the pin: %v", got)
	}
	// Pin the task instead, then unpin it.
	p = b.post(path+"/pin", url.Values{"engagement": {task}, "kind": {"tasks"}})
	p = b.follow(p).want(t, 200, "Task pinned to the top of the timeline.", `<li id="task-`+task+`" class="entry ch-task is-pinned">`).lacks(t, "is-pinned\">\n  <article aria-label=\"Pinned note")
	if got := p.entries(); got[0] != "task-"+task {
		t.Errorf("pinned task not first: %v", got[:1])
	}
	p = b.post(path+"/unpin", url.Values{"kind": {"tasks"}})
	b.follow(p).want(t, 200, "Task unpinned.").lacks(t, "is-pinned")

	// Delete the note, pinned: the question first.
	b.post(path+"/pin", url.Values{"engagement": {note}, "kind": {"notes"}})
	b.get(path+"/notes/"+note+"/delete").want(t, 200, "<h1>Delete this note?</h1>", "The oldest note", "It is pinned: deleting it unpins it.",
		"where it can be restored for 90 days", ">Delete note</button>", `href="`+path+`#note-`+note+`">Cancel</a>`)
	// Only a note of this record, by its own type.
	b.get(path+"/notes/"+task+"/delete").want(t, http.StatusNotFound, "This note is not on the timeline of Pia Pinto")
	b.get(path+"/widgets/"+note+"/delete").want(t, http.StatusNotFound)
	b.get("/ui/contacts/"+f.contact("Else", "Where")+"/notes/"+note+"/delete").want(t, http.StatusNotFound)
	b.post(path+"/notes/"+note+"/delete", url.Values{"csrf": {"forged"}}).want(t, http.StatusForbidden)

	p = b.post(path+"/notes/"+note+"/delete", nil)
	b.follow(p).want(t, 200, "Note deleted.", `<a href="`+path+`/recycle-bin">Open the recycle bin to restore it</a>`).lacks(t, "The oldest note")
	if status, _ := apiProps(t, s, "notes", note, "hs_timestamp"); status != 404 {
		t.Errorf("API read of the deleted note: %d", status)
	}
	if _, props := apiProps(t, s, "contacts", c, "hs_pinned_engagement_id"); props["hs_pinned_engagement_id"] != nil {
		t.Errorf("pin kept after delete: %v", props["hs_pinned_engagement_id"])
	}

	// Delete the task and the email; the email cannot come back.
	s.Clock.Set(time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC))
	b.get(path)
	p = b.post(path+"/tasks/"+task+"/delete", nil)
	b.follow(p).want(t, 200, "Task deleted.")
	s.Clock.Set(time.Date(2026, 2, 1, 11, 0, 0, 0, time.UTC))
	b.get(path+"/emails/"+email+"/delete").want(t, 200, "<h1>Delete this email?</h1>", "Deleted emails cannot be restored.").lacks(t, "can be restored for 90 days")
	p = b.post(path+"/emails/"+email+"/delete", nil)
	b.follow(p).want(t, 200, "Email deleted. Deleted emails cannot be restored.").lacks(t, "Open the recycle bin")

	// The record's recycle bin: all three, newest deletion first; the
	// email without a restore button.
	bin := b.get(path+"/recycle-bin").want(t, 200, "<h1>Deleted activity of Pia Pinto</h1>",
		`<li id="deleted-`+note+`" class="entry ch-note">`, `<li id="deleted-`+task+`" class="entry ch-task">`, `<li id="deleted-`+email+`" class="entry ch-email">`,
		`action="`+path+`/recycle-bin/notes/`+note+`/restore"`, `action="`+path+`/recycle-bin/tasks/`+task+`/restore"`,
		`Restore<span class="visually-hidden"> this note</span>`).lacks(t, "/recycle-bin/emails/")
	if i, j, k := strings.Index(bin.Body, "deleted-"+email), strings.Index(bin.Body, "deleted-"+task), strings.Index(bin.Body, "deleted-"+note); !(i < j && j < k) {
		t.Errorf("recycle bin order: email %d, task %d, note %d", i, j, k)
	}
	bin.entry(t, "deleted-"+email).want(t, 200, "emails cannot be restored").lacks(t, "<form")
	b.post(path+"/recycle-bin/emails/"+email+"/restore", nil).want(t, http.StatusBadRequest, "Deleted emails cannot be restored")

	// Restore the note from the record's bin: back on the timeline.
	p = b.post(path+"/recycle-bin/notes/"+note+"/restore", nil)
	if p.Location != path+"#note-"+note {
		t.Errorf("restore goes to %q", p.Location)
	}
	b.follow(p).want(t, 200, "Note restored.")
	b.get(path+"?type=notes").want(t, 200, "The oldest note")
	if status, _ := apiProps(t, s, "notes", note, "hs_timestamp"); status != 200 {
		t.Errorf("API read of the restored note: %d", status)
	}
	b.post(path+"/recycle-bin/notes/"+note+"/restore", nil).want(t, http.StatusNotFound, "not in the recycle bin any more")
	b.post(path+"/recycle-bin/widgets/"+note+"/restore", nil).want(t, http.StatusNotFound)

	// Restore the task from the tasks' bin, which links to the other types' bins.
	b.get("/").want(t, 200, `<a href="/ui/communications/recycle-bin">Deleted activity</a>`)
	b.get("/ui/tasks/recycle-bin").want(t, 200, "<h1>Deleted tasks</h1>", "Call back", `aria-current="true">Tasks</a>`,
		`<a href="/ui/notes/recycle-bin">Notes</a>`, `<a href="/ui/postal_mail/recycle-bin">Postal mail</a>`, `aria-current="page">Deleted activity</a>`)
	p = b.post("/ui/tasks/recycle-bin/"+task+"/restore", nil)
	b.follow(p).want(t, 200, "Task restored.", "The recycle bin is empty.")
	b.get(path).want(t, 200, `<li id="task-`+task+`"`)
	b.get("/ui/emails/recycle-bin").want(t, 200, "<h1>Deleted emails</h1>", "Deleted emails cannot be restored.", "Quote").lacks(t, ">Restore<")
	b.post("/ui/emails/recycle-bin/"+email+"/restore", nil).want(t, http.StatusBadRequest, "Deleted emails cannot be restored")
	b.get("/ui/postal_mail/recycle-bin").want(t, 200, "<h1>Deleted postal mail</h1>", "The recycle bin is empty.")
}

// TestActivityScopes: the timeline shows the engagement types the token
// may read, and offers only the actions its scopes allow.
func TestActivityScopes(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	co := f.create("companies", map[string]string{"name": "Acme"})
	note := f.engagement("notes", "companies", co, map[string]string{"hs_timestamp": "2026-01-01T10:00:00Z", "hs_note_body": "A note"})
	email := f.engagement("emails", "companies", co, map[string]string{"hs_timestamp": "2026-01-02T10:00:00Z", "hs_email_direction": "EMAIL", "hs_email_subject": "An email"})
	path := "/ui/companies/" + co

	// Emails only (HubSpot's sales email scope): the emails, which it may
	// also delete; no notes, no forms, no pins.
	em := signIn(t, s, s.NewToken("crm.objects.companies.read", "sales-email-read"))
	p := em.get(path).want(t, 200, `Activity <span class="count">(1)</span>`, "An email", `href="`+path+`/emails/`+email+`/delete"`).
		lacks(t, "A note", "Log a message", "Add a note", ">Pin<", `>Notes</a>`)
	if got := p.entries(); !slices.Equal(got, []string{"email-" + email}) {
		t.Errorf("emails-only timeline %v", got)
	}
	em.get(path+"?type=notes").want(t, 200, "An email") // a type it may not read is no filter
	em.get(path+"/notes/"+note+"/delete").want(t, http.StatusForbidden, "may not delete notes", "crm.objects.contacts.write")
	em.post(path+"/notes", url.Values{"body": {"x"}}).want(t, http.StatusForbidden, "may not add notes")
	em.get(path+"/recycle-bin").want(t, 200, "The recycle bin is empty.")
	em.get("/ui/notes/recycle-bin").want(t, http.StatusForbidden)
	em.get("/").want(t, 200, `<a href="/ui/emails/recycle-bin">Deleted activity</a>`)

	// Read-only: everything shown, nothing offered; actions refused.
	ro := signIn(t, s, s.NewToken("crm.objects.companies.read", "crm.objects.contacts.read"))
	p = ro.get(path).want(t, 200, "A note", "An email").lacks(t, "Add a note", "Log a message", ">Pin<", ">Delete<")
	if len(p.entries()) != 2 {
		t.Errorf("read-only timeline %v", p.entries())
	}
	ro.post(path+"/notes", url.Values{"body": {"x"}}).want(t, http.StatusForbidden, "may not add notes", "crm.objects.contacts.write")
	ro.post(path+"/pin", url.Values{"engagement": {note}}).want(t, http.StatusForbidden, "crm.objects.companies.write")
	ro.post(path+"/notes/"+note+"/delete", nil).want(t, http.StatusForbidden)
	if r := s.Do("DELETE", "/crm/v3/objects/notes/"+note, nil); r.Status != 204 {
		t.Fatal(r.Status)
	}
	ro.get(path+"/recycle-bin").want(t, 200, "A note").lacks(t, ">Restore<")
	ro.post(path+"/recycle-bin/notes/"+note+"/restore", nil).want(t, http.StatusForbidden, "may not restore notes")
	ro.get("/ui/notes/recycle-bin").want(t, 200, "A note").lacks(t, ">Restore<")
	ro.post("/ui/notes/recycle-bin/"+note+"/restore", nil).want(t, http.StatusForbidden)

	// Notes may be written, the company not changed: add and delete, no pin.
	rw := signIn(t, s, s.NewToken("crm.objects.companies.read", "crm.objects.contacts.read", "crm.objects.contacts.write"))
	rw.get(path).want(t, 200, "Add a note", ">Delete<").lacks(t, ">Pin<")
	p = rw.post(path+"/notes", url.Values{"body": {"from rw"}})
	rw.follow(p).want(t, 200, "Note added.", "from rw")
	if status, _ := apiProps(t, s, "notes", note, "hs_timestamp"); status != 404 {
		t.Error("a refused action changed data")
	}
}

// TestTimelineTiesAndUntimed: pages go on exactly from the last entry
// shown when more entries than a page share one time, and entries whose
// time was cleared come last, in id order.
func TestTimelineTiesAndUntimed(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	c := f.contact("Same", "Time")
	var want, untimed []string
	older := f.engagement("calls", "contacts", c, map[string]string{"hs_timestamp": "2026-01-01T09:00:00Z"})
	for i := range 64 { // one time for 64 entries of two types, in id order
		typ, anchor := "notes", "note-"
		if i%8 == 7 {
			typ, anchor = "tasks", "task-"
		}
		want = append(want, anchor+f.engagement(typ, "contacts", c, map[string]string{"hs_timestamp": "2026-01-02T09:00:00Z"}))
	}
	want = append(want, "call-"+older)
	for range 3 {
		id := f.engagement("notes", "contacts", c, map[string]string{"hs_timestamp": "2026-01-03T09:00:00Z"})
		if r := s.Do("PATCH", "/crm/v3/objects/notes/"+id, map[string]any{"properties": map[string]string{"hs_timestamp": ""}}); r.Status != 200 {
			t.Fatalf("clearing the time: %d %s", r.Status, r.Body)
		}
		untimed = append(untimed, "note-"+id)
	}
	want = append(want, untimed...)
	b := signIn(t, s, spoketest.Token)
	var got []string
	next := "/ui/contacts/" + c
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatal("too many pages")
		}
		p := b.get(next).want(t, 200)
		if pages == 0 {
			p.want(t, 200, `Activity <span class="count">(68)</span>`)
		}
		if n := len(p.entries()); n != 25 && p.olderURL() != "" {
			t.Errorf("page %d holds %d entries and is not the last", pages, n)
		}
		got = append(got, p.entries()...)
		next = p.olderURL()
	}
	if !slices.Equal(got, want) {
		t.Errorf("timeline:\n got %v\nwant %v", got, want)
	}
	// From inside the untimed entries: the rest of them.
	p := b.get("/ui/contacts/" + c + "?id=" + strings.TrimPrefix(untimed[0], "note-"))
	if got := p.entries(); !slices.Equal(got, untimed[1:]) {
		t.Errorf("after the first untimed entry: %v, want %v", got, untimed[1:])
	}
	// Notes alone, from the middle of the group at one time.
	var notes []string
	for _, a := range want {
		if strings.HasPrefix(a, "note-") {
			notes = append(notes, a)
		}
	}
	got = nil
	next = "/ui/contacts/" + c + "?type=notes"
	for next != "" {
		p := b.get(next)
		got = append(got, p.entries()...)
		next = p.olderURL()
		if next != "" && !strings.Contains(next, "type=notes") {
			t.Fatalf("older link %q lost the filter", next)
		}
	}
	if !slices.Equal(got, notes) {
		t.Errorf("notes:\n got %v\nwant %v", got, notes)
	}
}
