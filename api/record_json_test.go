package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// recordShape is a record of a response (SimplePublicObject and its
// variants), field for field in HubSpot's order.
type recordShape struct {
	ID                    string                    `json:"id"`
	Properties            map[string]*string        `json:"properties"`
	PropertiesWithHistory map[string][]historyShape `json:"propertiesWithHistory,omitempty"`
	CreatedAt             string                    `json:"createdAt"`
	UpdatedAt             string                    `json:"updatedAt"`
	Archived              bool                      `json:"archived"`
	ArchivedAt            string                    `json:"archivedAt,omitempty"`
	ObjectWriteTraceID    string                    `json:"objectWriteTraceId,omitempty"`
	Associations          map[string]pageShape      `json:"associations,omitempty"`
	New                   *bool                     `json:"new,omitempty"`
}

type historyShape struct {
	Value      string `json:"value"`
	Timestamp  string `json:"timestamp"`
	SourceType string `json:"sourceType"`
	SourceID   string `json:"sourceId,omitempty"`
}

type pageShape struct {
	Results []struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"results"`
	Paging json.RawMessage `json:"paging,omitempty"`
}

type batchShape struct {
	Status      string          `json:"status"`
	Results     []recordShape   `json:"results"`
	NumErrors   int             `json:"numErrors,omitempty"`
	Errors      json.RawMessage `json:"errors,omitempty"`
	StartedAt   string          `json:"startedAt"`
	CompletedAt string          `json:"completedAt"`
}

type listShape struct {
	Results []recordShape   `json:"results"`
	Paging  json.RawMessage `json:"paging,omitempty"`
}

// canonical fails t unless body is what encoding/json writes (HTML
// escaping off, map keys sorted) for the value of shape it holds.
func canonical[T any](t *testing.T, r *spoketest.Response, status int) T {
	t.Helper()
	var v T
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%v: %s", err, r.Body)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	if got, want := string(r.Body), strings.TrimSuffix(buf.String(), "\n"); got != want {
		t.Errorf("response not as encoding/json writes it:\ngot  %s\nwant %s", got, want)
	}
	return v
}

// TestRecordResponsesJSON writes records with values that need escapes (or
// must not get them) through every route that returns records, and checks
// each response is byte for byte what encoding/json writes for it.
func TestRecordResponsesJSON(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	values := []string{
		`<b>Tom & "Jerry"</b>`, "line\nbreak\ttab\r\x01\x1f\x7f", "é 中文 😀 \u2028 \u2029 \ufeff", `back\slash /`, "",
	}
	var items []string
	for i, v := range values {
		q, _ := json.Marshal(v)
		items = append(items, fmt.Sprintf(`{"properties":{"email":"r%d@example.com","firstname":%s,"lastname":"L%d"},"objectWriteTraceId":"trace<%d>"}`, i, q, i, i))
	}
	created := canonical[batchShape](t, s.Do("POST", "/crm/v3/objects/contacts/batch/create", `{"inputs":[`+strings.Join(items, ",")+`]}`), 201)
	if len(created.Results) != len(values) {
		t.Fatalf("%d results", len(created.Results))
	}
	byEmail := map[string]recordShape{}
	for _, r := range created.Results {
		byEmail[*r.Properties["email"]] = r
	}
	for i, v := range values {
		r := byEmail[fmt.Sprintf("r%d@example.com", i)]
		if got := r.Properties["firstname"]; got == nil && v != "" || got != nil && *got != v || r.ObjectWriteTraceID != fmt.Sprintf("trace<%d>", i) {
			t.Errorf("record %d: %+v", i, r)
		}
	}
	id := byEmail["r0@example.com"].ID
	company := canonical[recordShape](t, s.Do("POST", "/crm/v3/objects/companies", `{"properties":{"name":"<Acme & Co>"},`+
		`"associations":[{"to":{"id":"`+id+`"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":280}]}]}`), 201)
	canonical[recordShape](t, s.Do("PATCH", "/crm/v3/objects/contacts/"+id, `{"properties":{"lastname":"\u003cnew\u003e \\ \"q\""}}`), 200)
	canonical[batchShape](t, s.Do("POST", "/crm/v3/objects/contacts/batch/update",
		`{"inputs":[{"id":"`+id+`","properties":{"lastname":"<again>"},"objectWriteTraceId":"u1"},{"id":"424242","properties":{"lastname":"x"}}]}`), 207)
	upserted := canonical[batchShape](t, s.Do("POST", "/crm/v3/objects/contacts/batch/upsert",
		`{"inputs":[{"id":"r1@example.com","idProperty":"email","properties":{"lastname":"&up"}},{"id":"new@example.com","idProperty":"email","properties":{"lastname":"<n>"}}]}`), 200)
	news := 0
	for _, r := range upserted.Results {
		if r.New == nil {
			t.Errorf("upserted record without new: %+v", r)
		} else if *r.New {
			news++
		}
	}
	if news != 1 {
		t.Errorf("%d new records upserted", news)
	}
	got := canonical[recordShape](t, s.Do("GET", "/crm/v3/objects/contacts/"+id+"?properties=firstname,lastname,nothing&propertiesWithHistory=lastname&associations=companies", nil), 200)
	if len(got.PropertiesWithHistory["lastname"]) < 2 || len(got.Associations["companies"].Results) != 1 || got.Associations["companies"].Results[0].ID != company.ID {
		t.Errorf("read %+v", got)
	}
	canonical[batchShape](t, s.Do("POST", "/crm/v3/objects/contacts/batch/read",
		`{"inputs":[{"id":"`+id+`"},{"id":"424242"}],"properties":["firstname"],"propertiesWithHistory":["lastname"]}`), 207)
	list := canonical[listShape](t, s.Do("GET", "/crm/v3/objects/contacts?limit=2&properties=firstname&associations=companies", nil), 200)
	if len(list.Results) != 2 || len(list.Paging) == 0 {
		t.Errorf("list %+v", list)
	}
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/contacts/"+byEmail["r2@example.com"].ID, nil), 204)
	archived := canonical[listShape](t, s.Do("GET", "/crm/v3/objects/contacts?archived=true", nil), 200)
	if len(archived.Results) != 1 || !archived.Results[0].Archived || archived.Results[0].ArchivedAt == "" {
		t.Errorf("archived %+v", archived)
	}
}
