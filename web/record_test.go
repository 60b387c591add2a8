package web_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"image/png"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/spoketest"
)

// associate links two records with their default association, as
// PUT /crm/v4/objects/{from}/{id}/associations/default/{to}/{id} does.
func (f fixture) associate(from, fromID, to, toID string) {
	f.t.Helper()
	if _, err := f.s.Engine.AssociateDefault(context.Background(), actor, f.typ(from), fromID, f.typ(to), toID); err != nil {
		f.t.Fatal(err)
	}
}

// TestLogFormDefaults: the form's channel follows the timeline's filter,
// its owner is the record's owner, and the page after logging keeps the
// filter when the new message passes it.
func TestLogFormDefaults(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	rui := strconv.FormatInt(s.NewOwner("rui@example.com", "Rui", "Alves").ID, 10)
	ana := strconv.FormatInt(s.NewOwner("ana@example.com", "Ana", "Lima").ID, 10)
	owned := f.create("contacts", map[string]string{"firstname": "Owned", "email": "owned@example.com", "hubspot_owner_id": rui})
	unowned := f.contact("No", "Owner")
	b := signIn(t, s, spoketest.Token)
	path := "/ui/contacts/" + owned

	// No filter: WhatsApp; the record's owner is chosen, not "No owner".
	p := b.get(path).want(t, 200, `<input type="radio" name="channel" value="WHATS_APP" checked>`,
		`<option value="`+rui+`" selected>Rui Alves</option>`, `<option value="`+ana+`">Ana Lima</option>`).lacks(t, `name="filter"`)
	if log := p.form(t, path+"/messages"); strings.Count(log.Body, " checked>") != 1 || strings.Count(log.Body, " selected>") != 1 {
		t.Errorf("one channel and one owner should be chosen")
	}
	// "Add a note" too has the record's owner.
	p.form(t, path+"/notes").want(t, 200, `<option value="`+rui+`" selected>Rui Alves</option>`).lacks(t, `name="filter`)
	b.get("/ui/contacts/"+unowned).want(t, 200, `<option value="">No owner</option>`).lacks(t, " selected>")

	// The filter chooses the channel, and goes with the form.
	for _, ch := range []string{"SMS", "LINKEDIN_MESSAGE", "WHATS_APP"} {
		b.get(path+"?channel="+ch).want(t, 200, `<input type="radio" name="channel" value="`+ch+`" checked>`,
			`<input type="hidden" name="filter" value="`+ch+`">`)
	}
	b.get(path+"?channel=FAX").want(t, 200, `value="WHATS_APP" checked>`).lacks(t, `name="filter"`)

	// Logging on the filtered timeline returns to it...
	b.get(path + "?channel=SMS")
	p = b.post(path+"/messages", url.Values{"channel": {"SMS"}, "body": {"on the filter"}, "filter": {"SMS"}, "owner": {rui}})
	if !strings.HasPrefix(p.Location, path+"?channel=SMS#message-") {
		t.Errorf("after logging on the SMS timeline: %q", p.Location)
	}
	b.follow(p).want(t, 200, `aria-current="true">SMS</a>`, "on the filter", `value="SMS" checked>`)
	// ...unless the filter would hide the new message.
	p = b.post(path+"/messages", url.Values{"channel": {"WHATS_APP"}, "body": {"other channel"}, "filter": {"SMS"}})
	if !strings.HasPrefix(p.Location, path+"#message-") {
		t.Errorf("after logging WhatsApp on the SMS timeline: %q", p.Location)
	}
	// A refused form keeps what was chosen ("No owner" too) and the filter;
	// the other form keeps its defaults.
	p = b.post(path+"/messages", url.Values{"channel": {"LINKEDIN_MESSAGE"}, "body": {" "}, "filter": {"SMS"}, "owner": {""}}).
		want(t, http.StatusBadRequest, `value="LINKEDIN_MESSAGE" checked>`, `<input type="hidden" name="filter" value="SMS">`,
			`aria-current="true">SMS</a>`)
	p.form(t, path+"/messages").lacks(t, " selected>")
	p.form(t, path+"/notes").want(t, http.StatusBadRequest, `<option value="`+rui+`" selected>Rui Alves</option>`)
	b.post(path+"/messages", url.Values{"channel": {"SMS"}, "body": {" "}, "owner": {ana}}).form(t, path+"/messages").
		want(t, http.StatusBadRequest, `<option value="`+ana+`" selected>Ana Lima</option>`, `<option value="`+rui+`">Rui Alves</option>`)

	// A type filter goes with both forms; a new entry returns to it when it
	// passes it.
	p = b.get(path + "?type=notes")
	for _, action := range []string{path + "/messages", path + "/notes"} {
		p.form(t, action).want(t, 200, `<input type="hidden" name="filter_type" value="notes">`).lacks(t, `name="filter"`)
	}
	p = b.post(path+"/notes", url.Values{"body": {"on the notes timeline"}, "filter_type": {"notes"}})
	if !strings.HasPrefix(p.Location, path+"?type=notes#note-") {
		t.Errorf("after adding a note on the notes timeline: %q", p.Location)
	}
	p = b.post(path+"/messages", url.Values{"channel": {"SMS"}, "body": {"a message"}, "filter_type": {"notes"}})
	if !strings.HasPrefix(p.Location, path+"#message-") {
		t.Errorf("after logging a message on the notes timeline: %q", p.Location)
	}
	p = b.post(path+"/messages", url.Values{"channel": {"SMS"}, "body": {"a message"}, "filter_type": {"messages"}})
	if !strings.HasPrefix(p.Location, path+"?type=messages#message-") {
		t.Errorf("after logging a message on the messages timeline: %q", p.Location)
	}
	b.post(path+"/notes", url.Values{"body": {""}, "filter_type": {"calls"}, "owner": {ana}}).
		want(t, http.StatusBadRequest, `aria-current="true">Calls</a>`).form(t, path+"/notes").
		want(t, http.StatusBadRequest, `<input type="hidden" name="filter_type" value="calls">`, `<option value="`+ana+`" selected>Ana Lima</option>`)
}

// TestAssociatedRecords: a record page lists the records of the other
// types associated with it, as links, with counts; past the first ten a
// link leads to all of them, a page at a time.
func TestAssociatedRecords(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	co := f.create("companies", map[string]string{"name": "Acme Lda"})
	deal := f.create("deals", map[string]string{"dealname": "Big order", "dealstage": "closedwon", "pipeline": "default", "amount": "12500000.75"})
	tk := f.create("tickets", map[string]string{"subject": "Broken kiln", "hs_pipeline": "0", "hs_pipeline_stage": "1"})
	var contacts []string
	for i := range 30 {
		id := f.create("contacts", map[string]string{"firstname": "Person", "lastname": strconv.Itoa(i), "email": "p" + strconv.Itoa(i) + "@example.com"})
		f.associate("contacts", id, "companies", co)
		contacts = append(contacts, id)
	}
	f.associate("deals", deal, "contacts", contacts[0])
	f.associate("deals", deal, "contacts", contacts[1])
	f.associate("deals", deal, "companies", co)
	f.associate("tickets", tk, "deals", deal)
	lonely := f.contact("Lonely", "Person")
	b := signIn(t, s, spoketest.Token)

	// The deal: its contacts, company and ticket, each a link.
	b.get("/ui/deals/"+deal).want(t, 200, `<h2 id="assoc-h">Associated records</h2>`,
		`<h3 id="assoc-contacts">Contacts <span class="count">(2)</span></h3>`,
		`<li><a href="/ui/contacts/`+contacts[0]+`">Person 0</a></li>`, `<li><a href="/ui/contacts/`+contacts[1]+`">Person 1</a></li>`,
		`<h3 id="assoc-companies">Companies <span class="count">(1)</span></h3>`, `<li><a href="/ui/companies/`+co+`">Acme Lda</a></li>`,
		`<h3 id="assoc-tickets">Tickets <span class="count">(1)</span></h3>`, `<li><a href="/ui/tickets/`+tk+`">Broken kiln</a></li>`,
	).lacks(t, "assoc-deals", "/associated/")

	// The company: ten of its thirty contacts, and a link to all.
	p := b.get("/ui/companies/"+co).want(t, 200, `<h3 id="assoc-contacts">Contacts <span class="count">(30)</span></h3>`,
		`<a href="/ui/companies/`+co+`/associated/contacts">All 30 contacts</a>`,
		`<li><a href="/ui/deals/`+deal+`">Big order</a></li>`).lacks(t, "assoc-tickets")
	if n := strings.Count(p.Body, `<li><a href="/ui/contacts/`); n != 10 {
		t.Errorf("company page lists %d contacts, want 10", n)
	}
	all := b.get("/ui/companies/"+co+"/associated/contacts").want(t, 200, "<h1>Contacts of Acme Lda</h1>",
		`<a href="/ui/companies/`+co+`">Acme Lda</a></nav>`, "30 contacts are associated with this company.", `rel="next">Next page</a>`)
	next := regexpFind(t, all.Body, `<a href="([^"]+)" rel="next">Next page`)
	second := b.get(next).want(t, 200, "First page").lacks(t, "Next page")
	seen := map[string]bool{}
	for _, page := range []*page{all, second} {
		for _, m := range mustRE(`<th scope="row"><a href="/ui/contacts/(\d+)">`).FindAllStringSubmatch(page.Body, -1) {
			seen[m[1]] = true
		}
	}
	for _, id := range contacts {
		if !seen[id] {
			t.Errorf("contact %s is on neither page", id)
		}
	}

	// A contact: its company and deal; one without any says so.
	b.get("/ui/contacts/"+contacts[0]).want(t, 200, `<li><a href="/ui/companies/`+co+`">Acme Lda</a></li>`, `<li><a href="/ui/deals/`+deal+`">Big order</a></li>`)
	b.get("/ui/contacts/"+lonely).want(t, 200, "No other records are associated with this contact.")
	b.get("/ui/tickets/"+tk).want(t, 200, `<li><a href="/ui/deals/`+deal+`">Big order</a></li>`)

	// Only the types the token may read.
	dealsOnly := signIn(t, s, s.NewToken("crm.objects.deals.read", "crm.objects.companies.read"))
	dealsOnly.get("/ui/deals/"+deal).want(t, 200, `<li><a href="/ui/companies/`+co+`">Acme Lda</a></li>`).lacks(t, "assoc-contacts", "Person 0", "Broken kiln")
	dealsOnly.get("/ui/companies/"+co+"/associated/contacts").want(t, http.StatusForbidden, "may not read contacts")

	// Pages that are not there.
	b.get("/ui/companies/"+co+"/associated/communications").want(t, http.StatusNotFound)
	b.get("/ui/companies/"+co+"/associated/companies").want(t, http.StatusNotFound)
	b.get("/ui/companies/"+co+"/associated/widgets").want(t, http.StatusNotFound)
	b.get("/ui/companies/10000999999/associated/contacts").want(t, http.StatusNotFound, "There is no company 10000999999")
	b.get("/ui/companies/"+co+"/associated/contacts?after=abc").want(t, 200, "30 contacts are associated")
}

// TestNumbersFormatted: number properties and counts show their digits in
// groups of three.
func TestNumbersFormatted(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	deal := f.create("deals", map[string]string{"dealname": "Big order", "dealstage": "closedwon", "pipeline": "default", "amount": "12500000.75"})
	f.create("deals", map[string]string{"dealname": "Refund", "dealstage": "closedwon", "pipeline": "default", "amount": "-1234"})
	co := f.create("companies", map[string]string{"name": "Acme Lda", "numberofemployees": "1200"})
	var inputs []crm.CreateInput
	for i := range 1234 {
		inputs = append(inputs, crm.CreateInput{Properties: map[string]string{"subject": "Ticket " + strconv.Itoa(i), "hs_pipeline": "0", "hs_pipeline_stage": "1"}})
	}
	if _, err := s.Engine.CreateBatch(context.Background(), actor, f.typ("tickets"), inputs, false); err != nil {
		t.Fatal(err)
	}
	b := signIn(t, s, spoketest.Token)
	b.get("/").want(t, 200, `<span class="card-title">Tickets</span> <span class="count">1,234</span>`)
	b.get("/ui/tickets?q=ticket").want(t, 200, "1,234 matches for")
	b.get("/ui/deals/"+deal).want(t, 200, "<dt>Amount</dt><dd>12,500,000.75</dd>")
	b.get("/ui/deals").want(t, 200, `<td data-label="Amount">12,500,000.75</td>`, `<td data-label="Amount">-1,234</td>`)
	b.get("/ui/companies/"+co).want(t, 200, "<dd>1,200</dd>")
}

func TestFavicon(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	b := newBrowser(t, s) // not signed in: the icon needs no session
	p := b.get("/favicon.ico")
	if p.Status != http.StatusOK || p.Header.Get("Content-Type") != "image/x-icon" {
		t.Fatalf("GET /favicon.ico: %d %q", p.Status, p.Header.Get("Content-Type"))
	}
	sizes := icoSizes(t, []byte(p.Body))
	if strings.Join(sizes, " ") != "16 32 48" {
		t.Errorf("icon sizes %v", sizes)
	}
	signIn(t, s, spoketest.Token).get("/").want(t, 200, `<link rel="icon" href="/favicon.ico"`)
	if r := s.Do("POST", "/favicon.ico", nil); r.Status == http.StatusOK {
		t.Errorf("POST /favicon.ico: %d", r.Status)
	}
}

// icoSizes reads an ICO file whose images are PNGs and returns their
// sizes, checking each PNG decodes at the size its entry gives.
func icoSizes(t *testing.T, ico []byte) []string {
	t.Helper()
	if len(ico) < 6 || binary.LittleEndian.Uint16(ico[0:]) != 0 || binary.LittleEndian.Uint16(ico[2:]) != 1 {
		t.Fatalf("not an ICO file: % x", ico[:min(len(ico), 16)])
	}
	var sizes []string
	for i := range int(binary.LittleEndian.Uint16(ico[4:])) {
		e := ico[6+16*i : 6+16*(i+1)]
		size, length, offset := int(e[0]), binary.LittleEndian.Uint32(e[8:]), binary.LittleEndian.Uint32(e[12:])
		img, err := png.Decode(bytes.NewReader(ico[offset : offset+length]))
		if err != nil {
			t.Fatalf("image %d: %v", i, err)
		}
		if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
			t.Errorf("image %d is %v, its entry says %d", i, b, size)
		}
		sizes = append(sizes, strconv.Itoa(size))
	}
	return sizes
}
