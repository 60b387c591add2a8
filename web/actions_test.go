package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

func mustRE(expr string) *regexp.Regexp { return regexp.MustCompile(expr) }

func TestLogMessage(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	s.Clock.Set(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
	f := fixture{t, s}
	owner := s.NewOwner("rui@example.com", "Rui", "Alves")
	ownerID := strconv.FormatInt(owner.ID, 10)
	for _, typ := range []string{"contacts", "companies", "deals", "tickets"} {
		t.Run(typ, func(t *testing.T) {
			var id string
			switch typ {
			case "contacts":
				id = f.contact("Eva", "Esteves")
			case "companies":
				id = f.create(typ, map[string]string{"name": "Acme"})
			case "deals":
				id = f.create(typ, map[string]string{"dealname": "D", "dealstage": "closedwon", "pipeline": "default"})
			case "tickets":
				id = f.create(typ, map[string]string{"subject": "T", "hs_pipeline": "0", "hs_pipeline_stage": "1"})
			}
			b := signIn(t, s, spoketest.Token)
			path := "/ui/" + typ + "/" + id
			b.get(path).want(t, 200, `<h2 id="log-h">Log a message</h2>`, `<option value="`+ownerID+`">Rui Alves</option>`)

			// The time typed is local to the browser: +60 minutes east of UTC.
			p := b.post(path+"/messages", url.Values{"channel": {"WHATS_APP"}, "body": {"Olá Eva,\nyour order <shipped> & more"},
				"time": {"2026-05-20T09:30"}, "tzoffset": {"60"}, "owner": {ownerID}})
			if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, path+"#message-") {
				t.Fatalf("log: %d %q %s", p.Status, p.Location, p.Body)
			}
			mid := strings.TrimPrefix(p.Location, path+"#message-")
			page := b.follow(p).want(t, 200, `role="status"><p>Message logged.</p>`, "<div class=\"body\">Olá Eva,<br>\nyour order &lt;shipped&gt; &amp; more</div>",
				`<time datetime="2026-05-20T08:30:00Z">`, `<span class="owner">Rui Alves</span>`)
			if ids := page.messageIDs(); !slices.Contains(ids, mid) {
				t.Errorf("timeline %v lacks %s", ids, mid)
			}
			// Through the API: the same record, associated, with the domain's derived values.
			status, props := apiProps(t, s, "communications", mid, "hs_communication_channel_type,hs_timestamp,hubspot_owner_id,hs_communication_body,hs_body_preview,hs_communication_logged_from")
			if status != 200 {
				t.Fatalf("API read %d", status)
			}
			want := map[string]any{"hs_communication_channel_type": "WHATS_APP", "hs_timestamp": "2026-05-20T08:30:00Z",
				"hubspot_owner_id": ownerID, "hs_communication_logged_from": "CRM",
				"hs_communication_body": "Olá Eva,<br>\nyour order &lt;shipped&gt; &amp; more",
				"hs_body_preview":       "Olá Eva, your order <shipped> & more"}
			for k, v := range want {
				if props[k] != v {
					t.Errorf("%s = %v, want %v", k, props[k], v)
				}
			}
			singular := map[string]string{"contacts": "contact", "companies": "company", "deals": "deal", "tickets": "ticket"}[typ]
			if got := apiTimeline(t, s, typ, singular, id); !slices.Equal(got, []string{mid}) {
				t.Errorf("API timeline %v", got)
			}

			// Without JavaScript there is no offset: the time is UTC; no time is now.
			p = b.post(path+"/messages", url.Values{"channel": {"SMS"}, "body": {"utc"}, "time": {"2026-05-21T07:00"}})
			_, props = apiProps(t, s, "communications", strings.TrimPrefix(p.Location, path+"#message-"), "hs_timestamp")
			if props["hs_timestamp"] != "2026-05-21T07:00:00Z" {
				t.Errorf("UTC time %v", props["hs_timestamp"])
			}
			p = b.post(path+"/messages", url.Values{"channel": {"LINKEDIN_MESSAGE"}, "body": {"now"}})
			_, props = apiProps(t, s, "communications", strings.TrimPrefix(p.Location, path+"#message-"), "hs_timestamp")
			if props["hs_timestamp"] != "2026-06-01T12:00:00Z" {
				t.Errorf("default time %v", props["hs_timestamp"])
			}
		})
	}
}

func TestLogMessageRefused(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	c := f.contact("Fay", "Faria")
	path := "/ui/contacts/" + c
	b := signIn(t, s, spoketest.Token)
	b.get(path)

	// The domain's validation, in words, with the input kept.
	b.post(path+"/messages", url.Values{"channel": {"FAX"}, "body": {"keep this text"}}).
		want(t, http.StatusBadRequest, `role="alert"`, "The message was not logged.", "Channel type: FAX was not one of the allowed options",
			">keep this text</textarea>").lacks(t, "Property values were not valid: [")
	b.post(path+"/messages", url.Values{"channel": {"SMS"}, "body": {"x"}, "time": {"yesterday"}}).
		want(t, http.StatusBadRequest, "Activity date: yesterday was not a valid datetime")
	b.post(path+"/messages", url.Values{"body": {"no channel"}}).
		want(t, http.StatusBadRequest, "Some required properties were not set.", "Channel type is required.")
	b.post(path+"/messages", url.Values{"channel": {"SMS"}, "body": {"x"}, "owner": {"123"}}).
		want(t, http.StatusBadRequest, "Owner: 123 is not a valid owner id")
	// A bad CSRF token changes nothing.
	b.post(path+"/messages", url.Values{"channel": {"SMS"}, "body": {"forged"}, "csrf": {"forged"}}).
		want(t, http.StatusForbidden, "Form expired", "nothing was changed")
	b.post(path+"/messages", url.Values{"channel": {"SMS"}, "body": {"no token"}, "csrf": {""}}).want(t, http.StatusForbidden)
	if got := apiTimeline(t, s, "contacts", "contact", c); len(got) != 0 {
		t.Errorf("refused forms created %v", got)
	}
	// A missing record.
	b.post("/ui/contacts/10000009999/messages", url.Values{"channel": {"SMS"}, "body": {"x"}}).want(t, http.StatusNotFound)
}

func TestPinAndUnpin(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	c := f.contact("Gil", "Gomes")
	older := f.message("contacts", c, "SMS", "older", "2026-01-01T10:00:00Z")
	newer := f.message("contacts", c, "WHATS_APP", "newer", "2026-01-02T10:00:00Z")
	stranger := f.message("contacts", f.contact("Other", "One"), "SMS", "elsewhere", "2026-01-03T10:00:00Z")
	path := "/ui/contacts/" + c
	b := signIn(t, s, spoketest.Token)
	b.get(path)

	p := b.post(path+"/pin", url.Values{"engagement": {older}, "kind": {"messages"}})
	b.follow(p).want(t, 200, "Message pinned to the top of the timeline.", `<li id="message-`+older+`" class="entry ch-sms is-pinned">`)
	if _, props := apiProps(t, s, "contacts", c, "hs_pinned_engagement_id"); props["hs_pinned_engagement_id"] != older {
		t.Errorf("API pin %v", props["hs_pinned_engagement_id"])
	}
	if got := b.get(path).messageIDs(); !slices.Equal(got, []string{older, newer}) {
		t.Errorf("pinned first: %v", got)
	}
	// The engine's pin rules, in words.
	b.post(path+"/pin", url.Values{"engagement": {stranger}}).want(t, http.StatusBadRequest,
		"is not associated with contact", "Pinned engagement ID: ", "Back to the timeline")
	b.post(path+"/pin", url.Values{"engagement": {"abc"}}).want(t, http.StatusBadRequest, "abc was not a valid number")

	p = b.post(path+"/unpin", url.Values{"kind": {"messages"}})
	b.follow(p).want(t, 200, "Message unpinned.").lacks(t, "is-pinned")
	if _, props := apiProps(t, s, "contacts", c, "hs_pinned_engagement_id"); props["hs_pinned_engagement_id"] != nil {
		t.Errorf("API pin after unpin %v", props["hs_pinned_engagement_id"])
	}
	b.post(path+"/pin", url.Values{"engagement": {newer}, "csrf": {"forged"}}).want(t, http.StatusForbidden)
	if _, props := apiProps(t, s, "contacts", c, "hs_pinned_engagement_id"); props["hs_pinned_engagement_id"] != nil {
		t.Errorf("forged pin applied")
	}
}

func TestDeleteAndRestore(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	s.Clock.Set(time.Date(2026, 1, 20, 9, 0, 0, 0, time.UTC))
	f := fixture{t, s}
	c := f.contact("Hugo", "Henriques")
	keep := f.message("contacts", c, "SMS", "keep me", "2026-01-01T10:00:00Z")
	gone := f.message("contacts", c, "LINKEDIN_MESSAGE", "delete me", "2026-01-02T10:00:00Z")
	other := f.message("contacts", f.contact("Ivo", "Iglesias"), "SMS", "other contact", "2026-01-03T10:00:00Z")
	path := "/ui/contacts/" + c
	b := signIn(t, s, spoketest.Token)
	if r := s.Do("PATCH", "/crm/v3/objects/contacts/"+c, map[string]any{"properties": map[string]string{"hs_pinned_engagement_id": gone}}); r.Status != 200 {
		t.Fatal(r.Status)
	}

	// Deleting asks first; the question page changes nothing.
	b.get(path+"/messages/"+gone+"/delete").want(t, 200, "<h1>Delete this message?</h1>", "delete me",
		"It is pinned: deleting it unpins it.", ">Delete message</button>", `href="`+path+`#message-`+gone+`">Cancel</a>`)
	if status, _ := apiProps(t, s, "communications", gone, "hs_timestamp"); status != 200 {
		t.Fatalf("question deleted the message: %d", status)
	}
	// Only messages on this record's timeline.
	b.get(path+"/messages/"+other+"/delete").want(t, http.StatusNotFound, "not on the timeline of Hugo Henriques")
	b.post(path+"/messages/"+gone+"/delete", url.Values{"csrf": {"forged"}}).want(t, http.StatusForbidden)

	p := b.post(path+"/messages/"+gone+"/delete", nil)
	page := b.follow(p).want(t, 200, "Message deleted.", "Open the recycle bin to restore it").lacks(t, "delete me")
	if got := page.messageIDs(); !slices.Equal(got, []string{keep}) {
		t.Errorf("after delete %v", got)
	}
	if status, _ := apiProps(t, s, "communications", gone, "hs_timestamp"); status != 404 {
		t.Errorf("API read after delete: %d", status)
	}
	if r := s.Do("GET", "/crm/v3/objects/communications/"+gone+"?archived=true", nil); r.Status != 200 {
		t.Errorf("archived read %d", r.Status)
	}
	if _, props := apiProps(t, s, "contacts", c, "hs_pinned_engagement_id"); props["hs_pinned_engagement_id"] != nil {
		t.Errorf("pin kept after delete: %v", props["hs_pinned_engagement_id"])
	}
	// Deleting again: not on the timeline any more.
	b.post(path+"/messages/"+gone+"/delete", nil).want(t, http.StatusNotFound)

	// The record's recycle bin lists it with its deletion time; the other contact's does not.
	s.Clock.Set(time.Date(2026, 1, 20, 11, 0, 0, 0, time.UTC))
	f.message("contacts", c, "WHATS_APP", "deleted later", "2026-01-03T10:00:00Z")
	later := apiTimeline(t, s, "contacts", "contact", c)[0]
	s.Do("DELETE", "/crm/v3/objects/communications/"+later, nil) // through the API
	bin := b.get(path+"/recycle-bin").want(t, 200, "Deleted activity of Hugo Henriques", "delete me", "deleted later",
		`Deleted <time datetime="2026-01-20T11:00:00Z">20 Jan 2026, 11:00 UTC</time>`, ">Restore<").lacks(t, "other contact", "keep me")
	if i, j := strings.Index(bin.Body, "deleted later"), strings.Index(bin.Body, "delete me"); i > j {
		t.Errorf("recycle bin is not newest deletion first")
	}
	b.get("/ui/contacts/"+f.contact("Empty", "Bin")+"/recycle-bin").want(t, 200, "The recycle bin is empty.")

	p = b.post(path+"/recycle-bin/messages/"+gone+"/restore", nil)
	if p.Location != path+"#message-"+gone {
		t.Errorf("restore goes to %q", p.Location)
	}
	page = b.follow(p).want(t, 200, "Message restored.", "delete me")
	if got := page.messageIDs(); !slices.Equal(got, []string{gone, keep}) {
		t.Errorf("after restore %v", got)
	}
	if got := apiTimeline(t, s, "contacts", "contact", c); !slices.Equal(got, []string{gone, keep}) {
		t.Errorf("API timeline after restore %v", got)
	}
	// Restoring twice is explained.
	b.post(path+"/recycle-bin/messages/"+gone+"/restore", nil).want(t, http.StatusNotFound, "not in the recycle bin any more", "Back to the recycle bin")

	// The recycle bin of every message, and of a record type.
	b.get("/ui/communications/recycle-bin").want(t, 200, "<h1>Deleted messages</h1>", "deleted later")
	p = b.post("/ui/communications/recycle-bin/"+later+"/restore", nil)
	b.follow(p).want(t, 200, "Message restored.", "The recycle bin is empty.")
	if status, _ := apiProps(t, s, "communications", later, "hs_timestamp"); status != 200 {
		t.Errorf("restored from the type bin: %d", status)
	}
	if r := s.Do("DELETE", "/crm/v3/objects/contacts/"+c, nil); r.Status != 204 {
		t.Fatal(r.Status)
	}
	b.get("/ui/contacts/recycle-bin").want(t, 200, "<h1>Deleted contacts</h1>", "Hugo Henriques")
	b.get(path).want(t, http.StatusNotFound)
	p = b.post("/ui/contacts/recycle-bin/"+c+"/restore", nil)
	b.follow(p).want(t, 200, "Contact restored.", `<a href="`+path+`">Open Hugo Henriques</a>`)
	b.get(path).want(t, 200, "delete me", "keep me")
}

func TestScopes(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	owner := s.NewOwner("zoe@example.com", "Zoe", "Zhang")
	c := f.contact("Jon", "Jardim")
	m := f.message("contacts", c, "SMS", "hello Jon", "2026-01-01T10:00:00Z", "hubspot_owner_id", strconv.FormatInt(owner.ID, 10))
	co := f.create("companies", map[string]string{"name": "Acme"})
	path := "/ui/contacts/" + c

	// Read-only: the timeline, but no forms; actions refused with 403 pages.
	ro := signIn(t, s, s.NewToken("crm.objects.contacts.read"))
	ro.get(path).want(t, 200, "hello Jon", `<span class="owner">Owner `+strconv.FormatInt(owner.ID, 10)+`</span>`).
		lacks(t, "Log a message", ">Pin<", ">Delete<", "Zoe Zhang")
	ro.get("/").want(t, 200, `href="/ui/contacts"`).lacks(t, `href="/ui/deals"`, `href="/ui/companies"`)
	ro.get(path)
	ro.post(path+"/messages", url.Values{"channel": {"SMS"}, "body": {"x"}}).
		want(t, http.StatusForbidden, "may not log messages", "crm.objects.contacts.write")
	ro.post(path+"/pin", url.Values{"engagement": {m}}).want(t, http.StatusForbidden, "crm.objects.contacts.write")
	ro.post(path+"/unpin", nil).want(t, http.StatusForbidden)
	ro.get(path+"/messages/"+m+"/delete").want(t, http.StatusForbidden)
	ro.post(path+"/messages/"+m+"/delete", nil).want(t, http.StatusForbidden)
	ro.post(path+"/recycle-bin/messages/"+m+"/restore", nil).want(t, http.StatusForbidden)
	ro.get(path+"/recycle-bin").want(t, 200, "The recycle bin is empty.").lacks(t, ">Restore<")
	ro.get("/ui/deals").want(t, http.StatusForbidden, "may not read deals", "crm.objects.deals.read")
	ro.get("/ui/companies/"+co).want(t, http.StatusForbidden)
	ro.post("/ui/contacts/recycle-bin/"+c+"/restore", nil).want(t, http.StatusForbidden)
	if status, _ := apiProps(t, s, "communications", m, "hs_timestamp"); status != 200 {
		t.Error("a refused action changed data")
	}

	// Companies only: the company, without messages (they need contacts scopes).
	cos := signIn(t, s, s.NewToken("crm.objects.companies.read", "crm.objects.companies.write"))
	cos.get("/ui/companies/"+co).want(t, 200, "<h1>Acme</h1>", "may not read activity").lacks(t, "Log a message", "Add a note", "Recycle bin: deleted activity")
	cos.get("/ui/contacts").want(t, http.StatusForbidden)
	cos.get("/").lacks(t, "Deleted activity")

	// Messages may be written but the company not changed: log and delete, no pin.
	mix := signIn(t, s, s.NewToken("crm.objects.companies.read", "crm.objects.contacts.read", "crm.objects.contacts.write", "crm.objects.owners.read"))
	mix.get("/ui/companies/"+co).want(t, 200, "Log a message", `<option value="`+strconv.FormatInt(owner.ID, 10)+`">Zoe Zhang</option>`).lacks(t, ">Pin<")
	p := mix.post("/ui/companies/"+co+"/messages", url.Values{"channel": {"SMS"}, "body": {"from mix"}})
	mix.follow(p).want(t, 200, "from mix", ">Delete<")
	mix.post("/ui/companies/"+co+"/pin", url.Values{"engagement": {"1"}}).want(t, http.StatusForbidden, "crm.objects.companies.write")
}
