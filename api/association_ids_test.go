package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// badIDs are record ids that name no record: beyond 64 bits, negative,
// zero, in exponent or decimal notation, not numbers, empty.
var badIDs = []string{
	"99999999999999999999999", "9223372036854775808", "-99999999999999999999999", "18446744073709551616",
	"-1", "0", "1e5", "1.5", "abc", "", " 7", "0x10",
}

// exchange is one request of the association fuzz and what it must answer.
type exchange struct {
	method, path, body string
	status             int    // the status wanted
	category           string // the error's category, or of every batch error item
}

// sendRaw makes a request without following redirects, so that what the server
// answers is what is checked.
func sendRaw(t *testing.T, s *spoketest.Server, method, path, body string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+spoketest.Token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	client := &http.Client{Transport: s.Client.Transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, data
}

// checkExchange sends x and checks the answer: never a 5xx, HubSpot's error
// body with the response's correlation id, batch error items that are input
// errors (never "internal error").
func checkExchange(t *testing.T, s *spoketest.Server, x exchange) {
	t.Helper()
	resp, data := sendRaw(t, s, x.method, x.path, x.body)
	where := fmt.Sprintf("%s %s %s", x.method, x.path, x.body)
	if resp.StatusCode >= 500 {
		t.Errorf("%s: %d %s", where, resp.StatusCode, data)
		return
	}
	if resp.StatusCode != x.status {
		t.Errorf("%s: status %d, want %d: %s", where, resp.StatusCode, x.status, data)
		return
	}
	if resp.StatusCode == http.StatusNoContent {
		return
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json;charset=utf-8" {
		t.Errorf("%s: Content-Type %q", where, ct)
		return
	}
	var body map[string]any
	if err := json.Unmarshal(data, &body); err != nil {
		t.Errorf("%s: %v: %s", where, err, data)
		return
	}
	if resp.StatusCode >= 400 {
		if body["status"] != "error" || body["message"] == "" || body["correlationId"] != resp.Header.Get("X-HubSpot-Correlation-Id") {
			t.Errorf("%s: error body %s", where, data)
		}
		if body["category"] != nil && body["category"] != x.category || body["category"] == nil && x.category != "" {
			t.Errorf("%s: category %v, want %q: %s", where, body["category"], x.category, data)
		}
		return
	}
	errs, _ := body["errors"].([]any)
	if (resp.StatusCode == http.StatusMultiStatus || x.category != "") && len(errs) == 0 {
		t.Errorf("%s: %d without errors: %s", where, resp.StatusCode, data)
	}
	for _, e := range errs {
		item := e.(map[string]any)
		if item["status"] != "error" || item["message"] == "internal error" || item["category"] != x.category {
			t.Errorf("%s: error item %v, want category %q", where, item, x.category)
		}
	}
	if body["status"] != "COMPLETE" || body["startedAt"] == nil || body["completedAt"] == nil {
		t.Errorf("%s: batch body %s", where, data)
	}
}

// TestAssociationRoutesRefuseBadIDs sends ids that name no record to every
// association route, in the path and in batch bodies (as JSON strings and,
// where they are JSON numbers, as numbers): missing records are 404
// OBJECT_NOT_FOUND (per input in batches), removals of nothing succeed,
// and nothing answers 500.
func TestAssociationRoutesRefuseBadIDs(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	contact := newContact(t, s, "fuzz@example.com")
	company := newCompany(t, s, "Fuzz Inc")
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/contacts/"+contact+"/associations/default/companies/"+company, nil), 200)
	const spec = `[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":279}]`
	const types = `"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":279}]`
	const notFound = "OBJECT_NOT_FOUND"

	for _, bad := range badIDs {
		p := url.PathEscape(bad)
		var xs []exchange
		if bad != "" {
			// In the path. An empty segment is a route of its own, below.
			for _, v4 := range []string{"/crm/v4/objects", "/crm/objects/2026-03"} {
				xs = append(xs,
					exchange{"GET", v4 + "/contacts/" + p + "/associations/companies", "", 404, notFound},
					exchange{"PUT", v4 + "/contacts/" + p + "/associations/companies/" + company, spec, 404, notFound},
					exchange{"PUT", v4 + "/contacts/" + contact + "/associations/companies/" + p, spec, 404, notFound},
					exchange{"PUT", v4 + "/contacts/" + p + "/associations/default/companies/" + company, "", 404, notFound},
					exchange{"PUT", v4 + "/contacts/" + contact + "/associations/default/companies/" + p, "", 404, notFound},
					exchange{"DELETE", v4 + "/contacts/" + p + "/associations/companies/" + company, "", 204, ""},
					exchange{"DELETE", v4 + "/contacts/" + contact + "/associations/companies/" + p, "", 204, ""},
				)
			}
			v3 := "/crm/v3/objects/contacts/"
			xs = append(xs,
				exchange{"GET", v3 + p + "/associations/companies", "", 404, notFound},
				exchange{"PUT", v3 + p + "/associations/companies/" + company + "/contact_to_company_unlabeled", "", 404, notFound},
				exchange{"PUT", v3 + contact + "/associations/companies/" + p + "/279", "", 404, notFound},
				exchange{"DELETE", v3 + p + "/associations/companies/" + company + "/279", "", 204, ""},
				exchange{"DELETE", v3 + contact + "/associations/companies/" + p + "/279", "", 204, ""},
				// As an association type id or name.
				exchange{"PUT", v3 + contact + "/associations/companies/" + company + "/" + p, "", 400, "VALIDATION_ERROR"},
			)
			// As a label's type id: not an integer is a 400, an integer names no label.
			label := exchange{status: 404, category: notFound}
			if _, err := strconv.ParseInt(bad, 10, 32); err != nil {
				label = exchange{status: 400, category: "VALIDATION_ERROR"}
			}
			for _, labels := range []string{"/crm/v4/associations", "/crm/associations/v4", "/crm/associations/2026-03"} {
				xs = append(xs, exchange{"DELETE", labels + "/contacts/companies/labels/" + p, "", label.status, label.category})
			}
		}

		// In batch bodies, as strings and, when the text is a JSON number, as numbers.
		forms := []string{fmt.Sprintf("%q", bad)}
		var n json.Number
		if json.Unmarshal([]byte(bad), &n) == nil && bad != "" && strings.TrimSpace(bad) == bad {
			forms = append(forms, bad)
		}
		for _, id := range forms {
			for _, v4 := range []string{"/crm/v4/associations/contacts/companies", "/crm/associations/2026-03/contacts/companies"} {
				archived := 204
				if strings.Contains(v4, "2026-03") {
					archived = 200
				}
				xs = append(xs,
					exchange{"POST", v4 + "/batch/create", fmt.Sprintf(`{"inputs":[{"from":{"id":%s},"to":{"id":%q},%s}]}`, id, company, types), 207, notFound},
					exchange{"POST", v4 + "/batch/create", fmt.Sprintf(`{"inputs":[{"from":{"id":%q},"to":{"id":%s},%s}]}`, contact, id, types), 207, notFound},
					exchange{"POST", v4 + "/batch/associate/default", fmt.Sprintf(`{"inputs":[{"from":{"id":%s},"to":{"id":%q}}]}`, id, company), 200, notFound},
					exchange{"POST", v4 + "/batch/associate/default", fmt.Sprintf(`{"inputs":[{"from":{"id":%q},"to":{"id":%s}}]}`, contact, id), 200, notFound},
					exchange{"POST", v4 + "/batch/read", fmt.Sprintf(`{"inputs":[{"id":%s}]}`, id), 207, notFound},
					exchange{"POST", v4 + "/batch/archive", fmt.Sprintf(`{"inputs":[{"from":{"id":%s},"to":[{"id":%q}]}]}`, id, company), archived, ""},
					exchange{"POST", v4 + "/batch/archive", fmt.Sprintf(`{"inputs":[{"from":{"id":%q},"to":[{"id":%s}]}]}`, contact, id), archived, ""},
					exchange{"POST", v4 + "/batch/labels/archive", fmt.Sprintf(`{"inputs":[{"from":{"id":%s},"to":{"id":%q},%s}]}`, id, company, types), archived, ""},
					exchange{"POST", v4 + "/batch/labels/archive", fmt.Sprintf(`{"inputs":[{"from":{"id":%q},"to":{"id":%s},%s}]}`, contact, id, types), archived, ""},
				)
			}
			v3 := "/crm/v3/associations/contacts/companies"
			xs = append(xs,
				exchange{"POST", v3 + "/batch/create", fmt.Sprintf(`{"inputs":[{"from":{"id":%s},"to":{"id":%q},"type":"contact_to_company_unlabeled"}]}`, id, company), 207, notFound},
				exchange{"POST", v3 + "/batch/create", fmt.Sprintf(`{"inputs":[{"from":{"id":%q},"to":{"id":%s},"type":"contact_to_company_unlabeled"}]}`, contact, id), 207, notFound},
				exchange{"POST", v3 + "/batch/read", fmt.Sprintf(`{"inputs":[{"id":%s}]}`, id), 207, notFound},
				exchange{"POST", v3 + "/batch/archive", fmt.Sprintf(`{"inputs":[{"from":{"id":%s},"to":{"id":%q},"type":"contact_to_company_unlabeled"}]}`, id, company), 204, ""},
				exchange{"POST", v3 + "/batch/archive", fmt.Sprintf(`{"inputs":[{"from":{"id":%q},"to":{"id":%s},"type":"contact_to_company_unlabeled"}]}`, contact, id), 204, ""},
			)
		}
		// A bad paging cursor in a v4 batch read is the request's error; no
		// cursor, or 0, is the first page.
		if bad == "" || bad == "0" {
			xs = append(xs, exchange{"POST", "/crm/v4/associations/contacts/companies/batch/read", fmt.Sprintf(`{"inputs":[{"id":%q,"after":%q}]}`, contact, bad), 200, ""})
		} else {
			xs = append(xs, exchange{"POST", "/crm/v4/associations/contacts/companies/batch/read", fmt.Sprintf(`{"inputs":[{"id":%q,"after":%q}]}`, contact, bad), 400, "VALIDATION_ERROR"})
		}
		for _, x := range xs {
			checkExchange(t, s, x)
		}
	}

	// Empty segments: the path names no route (404), or is redirected to
	// its cleaned form with the method kept (307).
	for _, x := range []exchange{
		{"GET", "/crm/v4/objects/contacts//associations/companies", "", 307, ""},
		{"PUT", "/crm/v4/objects/contacts/" + contact + "/associations/companies/", spec, 404, ""},
		{"DELETE", "/crm/v4/objects/contacts/" + contact + "/associations/companies/", "", 404, ""},
		{"PUT", "/crm/v3/objects/contacts/" + contact + "/associations/companies//279", "", 307, ""},
		{"DELETE", "/crm/v4/associations/contacts/companies/labels/", "", 404, ""},
	} {
		resp, data := sendRaw(t, s, x.method, x.path, x.body)
		switch {
		case resp.StatusCode != x.status:
			t.Errorf("%s %s: %d, want %d: %s", x.method, x.path, resp.StatusCode, x.status, data)
		case x.status == 307 && strings.Contains(resp.Header.Get("Location"), "//"):
			t.Errorf("%s %s: redirected to %q", x.method, x.path, resp.Header.Get("Location"))
		case x.status == 404 && !strings.Contains(string(data), `"status":"error"`):
			t.Errorf("%s %s: %s", x.method, x.path, data)
		}
	}

	// The association is still there: nothing above touched it.
	if got := v4Types(t, s, "contacts", contact, "companies"); fmt.Sprint(got[company]) != "[HUBSPOT_DEFINED/279/<nil>]" {
		t.Errorf("association after the fuzz: %v", got)
	}
}
