package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/spoke-crm/spoke/crm"
)

// scalar accepts a filter value sent as a JSON string, number or boolean.
type scalar string

func (s *scalar) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) > 0 && b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = scalar(v)
	case string(b) == "true" || string(b) == "false" || (len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9'))):
		*s = scalar(b)
	default:
		return kindError(b, reflect.TypeFor[scalar]())
	}
	return nil
}

type filterJSON struct {
	PropertyName *string  `json:"propertyName"`
	Operator     *string  `json:"operator"`
	Value        *scalar  `json:"value"`
	HighValue    *scalar  `json:"highValue"`
	Values       []scalar `json:"values"`
}

func (f filterJSON) input() crm.FilterInput {
	in := crm.FilterInput{PropertyName: f.PropertyName, Operator: f.Operator}
	if f.Value != nil {
		v := string(*f.Value)
		in.Value = &v
	}
	if f.HighValue != nil {
		v := string(*f.HighValue)
		in.HighValue = &v
	}
	for _, v := range f.Values {
		in.Values = append(in.Values, string(v))
	}
	return in
}

// sortJSON accepts HubSpot's sort objects and, as a leniency, plain strings
// ("hs_timestamp", "-hs_timestamp"). A JSON object sent inside a string is
// ignored, as HubSpot ignores it.
type sortJSON crm.SortInput

func (s *sortJSON) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		v = strings.TrimSpace(v)
		switch {
		case strings.HasPrefix(v, "{") || v == "":
			s.Ignored = true
		case strings.HasPrefix(v, "-"):
			s.PropertyName, s.Direction = v[1:], "DESCENDING"
		default:
			s.PropertyName, s.Direction = v, "ASCENDING"
		}
		return nil
	}
	var obj struct {
		PropertyName *string `json:"propertyName"`
		Direction    string  `json:"direction"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	if obj.PropertyName == nil {
		return &invalidValueError{msg: "Cannot build Sort, some of required attributes are not set [propertyName]"}
	}
	s.PropertyName, s.Direction = *obj.PropertyName, obj.Direction
	return nil
}

type searchBody struct {
	FilterGroups []struct {
		Filters []filterJSON `json:"filters"`
	} `json:"filterGroups"`
	Filters    []filterJSON `json:"filters"`
	Sorts      []sortJSON   `json:"sorts"`
	Query      string       `json:"query"`
	Properties []string     `json:"properties"`
	Limit      *int         `json:"limit"`
	After      *scalar      `json:"after"`
}

type searchResponse struct {
	Total   int          `json:"total"`
	Results []objectJSON `json:"results"`
	Paging  *struct {
		Next struct {
			After string `json:"after"`
		} `json:"next"`
	} `json:"paging,omitempty"`
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) error {
	var body searchBody
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	req := crm.SearchRequest{Query: body.Query, Properties: body.Properties, Limit: body.Limit}
	if body.After != nil {
		req.After = string(*body.After)
	}
	for _, g := range body.FilterGroups {
		var group []crm.FilterInput
		for _, f := range g.Filters {
			group = append(group, f.input())
		}
		req.FilterGroups = append(req.FilterGroups, group)
	}
	if len(body.Filters) > 0 {
		var group []crm.FilterInput
		for _, f := range body.Filters {
			group = append(group, f.input())
		}
		req.FilterGroups = append(req.FilterGroups, group)
	}
	for _, so := range body.Sorts {
		req.Sorts = append(req.Sorts, crm.SortInput(so))
	}
	t := objectType(r)
	res, err := s.Engine.Search(r.Context(), t, req)
	if err != nil {
		return err
	}
	out := searchResponse{Total: res.Total, Results: make([]objectJSON, len(res.Records))}
	for i, rec := range res.Records {
		out.Results[i] = newObjectJSON(rec.Object, crm.SelectProperties(t, rec.Object, body.Properties))
	}
	if res.NextOffset > 0 {
		out.Paging = &struct {
			Next struct {
				After string `json:"after"`
			} `json:"next"`
		}{}
		out.Paging.Next.After = strconv.Itoa(res.NextOffset)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
