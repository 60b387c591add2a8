package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// A receiver answering a redirect has not taken the events: HubSpot
// retries every answer outside 2xx. Following the redirect would POST the
// events (signed for another URL) to an address nobody configured, or,
// for 301, 302 and 303, turn the POST into a GET without a body whose 200
// marked the events delivered.
func TestWebhookRedirectIsAFailedAttempt(t *testing.T) {
	t.Parallel()
	for _, code := range []int{http.StatusFound, http.StatusTemporaryRedirect} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			t.Parallel()
			s := spoketest.Open(t, spoketest.WithoutWebhookDelivery())
			a := newApp(t, s, "redirect")
			var elsewhere atomic.Int32
			mux := http.NewServeMux()
			mux.HandleFunc("/hook", func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "/elsewhere", code)
			})
			mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) {
				elsewhere.Add(1)
				w.WriteHeader(http.StatusOK)
			})
			srv := httptest.NewServer(mux)
			t.Cleanup(srv.Close)
			setTarget(t, s, a, srv.URL+"/hook")
			subscribe(t, s, a, map[string]any{"eventType": "contact.creation"})
			create(t, s, "contacts", `{"properties":{"email":"r@example.com"}}`)
			res := flush(t, s)
			if res["delivered"] != float64(0) || res["failed"] != float64(1) || res["pending"] != float64(1) {
				t.Errorf("flush: %v, want the event failed and pending", res)
			}
			if n := elsewhere.Load(); n != 0 {
				t.Errorf("the redirect was followed %d times", n)
			}
			log := mustStatus(t, s.Do("GET", "/_spoke/webhooks/deliveries", nil), 200)["results"].([]any)
			if len(log) != 1 {
				t.Fatalf("log: %v", log)
			}
			if d := log[0].(map[string]any); d["status"] != float64(code) || d["nextRetryAt"] == nil {
				t.Errorf("log entry %v, want status %d and a retry", d, code)
			}
		})
	}
}
