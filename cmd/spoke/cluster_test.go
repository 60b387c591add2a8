package main

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/internal/pgtest"
)

// cluster starts two spoke nodes on one PostgreSQL database, as behind a
// load balancer.
func cluster(t *testing.T) (a, b *process) {
	t.Helper()
	url := pgtest.URL(t)
	a = serve(t, url, "SPOKE_ACCESS_TOKEN=tok")
	b = serve(t, url, "SPOKE_ACCESS_TOKEN=tok")
	return a, b
}

func TestNodesShareOneDatabase(t *testing.T) {
	t.Parallel()
	a, b := cluster(t)

	// A write acknowledged by one node is visible on the other at once:
	// read, list, search, associations.
	status, contact := a.do(t, "tok", "POST", "/crm/v3/objects/contacts", `{"properties":{"email":"ana@example.com"}}`)
	if status != 201 {
		t.Fatalf("create contact: %d %v", status, contact)
	}
	cid := contact["id"].(string)
	status, msg := a.do(t, "tok", "POST", "/crm/v3/objects/communications", fmt.Sprintf(`{"properties":{"hs_communication_channel_type":"SMS","hs_timestamp":1,"hs_communication_body":"cross node"},
		"associations":[{"to":{"id":%q},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":81}]}]}`, cid))
	if status != 201 {
		t.Fatalf("create message: %d %v", status, msg)
	}
	mid := msg["id"].(string)
	if status, got := b.do(t, "tok", "GET", "/crm/v3/objects/communications/"+mid+"?properties=hs_communication_body", ""); status != 200 ||
		got["properties"].(map[string]any)["hs_communication_body"] != "cross node" {
		t.Errorf("read on the other node: %d %v", status, got)
	}
	if status, got := b.do(t, "tok", "GET", "/crm/v3/objects/communications", ""); status != 200 || len(got["results"].([]any)) != 1 {
		t.Errorf("list on the other node: %d %v", status, got)
	}
	if status, got := b.do(t, "tok", "POST", "/crm/v3/objects/communications/search", `{"query":"cross"}`); status != 200 || got["total"] != float64(1) {
		t.Errorf("search on the other node: %d %v", status, got)
	}
	if status, got := b.do(t, "tok", "GET", "/crm/v4/objects/contacts/"+cid+"/associations/communications", ""); status != 200 || len(got["results"].([]any)) != 1 {
		t.Errorf("associations on the other node: %d %v", status, got)
	}
	// A custom property made on one node is usable on the other at once.
	if status, _ := a.do(t, "tok", "POST", "/crm/v3/properties/communications", `{"name":"thread_id","label":"Thread","type":"string","fieldType":"text","groupName":"communicationinformation","hasUniqueValue":true}`); status != 201 {
		t.Fatalf("create property: %d", status)
	}
	if status, got := b.do(t, "tok", "PATCH", "/crm/v3/objects/communications/"+mid, `{"properties":{"thread_id":"t-1"}}`); status != 200 {
		t.Errorf("custom property on the other node: %d %v", status, got)
	}
}

func TestNodesUnderConcurrentWrites(t *testing.T) {
	t.Parallel()
	a, b := cluster(t)
	nodes := []*process{a, b}

	// Ids never collide.
	var mu sync.Mutex
	ids := map[string]bool{}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 15 {
				status, got := nodes[w%2].do(t, "tok", "POST", "/crm/v3/objects/communications", `{"properties":{"hs_communication_channel_type":"WHATS_APP","hs_timestamp":1}}`)
				if status != 201 {
					t.Errorf("create: %d %v", status, got)
					return
				}
				mu.Lock()
				ids[got["id"].(string)] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(ids) != 120 {
		t.Errorf("%d distinct ids for 120 creates", len(ids))
	}

	// Concurrent PATCHes of one record from both nodes: every change is in
	// the history, the final value is one of them, none is lost.
	var target string
	for id := range ids {
		target = id
		break
	}
	var sent []string
	for w := range 6 {
		for i := range 5 {
			sent = append(sent, fmt.Sprintf("w%d-%d", w, i))
		}
	}
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				body := fmt.Sprintf(`{"properties":{"hs_communication_body":"w%d-%d"}}`, w, i)
				if status, got := nodes[w%2].do(t, "tok", "PATCH", "/crm/v3/objects/communications/"+target, body); status != 200 {
					t.Errorf("patch: %d %v", status, got)
				}
			}
		}()
	}
	wg.Wait()
	_, got := a.do(t, "tok", "GET", "/crm/v3/objects/communications/"+target+"?propertiesWithHistory=hs_communication_body", "")
	var history []string
	for _, h := range got["propertiesWithHistory"].(map[string]any)["hs_communication_body"].([]any) {
		history = append(history, h.(map[string]any)["value"].(string))
	}
	newest := history[0]
	sort.Strings(history)
	sort.Strings(sent)
	if strings.Join(history, ",") != strings.Join(sent, ",") {
		t.Errorf("history holds %d of the %d changes", len(history), len(sent))
	}
	if _, got := b.do(t, "tok", "GET", "/crm/v3/objects/communications/"+target+"?properties=hs_communication_body", ""); got["properties"].(map[string]any)["hs_communication_body"] != newest {
		t.Errorf("current value %v is not the newest in history %s", got["properties"], newest)
	}

	// Unique values hold across nodes: the same email at once on both.
	results := make(chan int, 10)
	for w := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, _ := nodes[w%2].do(t, "tok", "POST", "/crm/v3/objects/contacts", `{"properties":{"email":"same@example.com"}}`)
			results <- status
		}()
	}
	wg.Wait()
	close(results)
	created := 0
	for s := range results {
		switch s {
		case 201:
			created++
		case 409:
		default:
			t.Errorf("duplicate email answered %d", s)
		}
	}
	if created != 1 {
		t.Errorf("%d contacts created with one email", created)
	}
}

func TestNodesShareRateLimits(t *testing.T) {
	t.Parallel()
	a, b := cluster(t)
	for _, n := range []*process{a, b} {
		if status, got := n.do(t, "tok", "PUT", "/_spoke/rate-limit", `{"enforce":true,"tenSecondlyLimit":10,"reset":true}`); status != 200 {
			t.Fatalf("rate-limit settings: %d %v", status, got)
		}
	}
	// 14 calls alternating between the nodes: one token, one window of 10.
	ok, limited := 0, 0
	for i := range 14 {
		status, got := []*process{a, b}[i%2].do(t, "tok", "GET", "/crm/v3/objects/contacts", "")
		switch status {
		case 200:
			ok++
		case 429:
			limited++
			if got["policyName"] != "TEN_SECONDLY_ROLLING" {
				t.Errorf("429 body %v", got)
			}
		default:
			t.Errorf("status %d", status)
		}
	}
	if ok != 10 || limited != 4 {
		t.Errorf("%d allowed and %d limited across two nodes, want 10 and 4", ok, limited)
	}
}

func TestNodeKilledDuringWrites(t *testing.T) {
	t.Parallel()
	a, b := cluster(t)
	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
		stop  = make(chan struct{})
	)
	// Writers on both nodes; the ones on node A see errors once it dies.
	for w := range 4 {
		node := []*process{a, b}[w%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				status, got, err := node.try("tok", "POST", "/crm/v3/objects/communications",
					fmt.Sprintf(`{"properties":{"hs_communication_channel_type":"SMS","hs_timestamp":1,"hs_communication_body":"w%d-%d"}}`, w, i))
				if err != nil || status != 201 {
					continue // node A is gone: unacknowledged
				}
				mu.Lock()
				acked = append(acked, got["id"].(string))
				mu.Unlock()
			}
		}()
	}
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 40 {
			break
		}
		runtime.Gosched()
	}
	a.cmd.Process.Kill() // kill -9 in the middle of the load
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 80 {
			break
		}
		runtime.Gosched()
	}
	close(stop)
	wg.Wait()
	// Every acknowledged write is there, read through the surviving node.
	for _, id := range acked {
		if status, got := b.do(t, "tok", "GET", "/crm/v3/objects/communications/"+id, ""); status != 200 {
			t.Fatalf("acknowledged write %s lost: %d %v", id, status, got)
		}
	}
}

func TestPostgresRestartIsSurvived(t *testing.T) {
	t.Parallel()
	pg := pgtest.NewCluster(t)
	node := serve(t, pg.URL, "SPOKE_ACCESS_TOKEN=tok")
	create := `{"properties":{"hs_communication_channel_type":"SMS","hs_timestamp":1}}`
	if status, got := node.do(t, "tok", "POST", "/crm/v3/objects/communications", create); status != 201 {
		t.Fatalf("before: %d %v", status, got)
	}
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	// While PostgreSQL is down: HubSpot-shaped 5xx bodies, never a hang or HTML.
	for _, req := range []struct{ method, path, body string }{
		{"POST", "/crm/v3/objects/communications", create},
		{"GET", "/crm/v3/objects/communications", ""},
	} {
		status, got, err := node.try("tok", req.method, req.path, req.body)
		if err != nil || status < 500 || got["status"] != "error" || got["correlationId"] == nil {
			t.Errorf("%s %s with the database down: %d %v %v", req.method, req.path, status, got, err)
		}
	}
	if status, _, _ := node.try("", "GET", "/_spoke/health", ""); status != 503 {
		t.Errorf("health with the database down: %d", status)
	}
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	// It recovers by itself: the pool reconnects, no restart of Spoke.
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, _, err := node.try("tok", "POST", "/crm/v3/objects/communications", create)
		if err == nil && status == 201 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no recovery after PostgreSQL came back: %d %v", status, err)
		}
		runtime.Gosched()
	}
	if status, got := node.do(t, "tok", "GET", "/crm/v3/objects/communications", ""); status != 200 || len(got["results"].([]any)) != 2 {
		t.Errorf("after recovery: %d %v", status, got)
	}
}
