package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// Messages of the batch prologue (decode, input limits), word for word.
const (
	msgNoBody          = "Invalid JSON input: a request body was expected, but none found"
	msgNoInputsField   = "Invalid input JSON on line 1, column 2. Some required fields were not set: [inputs]"
	msgObjectsEmpty    = "At least one input is required in a batch request"
	msgEmpty           = "At least one input is required"
	msgHistoryLimit    = "The maximum number of inputs supported in a batch request for property histories is 50. Please reduce the number of items and try again"
	msgLimitFormat     = "The maximum number of inputs supported in a batch is %d. Please reduce the number of items and try again"
	msgInputsNotArray  = "Invalid input JSON on line 1, column 12: Cannot deserialize inputs: expected an array, got JSON object"
	msgUnterminated    = "Invalid input JSON on line 1, column 12: Unexpected end of input"
	categoryValidation = "VALIDATION_ERROR"
)

// many is a batch body of n inputs, each the JSON item given (%d in it
// numbered from 1), with the extra top-level fields (",..." or "").
func many(n int, item, extra string) string {
	items := make([]string, n)
	for i := range items {
		items[i] = item
		if strings.Contains(item, "%d") {
			items[i] = fmt.Sprintf(item, i+1)
		}
	}
	return `{"inputs":[` + strings.Join(items, ",") + `]` + extra + `}`
}

// TestBatchPrologue pins what every batch endpoint answers before it looks
// at a single input: a missing or malformed body, no "inputs", an empty
// batch, and one input more than its limit (50 with property history).
func TestBatchPrologue(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	limit := func(n int) string { return fmt.Sprintf(msgLimitFormat, n) }
	type reply struct {
		status   int
		message  string
		category string
	}
	bad := func(message, category string) reply { return reply{http.StatusBadRequest, message, category} }
	type endpoint struct {
		path string
		item string // one valid-looking input
		max  int
		// noInputs and empty are the answers to {} and {"inputs":[]}; a
		// zero status means the batch is accepted (okEmpty).
		noInputs, empty reply
		okEmpty         int
	}
	objects := func(op string) endpoint {
		return endpoint{path: "/crm/v3/objects/deals/batch/" + op, item: `{"id":"1","properties":{"dealname":"x"}}`, max: 100,
			noInputs: bad(msgNoInputsField, ""), empty: bad(msgObjectsEmpty, categoryValidation)}
	}
	associations := func(path, item string, max int) endpoint {
		return endpoint{path: path, item: item, max: max, noInputs: bad(msgEmpty, categoryValidation), empty: bad(msgEmpty, categoryValidation)}
	}
	properties := func(op string, okEmpty int) endpoint {
		return endpoint{path: "/crm/v3/properties/contacts/batch/" + op, item: `{"name":"x"}`, max: 100, okEmpty: okEmpty}
	}
	pair := `{"from":{"id":"1"},"to":{"id":"2"}}`
	endpoints := []endpoint{
		objects("create"), objects("read"), objects("update"), objects("upsert"), objects("archive"),
		func() endpoint { e := objects("create"); e.path = "/crm/objects/2026-03/deals/batch/create"; return e }(),
		associations("/crm/v4/associations/contacts/companies/batch/create", pair, 2000),
		associations("/crm/v4/associations/contacts/companies/batch/associate/default", pair, 2000),
		associations("/crm/v4/associations/contacts/companies/batch/read", `{"id":"1"}`, 1000),
		associations("/crm/v4/associations/contacts/companies/batch/archive", `{"from":{"id":"1"},"to":[{"id":"2"}]}`, 2000),
		associations("/crm/v4/associations/contacts/companies/batch/labels/archive", pair, 2000),
		associations("/crm/associations/2026-03/contacts/companies/batch/create", pair, 2000),
		associations("/crm/v3/associations/contacts/companies/batch/create", pair, 2000),
		associations("/crm/v3/associations/contacts/companies/batch/read", `{"id":"1"}`, 1000),
		associations("/crm/v3/associations/contacts/companies/batch/archive", pair, 2000),
		associations("/_spoke/objects/contacts/batch/restore", `{"id":"1"}`, 100),
		properties("create", http.StatusCreated), properties("read", http.StatusOK), properties("archive", http.StatusNoContent),
	}
	for _, e := range endpoints {
		t.Run(strings.TrimPrefix(e.path, "/"), func(t *testing.T) {
			check := func(what, body string, want reply) {
				t.Helper()
				r := s.Do("POST", e.path, body)
				got := r.JSON()
				if r.Status != want.status || got["message"] != want.message || fmt.Sprint(got["category"]) != fmt.Sprint(orNil(want.category)) || got["status"] != "error" {
					t.Errorf("%s: %d %s\nwant %d %q category %q", what, r.Status, r.Body, want.status, want.message, want.category)
				}
			}
			check("no body", "", bad(msgNoBody, categoryValidation))
			check("inputs not an array", `{"inputs":{}}`, bad(msgInputsNotArray, ""))
			check("unterminated", `{"inputs":[`, bad(msgUnterminated, ""))
			check("one too many", many(e.max+1, e.item, ""), bad(limit(e.max), categoryValidation))
			if e.okEmpty == 0 {
				check("no inputs", `{}`, e.noInputs)
				check("inputs null", `{"inputs":null}`, e.noInputs)
				check("empty", `{"inputs":[]}`, e.empty)
				return
			}
			for _, body := range []string{`{}`, `{"inputs":null}`, `{"inputs":[]}`} {
				if r := s.Do("POST", e.path, body); r.Status != e.okEmpty {
					t.Errorf("%s: %d %s, want %d", body, r.Status, r.Body, e.okEmpty)
				}
			}
		})
	}
	// Reads with property history take at most 50 inputs; that check comes first.
	t.Run("history", func(t *testing.T) {
		for _, path := range []string{"/crm/v3/objects/deals/batch/read", "/crm/objects/2026-03/deals/batch/read"} {
			for _, n := range []int{51, 101} {
				got := mustStatus(t, s.Do("POST", path, many(n, `{"id":"1"}`, `,"propertiesWithHistory":["dealname"]`)), http.StatusBadRequest)
				if got["message"] != msgHistoryLimit || got["category"] != categoryValidation {
					t.Errorf("%s %d inputs with history: %v", path, n, got)
				}
			}
			// At the limit the inputs are read: the ids name no deal.
			for _, body := range []string{many(50, `{"id":"%d"}`, `,"propertiesWithHistory":["dealname"]`), many(100, `{"id":"%d"}`, ""), many(100, `{"id":"%d"}`, `,"propertiesWithHistory":[]`)} {
				got := mustStatus(t, s.Do("POST", path, body), http.StatusMultiStatus)
				if got["numErrors"] != float64(1) {
					t.Errorf("%s at the limit: %v", path, got)
				}
			}
		}
	})
	// The limits hold for batches of other endpoints too: at the limit, the
	// inputs are read.
	t.Run("at the limit", func(t *testing.T) {
		for _, x := range []struct {
			path, item string
			n, status  int
		}{
			{"/crm/v3/objects/deals/batch/archive", `{"id":"%d"}`, 100, http.StatusNoContent},
			{"/crm/v4/associations/contacts/companies/batch/read", `{"id":"%d"}`, 1000, http.StatusMultiStatus},
			{"/crm/v3/properties/contacts/batch/read", `{"name":"nope%d"}`, 100, http.StatusMultiStatus},
			{"/_spoke/objects/contacts/batch/restore", `{"id":"%d"}`, 100, http.StatusNotFound},
		} {
			if r := s.Do("POST", x.path, many(x.n, x.item, "")); r.Status != x.status {
				t.Errorf("%s with %d inputs: %d %s", x.path, x.n, r.Status, r.Body)
			}
		}
	})
}

// orNil is nil for "" (an absent JSON field) and s otherwise.
func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}
