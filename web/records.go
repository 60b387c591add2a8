package web

import (
	"net/http"
	"net/url"
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
// engagement types when allowActivity), and checks the read scope.
func (h *Handler) resolve(c *call, allowActivity bool) (*crm.ObjectType, *typeView, error) {
	name := c.r.PathValue("type")
	t, err := h.engine.Types.Resolve(name)
	var v *typeView
	if err == nil {
		v = viewOfType(t)
	}
	if v == nil || (v.Segment != "" && !allowActivity) {
		return nil, nil, notFound("There is no page for " + strconv.Quote(name) + ".")
	}
	if !c.canRead(t) {
		return nil, nil, forbidden("read "+strings.ToLower(v.Label), t.ReadScopes)
	}
	return t, v, nil
}

// typeOf is the current snapshot of a type the pages know.
func (h *Handler) typeOf(v *typeView) *crm.ObjectType {
	t, err := h.engine.Types.Resolve(v.ID)
	if err != nil {
		panic("web: unknown type " + v.ID)
	}
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
	for _, v := range h.recordViews() {
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
	if t, err = h.labelled(c, t); err != nil {
		return err
	}
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

// loadRecord reads the live record named in the path. A form sent from a
// record's page names the record's creation time (recordCreated): if the
// id now names another record (the data was reset or seeded again since
// the page was loaded, and ids start over), nothing is done to it.
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
	if c.r.Method == http.MethodPost {
		// A merged record's id leads to the record it was merged into,
		// which is the one meant.
		shown := c.r.PostFormValue("record_created")
		if sameID := strconv.FormatInt(rec.ID, 10) == id; sameID && shown != "" && shown != recordCreated(rec) {
			pe := &pageError{Status: http.StatusConflict, Title: "Conflict",
				Message: "Nothing was changed: " + v.Singular + " " + id + " is not the " + v.Singular + " your page showed. That one was deleted, and its id now names " +
					v.titleOf(rec.ID, rec.Properties) + " (the data was reset or seeded again). Reload the page or find the " + v.Singular + " in the list."}
			pe.Back, pe.BackLabel = Prefix+v.Name, "Back to "+strings.ToLower(v.Label)
			return nil, pe
		}
	}
	return rec, nil
}

// recordCreated is a record's creation time in epoch milliseconds, which
// forms on its pages send back (record_created) to name the record they
// were shown for.
func recordCreated(rec *crm.Record) string {
	return strconv.FormatInt(rec.CreatedAt.UnixMilli(), 10)
}
