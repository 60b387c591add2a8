package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/spoketest"
)

// batchClients is the number of concurrent clients of the batch benchmark.
const batchClients = 4

func post(c *http.Client, url string, body []byte) (int, []byte, error) {
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+spoketest.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

// BenchmarkBatchCreate posts batch/create of 100 WhatsApp messages, each
// associated with one contact, from batchClients clients ("spoke"), and
// stores the floor of that work straight into SQLite with the same clients
// ("sqlite-floor", see sqliteFloor), in the same run. It reports objects/s
// and processor time per object of each, and logs Spoke's rate as a
// fraction of the floor's. Goal: 0.2 of the floor.
func BenchmarkBatchCreate(b *testing.B) {
	var spokeRate, floorRate float64
	b.Run("spoke", func(b *testing.B) {
		spokeBatchCreate(b)
		spokeRate = float64(b.N*100) / b.Elapsed().Seconds()
	})
	b.Run("sqlite-floor", func(b *testing.B) {
		sqliteFloor(b)
		floorRate = float64(b.N*100) / b.Elapsed().Seconds()
	})
	if spokeRate > 0 && floorRate > 0 {
		b.Logf("spoke/sqlite-floor objects/s: %.3f (goal >= 0.20)", spokeRate/floorRate)
	}
}

func spokeBatchCreate(b *testing.B) {
	s := spoketest.Open(b)
	contact := s.Do("POST", "/crm/v3/objects/contacts", `{"properties":{"email":"bulk@example.com"}}`).JSON()["id"].(string)
	var batch strings.Builder
	batch.WriteString(`{"inputs":[`)
	for i := range 100 {
		if i > 0 {
			batch.WriteString(",")
		}
		fmt.Fprintf(&batch, `{"properties":{"hs_communication_channel_type":"WHATS_APP","hs_communication_logged_from":"CRM",`+
			`"hs_communication_body":"History import message %d: order shipped, courier tomorrow.","hs_timestamp":"2026-03-14T09:26:%02d.589Z"},`+
			`"associations":[{"to":{"id":%q},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":81}]}]}`, i, i%60, contact)
	}
	batch.WriteString(`]}`)
	body := []byte(batch.String())
	url := s.URL + "/crm/v3/objects/communications/batch/create"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: batchClients}, Timeout: time.Minute}
	runClients(b, func() error {
		status, data, err := post(client, url, body)
		if err == nil && status != 201 {
			err = fmt.Errorf("batch/create: %d %.200s", status, data)
		}
		return err
	})
}

// BenchmarkReadAssociations reads a contact with 1,000 associated messages
// through ?associations=communications (first 100) and through the v4
// association list (up to 500 per page: two pages).
func BenchmarkReadAssociations(b *testing.B) {
	s := spoketest.Open(b)
	ctx := context.Background()
	contacts, _ := s.Engine.Types.Resolve("contacts")
	messages, _ := s.Engine.Types.Resolve("communications")
	actor := crm.Actor{SourceType: crm.SourceIntegration, SourceID: "1"}
	created, err := s.Engine.CreateBatch(ctx, actor, contacts, []crm.CreateInput{{Properties: map[string]string{"email": "many@example.com"}}}, false)
	if err != nil {
		b.Fatal(err)
	}
	id := strconv.FormatInt(created[0].Object.ID, 10)
	for i := 0; i < 1000; i += 100 {
		var in []crm.CreateInput
		for range 100 {
			in = append(in, crm.CreateInput{
				Properties:   map[string]string{"hs_communication_channel_type": "SMS", "hs_timestamp": "1700000000000", "hs_communication_body": "hello"},
				Associations: []crm.AssociationInput{{ToID: id, Types: []crm.AssociationSpec{{Category: crm.CategoryHubSpotDefined, TypeID: 81}}}},
			})
		}
		if _, err := s.Engine.CreateBatch(ctx, actor, messages, in, false); err != nil {
			b.Fatal(err)
		}
	}
	client := &http.Client{Timeout: time.Minute}
	get := func(b *testing.B, path string) []byte {
		req, _ := http.NewRequest("GET", s.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+spoketest.Token)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			b.Fatalf("%s: %d %s", path, resp.StatusCode, data)
		}
		return data
	}
	b.Run("v3-get-with-associations", func(b *testing.B) {
		for b.Loop() {
			get(b, "/crm/v3/objects/contacts/"+id+"?associations=communications")
		}
	})
	b.Run("v4-list-all-1000", func(b *testing.B) {
		for b.Loop() {
			var page struct {
				Results []json.RawMessage
				Paging  *struct{ Next struct{ After string } }
			}
			after, n := "", 0
			for {
				json.Unmarshal(get(b, "/crm/v4/objects/contacts/"+id+"/associations/communications?limit=500&after="+after), &page)
				n += len(page.Results)
				if page.Paging == nil {
					break
				}
				after, page.Paging = page.Paging.Next.After, nil
			}
			if n != 1000 {
				b.Fatalf("%d associations", n)
			}
		}
	})
}
