package crm

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// The outbox keeps an event in a compact form: what the outbox row's
// columns (subscription, app, record, time) and the portal do not say, as
// a JSON array
//
//	[1, eventType, objectTypeId, changeSource, sourceId, ...]
//
// followed, by the kind of event, by propertyName and propertyValue
// (propertyChange); numberOfPropertiesMoved and the merged ids, primary
// first (merge); fromObjectTypeId, toObjectTypeId, associationTypeId,
// associationCategory, fromObjectId, toObjectId and associationRemoved
// (associationChange). A write stores a fifth of the bytes of the payload
// HubSpot sends; the payload is rendered when the event is claimed for
// delivery. A payload stored whole (a JSON object) is delivered as it is.
const compactVersion = 1

// compactEvent is the outbox form of the event c for a subscription of
// eventType.
func compactEvent(eventType string, c *pendingEvent) []byte {
	b := make([]byte, 0, 64)
	b = append(b, '[')
	b = strconv.AppendInt(b, compactVersion, 10)
	b = append(b, ',')
	b = appendJSONString(b, eventType)
	b = append(b, ',')
	b = appendJSONString(b, c.typeID)
	b = append(b, ',')
	b = appendJSONString(b, c.source[0])
	b = append(b, ',')
	b = appendJSONString(b, c.source[1])
	switch c.kind {
	case EventPropertyChange:
		b = append(b, ',')
		b = appendJSONString(b, c.property)
		b = append(b, ',')
		b = appendJSONString(b, c.value)
	case EventMerge:
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(c.moved), 10)
		for _, id := range c.merge {
			b = append(b, ',')
			b = strconv.AppendInt(b, id, 10)
		}
	case EventAssociationChange:
		r := c.assoc
		b = append(b, ',')
		b = appendJSONString(b, r.FromType)
		b = append(b, ',')
		b = appendJSONString(b, r.ToType)
		b = append(b, ',')
		b = strconv.AppendInt(b, r.TypeID, 10)
		b = append(b, ',')
		b = appendJSONString(b, r.Category)
		b = append(b, ',')
		b = strconv.AppendInt(b, r.FromID, 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, r.ToID, 10)
		b = append(b, ',')
		b = strconv.AppendBool(b, c.removed)
	}
	return append(b, ']')
}

// expand renders the stored event e as the JSON object HubSpot sends
// (without eventId and attemptNumber).
func (w *Webhooks) expand(e *WebhookEvent) ([]byte, error) {
	if len(e.Payload) == 0 || e.Payload[0] != '[' {
		return e.Payload, nil
	}
	var f []json.RawMessage
	if err := json.Unmarshal(e.Payload, &f); err != nil {
		return nil, fmt.Errorf("webhook event %d: %w", e.ID, err)
	}
	d := fieldDecoder{f: f}
	if d.int() != compactVersion {
		return nil, fmt.Errorf("webhook event %d: unknown outbox form %s", e.ID, e.Payload)
	}
	eventType := d.string()
	c := pendingEvent{objectID: e.ObjectID, occurredAt: e.OccurredAt, typeID: d.string()}
	c.source = [2]string{d.string(), d.string()}
	_, c.kind, _ = strings.Cut(eventType, ".")
	switch c.kind {
	case EventPropertyChange:
		c.property, c.value = d.string(), d.string()
	case EventMerge:
		c.moved = int(d.int())
		for d.more() {
			c.merge = append(c.merge, d.int())
		}
	case EventAssociationChange:
		r := &AssociationRow{FromType: d.string(), ToType: d.string(), TypeID: d.int(), Category: d.string(), FromID: d.int(), ToID: d.int()}
		c.assoc, c.removed = r, d.bool()
	}
	if d.err != nil {
		return nil, fmt.Errorf("webhook event %d: outbox form %s: %w", e.ID, e.Payload, d.err)
	}
	return w.payload(e.SubscriptionID, e.AppID, eventType, &c), nil
}

// fieldDecoder reads a compact event's fields in order, keeping the first
// error.
type fieldDecoder struct {
	f   []json.RawMessage
	i   int
	err error
}

func (d *fieldDecoder) more() bool { return d.i < len(d.f) }

func (d *fieldDecoder) next(v any) {
	if d.err != nil {
		return
	}
	if d.i >= len(d.f) {
		d.err = fmt.Errorf("field %d missing", d.i)
		return
	}
	d.err = json.Unmarshal(d.f[d.i], v)
	d.i++
}

func (d *fieldDecoder) string() (s string) { d.next(&s); return s }
func (d *fieldDecoder) int() (n int64)     { d.next(&n); return n }
func (d *fieldDecoder) bool() (b bool)     { d.next(&b); return b }

// renderingStore is the webhook store the delivery worker claims events
// from: claimed events carry the payload HubSpot sends.
type renderingStore struct {
	WebhookStore
	w *Webhooks
}

func (s renderingStore) ClaimWebhookEvents(ctx context.Context, c WebhookClaim) ([]*WebhookEvent, error) {
	events, err := s.WebhookStore.ClaimWebhookEvents(ctx, c)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		if e.Payload, err = s.w.expand(e); err != nil {
			return nil, err
		}
	}
	return events, nil
}
