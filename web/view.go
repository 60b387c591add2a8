package web

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spoke-crm/spoke/crm"
)

// ownersReadScope lets a token read owners' names.
const ownersReadScope = "crm.objects.owners.read"

// typeView is how the pages show one object type: a record type
// (recordTypes) or an engagement type (activityTypes).
type typeView struct {
	ID       string // crm type id
	Name     string // plural path segment
	Label    string // "Contacts"
	Singular string // "contact"
	// Columns are the properties of the list after the record's title.
	Columns []string
	// Main are the properties of the record page.
	Main []string
	// Title picks the record's title from its properties.
	Title func(p map[string]string) string

	// Engagement types only (activityTypes):
	// Segment names the type on a record page: its timeline filter and
	// the addresses of its entries ("messages", "notes").
	Segment string
	// Key names the type's icon and colour.
	Key string
	// Body is the property shown as the entry's sanitised HTML body.
	Body string
	// Summary builds the one-line summary of the types without a body,
	// and says whether it shows the entry's time.
	Summary func(t *crm.ObjectType, p map[string]string) ([]summaryPart, bool)
}

var recordTypes = []*typeView{
	{ID: "0-1", Name: "contacts", Label: "Contacts", Singular: "contact",
		Columns: []string{"email", "phone", "company"},
		Main: []string{"email", "phone", "mobilephone", "hs_whatsapp_phone_number", "company", "jobtitle", "city", "country",
			"lifecyclestage", "hs_lead_status", "hubspot_owner_id", "createdate"},
		Title: func(p map[string]string) string {
			return first(strings.TrimSpace(p["firstname"]+" "+p["lastname"]), p["email"])
		}},
	{ID: "0-2", Name: "companies", Label: "Companies", Singular: "company",
		Columns: []string{"domain", "city", "industry"},
		Main: []string{"domain", "website", "phone", "industry", "city", "country", "numberofemployees", "lifecyclestage", "type",
			"hubspot_owner_id", "createdate"},
		Title: func(p map[string]string) string { return first(p["name"], p["domain"]) }},
	{ID: "0-3", Name: "deals", Label: "Deals", Singular: "deal",
		Columns: []string{"dealstage", "amount", "closedate"},
		Main:    []string{"amount", "pipeline", "dealstage", "closedate", "dealtype", "description", "hubspot_owner_id", "createdate"},
		Title:   func(p map[string]string) string { return p["dealname"] }},
	{ID: "0-5", Name: "tickets", Label: "Tickets", Singular: "ticket",
		Columns: []string{"hs_pipeline_stage", "hs_ticket_priority", "hs_ticket_category"},
		Main: []string{"hs_pipeline", "hs_pipeline_stage", "hs_ticket_priority", "hs_ticket_category", "source_type", "content",
			"hubspot_owner_id", "createdate"},
		Title: func(p map[string]string) string { return p["subject"] }},
}

// first is the first of vs that shows something (blank).
func first(vs ...string) string {
	for _, v := range vs {
		if !blank(v) {
			return v
		}
	}
	return ""
}

func viewOf(typeID string) *typeView {
	for _, v := range recordTypes {
		if v.ID == typeID {
			return v
		}
	}
	for _, v := range activityTypes {
		if v.ID == typeID {
			return v
		}
	}
	return nil
}

func (v *typeView) titleOf(id int64, props map[string]string) string {
	if v.Title != nil {
		if t := v.Title(props); !blank(t) {
			return t
		}
	}
	return capitalize(v.Singular) + " " + strconv.FormatInt(id, 10)
}

// capitalize puts the first letter of s in upper case, whole: "équipe"
// becomes "Équipe".
func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 || r == utf8.RuneError {
		return s
	}
	return string(unicode.ToTitle(r)) + s[size:]
}

// base is what every page's layout needs.
type base struct {
	Title   string
	CSRF    string
	Viewer  string // the token's name; "" when signed out
	Nav     []navLink
	Flash   *flash
	Section string
}

type navLink struct {
	Label   string
	URL     string
	Current bool
}

// fill sets the layout's fields for a signed-in person.
func (h *Handler) fill(c *call, b *base, title, section string) {
	b.Title, b.Section, b.CSRF, b.Viewer = title, section, c.sess.csrf, c.p.Name
	if b.Viewer == "" {
		b.Viewer = "token " + strconv.FormatInt(c.p.TokenID, 10)
	}
	// A notice that cannot be read is dropped: the page matters more.
	b.Flash, _ = h.sessions.takeFlash(ctxOf(c), c.sess)
	for _, v := range h.recordViews() {
		t, _ := h.engine.Types.Resolve(v.ID)
		if c.canRead(t) {
			b.Nav = append(b.Nav, navLink{Label: v.Label, URL: Prefix + v.Name, Current: section == v.Name})
		}
	}
	// One link to the recycle bins of engagements: the first the token may
	// read; that page links to the others.
	if bins := h.readableActivities(c); len(bins) > 0 {
		current := false
		for _, v := range bins {
			current = current || section == v.Name
		}
		b.Nav = append(b.Nav, navLink{Label: "Deleted activity", URL: Prefix + bins[0].Name + "/recycle-bin", Current: current})
	}
}

// readableActivities are the engagement types the token may read.
func (h *Handler) readableActivities(c *call) []*typeView {
	var out []*typeView
	for _, v := range activityTypes {
		if t, err := h.engine.Types.Resolve(v.ID); err == nil && c.canRead(t) {
			out = append(out, v)
		}
	}
	return out
}

// timeView is an instant for a <time> element: ISO UTC for the machine and
// script, and a UTC text shown until the script shows local time.
type timeView struct {
	ISO  string
	Text string
}

func timeOf(t time.Time) timeView {
	if t.IsZero() {
		return timeView{}
	}
	t = t.UTC()
	return timeView{ISO: t.Format(time.RFC3339), Text: t.Format("2 Jan 2006, 15:04") + " UTC"}
}

func timeOfValue(v string) timeView {
	t, ok := crm.ParseInstant(v)
	if !ok {
		return timeView{Text: v}
	}
	return timeOf(t)
}

// valueView is one property value as shown.
type valueView struct {
	Label string
	Text  string
	Time  timeView // set for datetimes
}

// owners maps owner ids to display names for one request.
type owners struct {
	names map[string]string
	live  []ownerOption
}

type ownerOption struct {
	ID   string
	Name string
}

// loadOwners reads every owner's name, when the token may read owners.
func (h *Handler) loadOwners(c *call) (*owners, error) {
	o := &owners{names: map[string]string{}}
	if !c.p.Can([]string{ownersReadScope}) {
		return o, nil
	}
	for _, archived := range []bool{false, true} {
		after := int64(0)
		for range 20 { // at most 10,000 owners of each kind
			list, next, err := h.engine.ListOwners(c.r.Context(), crm.OwnerQuery{Archived: archived, AfterID: after, Limit: 500})
			if err != nil {
				return nil, err
			}
			for _, ow := range list {
				id := strconv.FormatInt(ow.ID, 10)
				name := first(strings.TrimSpace(ow.FirstName+" "+ow.LastName), ow.Email)
				o.names[id] = name
				if !archived {
					o.live = append(o.live, ownerOption{ID: id, Name: name})
				}
			}
			if next == 0 {
				break
			}
			after = next
		}
	}
	sort.SliceStable(o.live, func(i, j int) bool { return strings.ToLower(o.live[i].Name) < strings.ToLower(o.live[j].Name) })
	return o, nil
}

// deactivated reports whether id names an owner that is no longer active.
func (o *owners) deactivated(id string) bool {
	if _, known := o.names[id]; !known {
		return false
	}
	for _, l := range o.live {
		if l.ID == id {
			return false
		}
	}
	return true
}

// withChosen is the active owners to choose from, and chosen, marked, when
// a form chose an owner deactivated since: the choice stays in view beside
// the refusal instead of turning into "No owner".
func (o *owners) withChosen(chosen string) []ownerOption {
	if !o.deactivated(chosen) {
		return o.live
	}
	return append(slices.Clip(o.live), ownerOption{ID: chosen, Name: o.name(chosen) + " (deactivated)"})
}

func (o *owners) name(id string) string {
	if id == "" {
		return ""
	}
	if n, ok := o.names[id]; ok {
		return n
	}
	return "Owner " + id
}

// value renders a stored value of property p for people.
func value(p *crm.PropertyDefinition, v string, o *owners) valueView {
	out := valueView{Label: p.Label, Text: v}
	switch {
	case p.ReferencedObjectType == "OWNER":
		out.Text = o.name(v)
	case p.Type == crm.TypeDatetime:
		out.Time = timeOfValue(v)
		out.Text = out.Time.Text
	case p.Type == crm.TypeNumber:
		out.Text = formatNumber(v)
	case p.Type == crm.TypeBool:
		out.Text = map[string]string{"true": "Yes", "false": "No"}[v]
	case p.Type == crm.TypeEnumeration && len(p.Options) > 0:
		var labels []string
		for _, part := range strings.Split(v, ";") {
			label := part
			for _, opt := range p.Options {
				if opt.Value == part {
					label = opt.Label
				}
			}
			labels = append(labels, label)
		}
		out.Text = strings.Join(labels, ", ")
	}
	return out
}

// numberRE is a plain decimal number, as number properties are stored.
var numberRE = regexp.MustCompile(`^([-+]?)([0-9]+)(\.[0-9]+)?$`)

// formatNumber groups the digits of a decimal number in threes with commas,
// as the pages' English does ("-1234567.125" → "-1,234,567.125"). The
// fraction is kept as stored, never rounded; anything else is shown as is.
func formatNumber(v string) string {
	m := numberRE.FindStringSubmatch(v)
	if m == nil {
		return v
	}
	digits := m[2]
	var b strings.Builder
	b.WriteString(m[1])
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	b.WriteString(m[3])
	return b.String()
}

// formatCount is formatNumber for counts.
func formatCount(n int) string { return formatNumber(strconv.Itoa(n)) }

// channelView shows a message's channel: a word and a distinct icon, so the
// channel never depends on colour alone.
type channelView struct {
	Value string
	Label string
	// Key names the icon and the style: whatsapp, linkedin, sms or other.
	Key string
}

var channelKeys = map[string]string{crm.ChannelWhatsApp: "whatsapp", crm.ChannelLinkedIn: "linkedin", crm.ChannelSMS: "sms"}

func (h *Handler) channel(v string) channelView {
	key, ok := channelKeys[v]
	if !ok {
		return channelView{Value: v, Label: first(v, "Message"), Key: "other"}
	}
	return channelView{Value: v, Label: h.channelLabel(v), Key: key}
}

// channelLabel is the option label the domain gives the channel value.
func (h *Handler) channelLabel(v string) string {
	t, _ := h.engine.Types.Resolve(communicationsID)
	if p := t.Property("hs_communication_channel_type"); p != nil {
		for _, o := range p.Options {
			if o.Value == v {
				return o.Label
			}
		}
	}
	return v
}

// channels lists the channel values in the domain's order.
func (h *Handler) channels() []channelView {
	t, _ := h.engine.Types.Resolve(communicationsID)
	var out []channelView
	if p := t.Property("hs_communication_channel_type"); p != nil {
		for _, o := range p.Options {
			out = append(out, h.channel(o.Value))
		}
	}
	return out
}

// Templates: each page is layout.html and parts.html plus its own file.
var pageNames = []string{"signin", "home", "list", "record", "delete", "recyclebin", "error"}

func parsePages(static func(string) string) map[string]*template.Template {
	funcs := template.FuncMap{
		"static": static,
		"lower":  strings.ToLower,
		"count":  formatCount,
		"dict": func(kv ...any) map[string]any {
			m := make(map[string]any, len(kv)/2)
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		},
	}
	out := map[string]*template.Template{}
	for _, name := range pageNames {
		t := template.New("layout.html").Funcs(funcs)
		t = template.Must(t.ParseFS(templateFS, "templates/layout.html", "templates/parts.html", "templates/"+name+".html"))
		out[name] = t
	}
	return out
}

// render writes a page; it renders into memory first so a template error
// becomes a clean 500.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := h.pages[name].Execute(&buf, data); err != nil {
		h.logger.ErrorContext(r.Context(), "web: render", "page", name, "err", err)
		http.Error(w, "The page could not be shown.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

type errorData struct {
	base
	Err *pageError
}

// renderError shows err as a page. c is nil for people not signed in.
func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, c *call, err error) {
	pe := fromEngine(err, nil)
	if pe.Status >= 500 {
		h.logger.ErrorContext(r.Context(), "web: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	data := &errorData{Err: pe}
	if c != nil {
		h.fill(c, &data.base, pe.Title, "")
	} else {
		data.Title = pe.Title
	}
	h.render(w, r, pe.Status, "error", data)
}

// redirect sends the person on after a successful form, with a notice.
func (h *Handler) redirect(c *call, to string, f *flash) error {
	if f != nil {
		if err := h.sessions.setFlash(ctxOf(c), c.sess, f); err != nil {
			return err
		}
	}
	http.Redirect(c.w, c.r, to, http.StatusSeeOther)
	return nil
}

func ctxOf(c *call) context.Context { return c.r.Context() }
