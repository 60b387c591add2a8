package crm

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

// claimOnly is a WebhookStore that hands out fixed events.
type claimOnly struct {
	WebhookStore
	events []*WebhookEvent
}

func (s claimOnly) ClaimWebhookEvents(context.Context, WebhookClaim) ([]*WebhookEvent, error) {
	return s.events, nil
}

// The outbox keeps events compact; what a claim returns is HubSpot's
// payload, field for field, for every kind of event.
func TestOutboxEventsRenderHubSpotsPayloads(t *testing.T) {
	at := time.UnixMilli(1764460800123).UTC()
	assoc := &AssociationRow{FromType: "0-1", FromID: 11, ToType: "0-18", ToID: 22, Category: "HUBSPOT_DEFINED", TypeID: 82}
	cases := []struct {
		eventType string
		c         pendingEvent
		want      string
	}{
		{"contact.creation", pendingEvent{kind: EventCreation, typeID: "0-1", source: [2]string{"INTEGRATION", "8113404"}},
			`{"subscriptionId":5,"portalId":62515,"appId":3,"occurredAt":1764460800123,"subscriptionType":"contact.creation","objectId":11,"changeFlag":"CREATED","changeSource":"INTEGRATION","sourceId":"8113404"}`},
		{"object.deletion", pendingEvent{kind: EventDeletion, typeID: "0-18", source: [2]string{"CRM", ""}},
			`{"subscriptionId":5,"portalId":62515,"appId":3,"occurredAt":1764460800123,"subscriptionType":"object.deletion","objectId":11,"objectTypeId":"0-18","changeFlag":"DELETED","changeSource":"CRM"}`},
		{"object.restore", pendingEvent{kind: EventRestore, typeID: "2-7", source: [2]string{"CRM", ""}},
			`{"subscriptionId":5,"portalId":62515,"appId":3,"occurredAt":1764460800123,"subscriptionType":"object.restore","objectId":11,"objectTypeId":"2-7","changeSource":"CRM"}`},
		{"contact.privacyDeletion", pendingEvent{kind: EventPrivacyDeletion, typeID: "0-1", source: [2]string{"GDPR", ""}},
			`{"subscriptionId":5,"portalId":62515,"appId":3,"occurredAt":1764460800123,"subscriptionType":"contact.privacyDeletion","objectId":11,"changeSource":"GDPR"}`},
		{"object.propertyChange", pendingEvent{kind: EventPropertyChange, typeID: "0-18", property: "hs_communication_body", value: "Line \"one\"\n<b>two</b> é \u2028", source: [2]string{"API", "userId:9"}},
			`{"subscriptionId":5,"portalId":62515,"appId":3,"occurredAt":1764460800123,"subscriptionType":"object.propertyChange","objectId":11,"objectTypeId":"0-18","propertyName":"hs_communication_body","propertyValue":"Line \"one\"\n\u003cb\u003etwo\u003c/b\u003e é ` + "\u2028" + `","changeSource":"API","sourceId":"userId:9"}`},
		{"contact.merge", pendingEvent{kind: EventMerge, typeID: "0-1", merge: []int64{7, 8}, moved: 3, source: [2]string{"CRM", ""}},
			`{"subscriptionId":5,"portalId":62515,"appId":3,"occurredAt":1764460800123,"subscriptionType":"contact.merge","objectId":11,"primaryObjectId":7,"mergedObjectIds":[8],"newObjectId":11,"numberOfPropertiesMoved":3,"changeSource":"CRM"}`},
		{"contact.associationChange", pendingEvent{kind: EventAssociationChange, typeID: "0-1", assoc: assoc, removed: true, source: [2]string{"CRM", ""}},
			`{"subscriptionId":5,"portalId":62515,"appId":3,"occurredAt":1764460800123,"subscriptionType":"contact.associationChange","objectId":11,"associationType":"CONTACT_TO_COMMUNICATION","fromObjectId":11,"toObjectId":22,"associationRemoved":true,"isPrimaryAssociation":false,"changeSource":"CRM"}`},
		{"object.associationChange", pendingEvent{kind: EventAssociationChange, typeID: "0-1", assoc: assoc, source: [2]string{"CRM", ""}},
			`{"subscriptionId":5,"portalId":62515,"appId":3,"occurredAt":1764460800123,"subscriptionType":"object.associationChange","objectId":11,"objectTypeId":"0-1","fromObjectTypeId":"0-1","toObjectTypeId":"0-18","associationTypeId":82,"associationCategory":"HUBSPOT_DEFINED","fromObjectId":11,"toObjectId":22,"associationRemoved":false,"isPrimaryAssociation":false,"changeSource":"CRM"}`},
	}
	w := NewWebhooks(nil, 62515, time.Now)
	var stored []*WebhookEvent
	for _, tc := range cases {
		tc.c.objectID, tc.c.occurredAt = 11, at
		compact := compactEvent(tc.eventType, &tc.c)
		if !json.Valid(compact) || len(compact) >= len(tc.want) {
			t.Errorf("%s: stored form %s is not a shorter JSON value than the payload", tc.eventType, compact)
		}
		stored = append(stored, &WebhookEvent{ID: int64(len(stored) + 1), AppID: 3, SubscriptionID: 5, ObjectID: 11, OccurredAt: at, Payload: compact})
	}
	// A payload stored whole, as the outbox kept it before, goes out as it is.
	whole := `{"subscriptionId":5,"portalId":62515,"appId":3,"occurredAt":1,"subscriptionType":"contact.creation","objectId":11,"changeFlag":"CREATED","changeSource":"CRM"}`
	stored = append(stored, &WebhookEvent{ID: 99, AppID: 3, SubscriptionID: 5, ObjectID: 11, Payload: []byte(whole)})

	w.Store = renderingStore{WebhookStore: claimOnly{events: stored}, w: w}
	got, err := w.Store.ClaimWebhookEvents(t.Context(), WebhookClaim{})
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range cases {
		if string(got[i].Payload) != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.eventType, got[i].Payload, tc.want)
		}
	}
	if string(got[len(cases)].Payload) != whole {
		t.Errorf("whole payload: got %s", got[len(cases)].Payload)
	}

	// A damaged row is an error, not a payload.
	for _, bad := range []string{`[2,"contact.creation","0-1","CRM",""]`, `[1,"object.propertyChange","0-18","CRM",""]`, `[1,"contact.creation"`} {
		w.Store = renderingStore{WebhookStore: claimOnly{events: []*WebhookEvent{{ID: 1, Payload: []byte(bad)}}}, w: w}
		if _, err := w.Store.ClaimWebhookEvents(t.Context(), WebhookClaim{}); err == nil {
			t.Errorf("stored %s: no error", bad)
		}
	}
}
