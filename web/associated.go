package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/spoke-crm/spoke/crm"
)

// assocPreview is how many associated records of each type a record page
// lists; the rest are a link away.
const assocPreview = 10

// assocGroup is a record's associated records of one type.
type assocGroup struct {
	Type    *typeView
	Total   int
	Records []assocLink
	// MoreURL lists them all, when the record page shows only some.
	MoreURL string
}

type assocLink struct {
	Title string
	URL   string
}

// associatedSearch finds the records of type other associated with rec,
// through the engine's search (an associations.{type} filter), in id order.
func (h *Handler) associatedSearch(c *call, t *crm.ObjectType, rec *crm.Record, other *crm.ObjectType, offset, limit int) (*crm.SearchResult, error) {
	return h.engine.Search(ctxOf(c), other, crm.SearchRequest{
		FilterGroups: [][]crm.FilterInput{{eq("associations."+t.Singular, strconv.FormatInt(rec.ID, 10))}},
		Limit:        &limit,
		After:        strconv.Itoa(offset),
	})
}

// associated lists, for each other record type the token may read, the
// first records associated with rec.
func (h *Handler) associated(c *call, t *crm.ObjectType, v *typeView, rec *crm.Record) ([]assocGroup, error) {
	var out []assocGroup
	for _, ov := range h.recordViews() {
		if ov.ID == v.ID {
			continue
		}
		ot, _ := h.engine.Types.Resolve(ov.ID)
		if !c.canRead(ot) {
			continue
		}
		res, err := h.associatedSearch(c, t, rec, ot, 0, assocPreview)
		if err != nil {
			return nil, err
		}
		if res.Total == 0 {
			continue
		}
		g := assocGroup{Type: ov, Total: res.Total}
		for _, r := range res.Records {
			g.Records = append(g.Records, assocLink{Title: ov.titleOf(r.ID, r.Properties), URL: recordURL(ov, r.ID)})
		}
		if res.Total > len(g.Records) {
			g.MoreURL = recordURL(v, rec.ID) + "/associated/" + ov.Name
		}
		out = append(out, g)
	}
	return out, nil
}

// associatedList shows every record of one type associated with a record,
// a page at a time.
func (h *Handler) associatedList(c *call) error {
	t, v, err := h.resolve(c, false)
	if err != nil {
		return err
	}
	rec, err := h.loadRecord(c, t, v)
	if err != nil {
		return err
	}
	name := c.r.PathValue("other")
	ot, err := h.engine.Types.Resolve(name)
	var ov *typeView
	if err == nil {
		ov = viewOfType(ot)
	}
	if ov == nil || ov.Segment != "" || ov.ID == v.ID {
		return notFound("There is no page for " + strconv.Quote(name) + " of a " + v.Singular + ".")
	}
	if !c.canRead(ot) {
		return forbidden("read "+strings.ToLower(ov.Label), ot.ReadScopes)
	}
	o, err := h.loadOwners(c)
	if err != nil {
		return err
	}
	offset, _ := strconv.Atoi(c.r.URL.Query().Get("after"))
	offset = max(0, min(offset, crm.MaxSearchResults-listPageSize))
	res, err := h.associatedSearch(c, t, rec, ot, offset, listPageSize)
	if err != nil {
		return err
	}
	title := v.titleOf(rec.ID, rec.Properties)
	here := recordURL(v, rec.ID) + "/associated/" + ov.Name
	data := &listData{Type: ov, Total: res.Total, Of: &listOf{Type: v, Title: title, URL: recordURL(v, rec.ID)}}
	h.fill(c, &data.base, ov.Label+" of "+title, v.Name)
	if ot, err = h.labelled(c, ot); err != nil {
		return err
	}
	data.Columns = h.columns(ot, ov)
	var objs []*crm.Object
	for _, r := range res.Records {
		objs = append(objs, r.Object)
	}
	data.Rows = h.rows(ot, ov, objs, o)
	if res.NextOffset > 0 {
		data.NextURL = here + "?" + url.Values{"after": {strconv.Itoa(res.NextOffset)}}.Encode()
	}
	if offset > 0 {
		data.FirstURL = here
	}
	h.render(c.w, c.r, http.StatusOK, "list", data)
	return nil
}
