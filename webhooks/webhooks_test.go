package webhooks

import (
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// HubSpot's documented v1 example (the Node client's test vector).
func TestSignatureV1MatchesHubSpotsExample(t *testing.T) {
	body := `[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]`
	got := SignatureV1("yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy", []byte(body))
	if want := "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de"; got != want {
		t.Fatalf("v1 %s, want %s", got, want)
	}
}

func TestSignedURIDecodesHubSpotsEscapes(t *testing.T) {
	got := SignedURI("https://example.com/hook%3Fa%3Db%2Cc?x=%40y%20z")
	if want := "https://example.com/hook?a%3Db,c?x=@y%20z"; got != want {
		t.Fatalf("%s, want %s", got, want)
	}
	for target, want := range map[string]string{
		"https://u:p@example.com/hook?q=a@b#frag": "https://example.com/hook?q=a@b",
		"https://example.com?q=a@b":               "https://example.com?q=a@b",
		"https://u@example.com":                   "https://example.com",
	} {
		if got := SignedURI(target); got != want {
			t.Errorf("SignedURI(%q) %q, want %q", target, got, want)
		}
	}
}

func TestBodyAddsEventIDAndAttempt(t *testing.T) {
	events := []*crm.WebhookEvent{
		{ID: 7, Attempts: 0, Payload: []byte(`{"subscriptionId":1,"objectId":5}`), OccurredAt: time.Now()},
		{ID: 9, Attempts: 2, Payload: []byte(`{"subscriptionId":2}`)},
	}
	want := `[{"eventId":7,"subscriptionId":1,"objectId":5,"attemptNumber":0},{"eventId":9,"subscriptionId":2,"attemptNumber":2}]`
	if got := string(Body(events)); got != want {
		t.Fatalf("%s, want %s", got, want)
	}
}

func TestRetriesStayWithinADay(t *testing.T) {
	if len(Retries) != 10 {
		t.Fatalf("%d retries, want 10", len(Retries))
	}
	w := New(nil, 1, nil)
	var total time.Duration
	for i := range Retries {
		d := w.delay(i)
		if d < Retries[i] || d > Retries[i]+Retries[i]/10 {
			t.Fatalf("delay %d: %s", i, d)
		}
		total += Retries[i] + Retries[i]/10
	}
	if total > 24*time.Hour {
		t.Fatalf("the longest schedule takes %s", total)
	}
	if d := New(nil, 0.001, nil).delay(0); d > 66*time.Millisecond {
		t.Fatalf("scaled delay %s", d)
	}
}
