package api_test

import (
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// The v3 signature covers the URL the receiver sees: a target URL's
// fragment and user information are not sent in the request line, so
// they are not signed either; the query string is.
func TestWebhookSignatureV3CoversTheURLAsSent(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t, spoketest.WithoutWebhookDelivery())
	a := newApp(t, s, "fragment")
	recv := newReceiver(t)
	target := strings.Replace(recv.url(), "http://", "http://user:pw@", 1) + "?portal=1#section"
	setTarget(t, s, a, target)
	subscribe(t, s, a, map[string]any{"eventType": "contact.creation"})
	create(t, s, "contacts", `{"properties":{"email":"sig@example.com"}}`)
	if res := flush(t, s); res["delivered"] != float64(1) {
		t.Fatalf("flush: %v", res)
	}
	verify(t, recv.deliveries()[0], a.secret, recv.url()+"?portal=1")
}
