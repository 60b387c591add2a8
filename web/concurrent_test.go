package web_test

import (
	"context"
	"html"
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

// Two people on one timeline: an Unpin sent from a page that showed an
// entry as pinned unpins that entry only. When someone else has pinned
// another one since, the newer pin stays and the page says so; through the
// API, too, a pin set after the page was loaded is kept.
func TestStaleUnpinKeepsNewerPin(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	c := f.contact("Lia", "Lopes")
	first := f.message("contacts", c, "SMS", "first", "2026-01-01T10:00:00Z")
	second := f.message("contacts", c, "WHATS_APP", "second", "2026-01-02T10:00:00Z")
	path := "/ui/contacts/" + c
	alice := signIn(t, s, spoketest.Token)
	bob := signIn(t, s, spoketest.Token)
	alice.get(path)
	alice.follow(alice.post(path+"/pin", url.Values{"engagement": {first}, "kind": {"messages"}})).want(t, 200, "is-pinned")

	// Bob's page shows the first message pinned; its Unpin names it.
	unpin := bob.get(path).want(t, 200).form(t, path+"/unpin")
	unpin.want(t, 200, `name="engagement" value="`+first+`"`)

	// Alice pins the second message; then Bob unpins from his page.
	alice.follow(alice.post(path+"/pin", url.Values{"engagement": {second}, "kind": {"messages"}})).want(t, 200)
	p := bob.post(path+"/unpin", url.Values{"engagement": {first}, "kind": {"messages"}})
	bob.follow(p).want(t, 200, "That message is not pinned any more", "Nothing was unpinned.",
		`<li id="message-`+second+`" class="entry ch-whatsapp is-pinned">`)
	if _, props := apiProps(t, s, "contacts", c, "hs_pinned_engagement_id"); props["hs_pinned_engagement_id"] != second {
		t.Errorf("pin after a stale unpin: %v, want %s", props["hs_pinned_engagement_id"], second)
	}

	// The same after an API client pins.
	if r := s.Do("PATCH", "/crm/v3/objects/contacts/"+c, map[string]any{"properties": map[string]string{"hs_pinned_engagement_id": first}}); r.Status != http.StatusOK {
		t.Fatalf("pin through the API: %d %s", r.Status, r.Body)
	}
	bob.follow(bob.post(path+"/unpin", url.Values{"engagement": {second}, "kind": {"messages"}})).want(t, 200, "Nothing was unpinned.")
	if _, props := apiProps(t, s, "contacts", c, "hs_pinned_engagement_id"); props["hs_pinned_engagement_id"] != first {
		t.Errorf("pin after a stale unpin: %v, want %s", props["hs_pinned_engagement_id"], first)
	}

	// An Unpin of the entry that is pinned works.
	bob.follow(bob.post(path+"/unpin", url.Values{"engagement": {first}, "kind": {"messages"}})).want(t, 200, "Message unpinned.").lacks(t, "is-pinned")
	if _, props := apiProps(t, s, "contacts", c, "hs_pinned_engagement_id"); props["hs_pinned_engagement_id"] != nil {
		t.Errorf("pin after unpin: %v", props["hs_pinned_engagement_id"])
	}
}

// formValues are the hidden fields of a form on a page, which must name
// its record: what a browser sends back, less the csrf token the browser
// helper adds.
func formValues(t *testing.T, form *page) url.Values {
	t.Helper()
	return formValuesNamed(t, form, "record_created")
}

// After POST /_spoke/reset ids start over: a page loaded before it names a
// record whose id now belongs to another one. Its forms change nothing
// there (409, in words); a record merged into another is still the one the
// page meant.
func TestFormsAfterResetNameTheirRecord(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	s.Clock.Set(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	gil := f.contact("Gil", "Gomes")
	kept := f.message("contacts", gil, "SMS", "Gil's message", "2026-02-01T10:00:00Z")
	binned := f.message("contacts", gil, "SMS", "Gil's deleted message", "2026-02-02T10:00:00Z")
	path := "/ui/contacts/" + gil
	b := signIn(t, s, spoketest.Token)
	b.get(path).want(t, 200)
	b.follow(b.post(path+"/pin", url.Values{"engagement": {kept}, "kind": {"messages"}})).want(t, 200, "is-pinned")
	b.follow(b.post(path+"/messages/"+binned+"/delete", nil)).want(t, 200, "Message deleted.")

	// The forms as the pages show them before the reset.
	rec := b.get(path).want(t, 200, "Gil Gomes")
	forms := map[string]url.Values{}
	for _, action := range []string{path + "/messages", path + "/notes", path + "/unpin"} {
		forms[action] = formValues(t, rec.form(t, action))
	}
	forms[path+"/messages"].Set("body", "meant for Gil")
	forms[path+"/messages"].Set("channel", "SMS")
	forms[path+"/notes"].Set("body", "a note for Gil")
	del := path + "/messages/" + kept + "/delete"
	forms[del] = formValues(t, b.get(del).want(t, 200, "Gil&#39;s message").form(t, del))
	restore := path + "/recycle-bin/messages/" + binned + "/restore"
	forms[restore] = formValues(t, b.get(path+"/recycle-bin").want(t, 200, "Gil&#39;s deleted message").form(t, restore))
	pin := formValues(t, rec.form(t, path+"/unpin")) // a Pin form is shown for unpinned entries only
	pin.Set("engagement", kept)

	// The data is reset; a new contact gets Gil's ids, with messages of its own.
	if r := s.Do("POST", "/_spoke/reset", nil); r.Status != http.StatusNoContent {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	s.Clock.Set(time.Date(2026, 3, 1, 9, 1, 0, 0, time.UTC))
	ines := f.contact("Ines", "Ibarra")
	theirs := f.message("contacts", ines, "SMS", "Ines's message", "2026-02-01T10:00:00Z")
	theirBinned := f.message("contacts", ines, "SMS", "Ines's deleted message", "2026-02-02T10:00:00Z")
	if ines != gil || theirs != kept || theirBinned != binned {
		t.Fatalf("ids after the reset: %s %s %s, want %s %s %s", ines, theirs, theirBinned, gil, kept, binned)
	}
	if r := s.Do("PATCH", "/crm/v3/objects/contacts/"+ines, map[string]any{"properties": map[string]string{"hs_pinned_engagement_id": theirs}}); r.Status != http.StatusOK {
		t.Fatalf("pin: %d %s", r.Status, r.Body)
	}
	if r := s.Do("DELETE", "/crm/v3/objects/communications/"+theirBinned, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}

	for action, form := range forms {
		p := b.post(action, form)
		if p.Status != http.StatusConflict {
			t.Errorf("%s %v: %d %s", action, form, p.Status, p.Location)
		}
		p.want(t, http.StatusConflict, "Nothing was changed", "is not the contact your page showed", "Ines Ibarra")
	}
	b.post(path+"/pin", pin).want(t, http.StatusConflict, "Nothing was changed")
	if got := apiTimeline(t, s, "contacts", "contact", ines); !slices.Equal(got, []string{theirs}) {
		t.Errorf("Ines's messages after the stale forms: %v, want only %s", got, theirs)
	}
	if _, props := apiProps(t, s, "contacts", ines, "hs_pinned_engagement_id"); props["hs_pinned_engagement_id"] != theirs {
		t.Errorf("Ines's pin: %v, want %s", props["hs_pinned_engagement_id"], theirs)
	}
	if r := s.Do("POST", "/crm/v3/objects/notes/search", map[string]any{}); r.JSON()["total"] != float64(0) {
		t.Errorf("notes after the stale form: %s", r.Body)
	}

	// Ines's own page works.
	fresh := formValues(t, b.get(path).want(t, 200, "Ines Ibarra").form(t, path+"/messages"))
	fresh.Set("body", "for Ines")
	fresh.Set("channel", "SMS")
	b.follow(b.post(path+"/messages", fresh)).want(t, 200, "Message logged.", "for Ines")

	// A contact merged into another: its old page's forms reach the other.
	s.Clock.Set(time.Date(2026, 3, 1, 9, 2, 0, 0, time.UTC))
	dup := f.contact("Ines", "Duplicate")
	old := formValues(t, b.get("/ui/contacts/"+dup).want(t, 200).form(t, "/ui/contacts/"+dup+"/messages"))
	if r := s.Do("POST", "/crm/v3/objects/contacts/merge", map[string]any{"primaryObjectId": ines, "objectIdToMerge": dup}); r.Status != http.StatusOK {
		t.Fatalf("merge: %d %s", r.Status, r.Body)
	}
	old.Set("body", "after the merge")
	old.Set("channel", "SMS")
	p := b.post("/ui/contacts/"+dup+"/messages", old)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("message on a merged contact's page: %d %s", p.Status, p.Body)
	}
}

// Pin, Unpin and Delete on a filtered timeline come back to it filtered,
// as logging a message does: the person working through a record's SMS
// messages, or its notes, stays there.
func TestActionsKeepTheTimelineFilter(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	c := f.contact("Fia", "Faria")
	sms := f.message("contacts", c, "SMS", "an sms", "2026-01-01T10:00:00Z")
	other := f.message("contacts", c, "SMS", "another sms", "2026-01-02T10:00:00Z")
	note := f.engagement("notes", "contacts", c, map[string]string{"hs_note_body": "a note", "hs_timestamp": "2026-01-03T10:00:00Z"})
	path := "/ui/contacts/" + c
	b := signIn(t, s, spoketest.Token)

	for _, tc := range []struct {
		query, kind, id string
		hidden          string
	}{
		{"channel=SMS", "messages", sms, `<input type="hidden" name="filter" value="SMS">`},
		{"type=notes", "notes", note, `<input type="hidden" name="filter_type" value="notes">`},
	} {
		filtered := path + "?" + tc.query
		page := b.get(filtered).want(t, 200)
		pinForm := page.form(t, path+"/pin")
		pinForm.want(t, 200, tc.hidden)
		form := formValues(t, pinForm)
		form.Set("engagement", tc.id)
		form.Set("kind", tc.kind)
		p := b.post(path+"/pin", form)
		if p.Location != filtered+"#timeline" {
			t.Errorf("after Pin on %s: to %q", filtered, p.Location)
		}
		unpin := b.follow(p).want(t, 200, "is-pinned").form(t, path+"/unpin")
		unpin.want(t, 200, tc.hidden)
		if p := b.post(path+"/unpin", formValues(t, unpin)); p.Location != filtered+"#timeline" {
			t.Errorf("after Unpin on %s: to %q", filtered, p.Location)
		}
	}

	// Delete: the question is asked with the filter, and its answer and
	// Cancel lead back to the filtered timeline.
	del := path + "/messages/" + other + "/delete"
	b.get(path+"?channel=SMS").want(t, 200, `href="`+del+`?channel=SMS"`)
	q := b.get(del+"?channel=SMS").want(t, 200, `<a href="`+path+`?channel=SMS#message-`+other+`">Cancel</a>`)
	form := formValues(t, q.form(t, del))
	if form.Get("filter") != "SMS" {
		t.Errorf("the delete question's form does not keep the filter: %v", form)
	}
	if p := b.post(del, form); p.Location != path+"?channel=SMS#timeline" {
		t.Errorf("after Delete: to %q", p.Location)
	}
	// Without a filter, as before.
	if p := b.post(path+"/pin", url.Values{"engagement": {sms}}); p.Location != path+"#timeline" {
		t.Errorf("after Pin without a filter: to %q", p.Location)
	}
}

// The recycle bins of a type after POST /_spoke/reset: a Restore button of
// a page loaded before restores nothing when its id now names another
// deleted record or engagement.
func TestTypeBinRestoreAfterReset(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	s.Clock.Set(time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC))
	archive := func(typ, id string) {
		t.Helper()
		if r := s.Do("DELETE", "/crm/v3/objects/"+typ+"/"+id, nil); r.Status != http.StatusNoContent {
			t.Fatalf("delete %s %s: %d %s", typ, id, r.Status, r.Body)
		}
	}
	setUp := func(first, second string) (string, string) {
		gone := f.contact(first, "Gone")
		msg := f.message("contacts", f.contact(second, "Kept"), "SMS", first+"'s deleted message", "2026-03-01T10:00:00Z")
		archive("contacts", gone)
		archive("communications", msg)
		return gone, msg
	}
	contact, msg := setUp("Olga", "Otto")
	b := signIn(t, s, spoketest.Token)
	restoreContact := "/ui/contacts/recycle-bin/" + contact + "/restore"
	restoreMsg := "/ui/communications/recycle-bin/" + msg + "/restore"
	contactForm := formValuesNamed(t, b.get("/ui/contacts/recycle-bin").want(t, 200, "Olga Gone").form(t, restoreContact), "created")
	msgForm := formValuesNamed(t, b.get("/ui/communications/recycle-bin").want(t, 200, "Olga&#39;s deleted message").form(t, restoreMsg), "created")

	if r := s.Do("POST", "/_spoke/reset", nil); r.Status != http.StatusNoContent {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	s.Clock.Set(time.Date(2026, 4, 1, 9, 1, 0, 0, time.UTC))
	contact2, msg2 := setUp("Pia", "Paulo")
	if contact2 != contact || msg2 != msg {
		t.Fatalf("ids after the reset: %s %s, want %s %s", contact2, msg2, contact, msg)
	}
	b.post(restoreContact, contactForm).want(t, http.StatusConflict, "Nothing was restored", "not the one your page showed")
	b.post(restoreMsg, msgForm).want(t, http.StatusConflict, "Nothing was restored")
	if st, _ := apiProps(t, s, "contacts", contact, "firstname"); st != http.StatusNotFound {
		t.Errorf("Pia's deleted contact after a stale restore: %d, want still deleted", st)
	}
	if st, _ := apiProps(t, s, "communications", msg, "hs_communication_body"); st != http.StatusNotFound {
		t.Errorf("Pia's deleted message after a stale restore: %d, want still deleted", st)
	}

	// The bins as they are now restore them.
	fresh := formValuesNamed(t, b.get("/ui/contacts/recycle-bin").want(t, 200, "Pia Gone").form(t, restoreContact), "created")
	b.follow(b.post(restoreContact, fresh)).want(t, 200, "Contact restored.")
	fresh = formValuesNamed(t, b.get("/ui/communications/recycle-bin").want(t, 200, "Pia&#39;s deleted message").form(t, restoreMsg), "created")
	b.follow(b.post(restoreMsg, fresh)).want(t, 200, "Message restored.")
}

// formValuesNamed is formValues for a form that must carry the hidden
// field name.
func formValuesNamed(t *testing.T, form *page, name string) url.Values {
	t.Helper()
	out := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)">`).FindAllStringSubmatch(form.Body, -1) {
		if m[1] != "csrf" {
			out.Set(m[1], html.UnescapeString(m[2]))
		}
	}
	if out.Get(name) == "" {
		t.Fatalf("the form has no %s:\n%s", name, form.Body)
	}
	return out
}

// A form sent after the session ended (twelve idle hours) leads to the
// sign-in page, and signing in returns to the page the form was on (its
// Referer, when it is a page of this site), not to the start page.
func TestFormAfterSessionEndedReturnsToItsPage(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	c := f.contact("Ivo", "Idle")
	start := time.Now()
	s.Clock.Set(start)
	b := signIn(t, s, spoketest.Token)
	where := "/ui/contacts/" + c + "?channel=SMS"
	b.get(where).want(t, 200)
	s.Clock.Set(start.Add(13 * time.Hour))

	send := func(referer string) *page {
		t.Helper()
		form := url.Values{"csrf": {b.csrf}, "channel": {"SMS"}, "body": {"typed before lunch"}}
		req, err := http.NewRequest("POST", s.URL+"/ui/contacts/"+c+"/messages", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if referer != "" {
			req.Header.Set("Referer", referer)
		}
		return b.do(req)
	}
	p := send("https://elsewhere.example" + where)
	if p.Status != http.StatusSeeOther || p.Location != "/ui/sign-in" {
		t.Errorf("a form from another site: %d %q, want the plain sign-in page", p.Status, p.Location)
	}
	p = send(s.URL + where)
	want := "/ui/sign-in?" + url.Values{"next": {where}}.Encode()
	if p.Status != http.StatusSeeOther || p.Location != want {
		t.Fatalf("a form after the session ended: %d %q, want %q", p.Status, p.Location, want)
	}
	b.get(p.Location).want(t, 200, `name="next" value="`+html.EscapeString(where)+`"`)
	p = b.post("/ui/sign-in", url.Values{"token": {spoketest.Token}, "next": {where}})
	if p.Status != http.StatusSeeOther || p.Location != where {
		t.Errorf("signed in again: %d %q, want %q", p.Status, p.Location, where)
	}
	if got := apiTimeline(t, s, "contacts", "contact", c); len(got) != 0 {
		t.Errorf("a form without a session logged %v", got)
	}
}

// An owner deactivated while the page was open: "Log a message" and "Add a
// note" refuse the choice in words, by the owner's name, and the form
// comes back with that choice still shown (marked), not quietly changed to
// "No owner".
func TestOwnerDeactivatedWhileThePageWasOpen(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	olga := s.NewOwner("olga@example.com", "Olga", "Owens")
	s.NewOwner("paul@example.com", "Paul", "Pires")
	id := strconv.FormatInt(olga.ID, 10)
	c := f.create("contacts", map[string]string{"firstname": "Ana", "hubspot_owner_id": id})
	path := "/ui/contacts/" + c
	b := signIn(t, s, spoketest.Token)
	rec := b.get(path).want(t, 200, `<option value="`+id+`" selected>Olga Owens</option>`)
	msg := formValues(t, rec.form(t, path+"/messages"))
	note := formValues(t, rec.form(t, path+"/notes"))
	if err := s.Engine.ArchiveOwner(context.Background(), olga.ID); err != nil {
		t.Fatal(err)
	}
	msg.Set("channel", "SMS")
	msg.Set("body", "for Olga")
	msg.Set("owner", id)
	p := b.post(path+"/messages", msg).want(t, http.StatusBadRequest, "The message was not logged.",
		"Owner: Olga Owens is deactivated. Choose another owner.",
		`<option value="`+id+`" selected>Olga Owens (deactivated)</option>`).lacks(t, "is not a valid owner id")
	p.form(t, path+"/notes").want(t, http.StatusBadRequest).lacks(t, "Olga Owens")
	note.Set("body", "a note for Olga")
	note.Set("owner", id)
	b.post(path+"/notes", note).want(t, http.StatusBadRequest, "The note was not added.", "Owner: Olga Owens is deactivated.",
		`<option value="`+id+`" selected>Olga Owens (deactivated)</option>`)
	if got := apiTimeline(t, s, "contacts", "contact", c); len(got) != 0 {
		t.Errorf("logged %v", got)
	}
}

// Delete on an older page of a timeline comes back to that page (after the
// same entry as before), filtered as it was: someone clearing out old
// messages does not start again from the newest each time.
func TestDeleteOnAnOlderPageComesBackToIt(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	c := f.contact("Otto", "Older")
	base := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 30 {
		ids = append(ids, f.message("contacts", c, "SMS", "sms "+strconv.Itoa(i), base.Add(time.Duration(i)*time.Hour).Format(time.RFC3339)))
	}
	path := "/ui/contacts/" + c
	b := signIn(t, s, spoketest.Token)
	older := b.get(path + "?channel=SMS").olderURL()
	if older == "" {
		t.Fatal("no older page")
	}
	page := b.get(older).want(t, 200)
	shown := page.messageIDs()
	if len(shown) != 5 || shown[0] != ids[4] {
		t.Fatalf("older page shows %v", shown)
	}
	u, err := url.Parse(older)
	if err != nil {
		t.Fatal(err)
	}
	del := path + "/messages/" + ids[2] + "/delete"
	link := del + "?" + u.Query().Encode()
	page.want(t, 200, `href="`+html.EscapeString(link)+`"`)
	q := b.get(link).want(t, 200, `<a href="`+html.EscapeString(older)+`#message-`+ids[2]+`">Cancel</a>`)
	p := b.post(del, formValues(t, q.form(t, del)))
	if p.Location != older+"#timeline" {
		t.Fatalf("after Delete on an older page: to %q, want %q", p.Location, older+"#timeline")
	}
	if got := b.follow(p).want(t, 200, "Message deleted.").messageIDs(); !slices.Equal(got, []string{ids[4], ids[3], ids[1], ids[0]}) {
		t.Errorf("the older page after the delete shows %v", got)
	}
}
