package api_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// randomHooks is the random clients' webhook app: it subscribes to the
// creation, deletion and restore of contacts, changes of their first name
// and the creation, deletion and restore of deals, and receives what every node delivers.
type randomHooks struct {
	recv *receiver
	// made are the records a create answered 201 with.
	made map[string]bool
}

func (w *randomWorld) subscribeHooks() {
	s := w.nodes[0]
	a := newApp(w.t, s, "random clients")
	recv := newReceiver(w.t)
	setTarget(w.t, s, a, recv.url())
	for _, e := range []string{"contact.creation", "contact.deletion", "contact.restore", "deal.creation", "deal.deletion", "deal.restore"} {
		subscribe(w.t, s, a, map[string]any{"eventType": e})
	}
	subscribe(w.t, s, a, map[string]any{"eventType": "contact.propertyChange", "propertyName": "firstname"})
	w.hooks = &randomHooks{recv: recv, made: map[string]bool{}}
}

// checkHooks delivers every event left and checks them against the
// records: creations only of records a client was told of (a write rolled
// back emits nothing), one per record, one for each record a create made;
// a contact's last deletion or restore event says whether it is archived;
// its last first-name event holds its first name.
func (w *randomWorld) checkHooks(live, archived map[string]map[string]bool, values map[string]map[string]any) {
	for range 100 {
		pending := 0.0
		for _, n := range w.nodes {
			res := flush(w.t, n)
			pending += res["pending"].(float64)
		}
		if pending == 0 {
			break
		}
	}
	type event struct {
		id          float64
		kind, value string
	}
	byRecord := map[string][]event{}
	seen := map[float64]bool{}
	for _, d := range w.hooks.recv.deliveries() {
		for _, e := range d.events {
			id := e["eventId"].(float64)
			if seen[id] {
				continue
			}
			seen[id] = true
			obj := fmt.Sprintf("%.0f", e["objectId"].(float64))
			v, _ := e["propertyValue"].(string)
			byRecord[obj] = append(byRecord[obj], event{id, e["subscriptionType"].(string), v})
		}
	}
	w.t.Logf("webhook events delivered: %d, of %d records", len(seen), len(byRecord))
	w.mu.Lock()
	pool := map[string]map[string]bool{}
	for _, typ := range []string{"contacts", "deals"} {
		pool[typ] = map[string]bool{}
		for _, id := range w.pool[typ] {
			pool[typ][id] = true
		}
	}
	made := w.hooks.made
	w.mu.Unlock()
	for obj, evs := range byRecord {
		sort.Slice(evs, func(i, j int) bool { return evs[i].id < evs[j].id })
		creations := 0
		for _, e := range evs {
			typ := map[string]string{"contact.creation": "contacts", "deal.creation": "deals"}[e.kind]
			if typ == "" {
				continue
			}
			creations++
			if !pool[typ][obj] {
				w.fail(fmt.Sprintf("%s of %s, which no client was told of: %v", e.kind, obj, evs), obj)
			}
		}
		if creations > 1 {
			w.fail(fmt.Sprintf("record %s has %d creation events: %v", obj, creations, evs), obj)
		}
		for typ, singular := range map[string]string{"contacts": "contact", "deals": "deal"} {
			if !live[typ][obj] && !archived[typ][obj] {
				continue
			}
			last := ""
			for _, e := range evs {
				if e.kind == singular+".deletion" || e.kind == singular+".restore" {
					last = e.kind
				}
			}
			if archived[typ][obj] != (last == singular+".deletion") {
				w.fail(fmt.Sprintf("%s %s (archived %t) has deletion and restore events %v", singular, obj, archived[typ][obj], evs), obj)
			}
		}
		if live["contacts"][obj] {
			var names []event
			for _, e := range evs {
				if e.kind == "contact.propertyChange" {
					names = append(names, e)
				}
			}
			if cur, _ := values[obj]["firstname"].(string); len(names) > 0 && names[len(names)-1].value != cur {
				w.fail(fmt.Sprintf("contact %s: first name %q, its last change event %v", obj, cur, names), obj)
			}
		}
	}
	for _, id := range setKeys(made) {
		if !slices.ContainsFunc(byRecord[id], func(e event) bool { return strings.HasSuffix(e.kind, ".creation") }) {
			w.fail(fmt.Sprintf("record %s was created, no creation event was delivered: %v", id, byRecord[id]), id)
		}
	}
}

// madeBy notes the record a create answered 201 with.
func (w *randomWorld) madeBy(status int, m map[string]any) {
	if id, ok := m["id"].(string); ok && status == 201 && w.hooks != nil {
		w.mu.Lock()
		w.hooks.made[id] = true
		w.mu.Unlock()
	}
}
