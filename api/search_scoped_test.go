package api_test

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// Messages filtered by channel and time are read from a scoped index (the
// time within each channel). Every combination of channel and time filter,
// sorted either way or by creation, paged to the end, must give exactly the
// records a plain reading of the data gives, also after a message changes
// channel or time, is archived and is restored.
func TestSearchChannelAndTimeMatchesData(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	type msg struct {
		id      string
		channel string
		ts      int64
		live    bool
	}
	channels := []string{"WHATS_APP", "SMS", "LINKEDIN_MESSAGE"}
	rng := rand.New(rand.NewPCG(7, 8))
	var msgs []*msg
	var inputs []string
	for range 60 {
		m := &msg{channel: channels[rng.IntN(3)], ts: 1700000000000 + rng.Int64N(40)*60000, live: true}
		msgs = append(msgs, m)
		inputs = append(inputs, fmt.Sprintf(`{"properties":{"hs_communication_channel_type":%q,"hs_timestamp":%d}}`, m.channel, m.ts))
	}
	got := mustStatus(t, s.Do("POST", "/crm/v3/objects/communications/batch/create", `{"inputs":[`+strings.Join(inputs, ",")+`]}`), 201)
	for i, r := range got["results"].([]any) {
		o := r.(map[string]any)
		p := o["properties"].(map[string]any)
		if p["hs_communication_channel_type"] != msgs[i].channel || p["hs_timestamp"] == nil {
			t.Fatalf("batch result %d %v is not input %d", i, o, i)
		}
		msgs[i].id = o["id"].(string)
	}

	lo, hi := int64(1700000000000+10*60000), int64(1700000000000+25*60000)
	timeFilters := []struct {
		json string
		ok   func(ts int64) bool
	}{
		{fmt.Sprintf(`{"propertyName":"hs_timestamp","operator":"BETWEEN","value":"%d","highValue":"%d"}`, lo, hi), func(ts int64) bool { return ts >= lo && ts <= hi }},
		{fmt.Sprintf(`{"propertyName":"hs_timestamp","operator":"GTE","value":"%d"}`, hi), func(ts int64) bool { return ts >= hi }},
		{fmt.Sprintf(`{"propertyName":"hs_timestamp","operator":"LT","value":"%d"}`, lo), func(ts int64) bool { return ts < lo }},
		{fmt.Sprintf(`{"propertyName":"hs_timestamp","operator":"EQ","value":"%d"}`, msgs[0].ts), func(ts int64) bool { return ts == msgs[0].ts }},
		{`{"propertyName":"hs_timestamp","operator":"HAS_PROPERTY"}`, func(int64) bool { return true }},
	}
	channelFilters := []struct {
		json string
		ok   func(c string) bool
	}{
		{`{"propertyName":"hs_communication_channel_type","operator":"EQ","value":"SMS"}`, func(c string) bool { return c == "SMS" }},
		{`{"propertyName":"hs_communication_channel_type","operator":"IN","values":["WHATS_APP","LINKEDIN_MESSAGE"]}`, func(c string) bool { return c != "SMS" }},
		{`{"propertyName":"hs_communication_channel_type","operator":"EQ","value":"sms"}`, func(c string) bool { return false }}, // enumerations match exactly
	}
	// The last sort is on another property, equal for the whole batch: ties
	// go by id, as in creation order.
	sorts := []string{`,"sorts":[{"propertyName":"hs_timestamp","direction":"DESCENDING"}]`, `,"sorts":["hs_timestamp"]`, ``,
		`,"sorts":[{"propertyName":"hs_createdate","direction":"DESCENDING"}]`}

	check := func(stage string) {
		t.Helper()
		for _, tf := range timeFilters {
			for _, cf := range channelFilters {
				for si, sortBy := range sorts {
					var want []*msg
					for _, m := range msgs {
						if m.live && tf.ok(m.ts) && cf.ok(m.channel) {
							want = append(want, m)
						}
					}
					sort.SliceStable(want, func(i, j int) bool {
						a, b := want[i], want[j]
						switch {
						case si == 0 && a.ts != b.ts:
							return a.ts > b.ts
						case si == 1 && a.ts != b.ts:
							return a.ts < b.ts
						}
						return len(a.id) < len(b.id) || len(a.id) == len(b.id) && a.id < b.id
					})
					var wantIDs []string
					for _, m := range want {
						wantIDs = append(wantIDs, m.id)
					}
					var seen []string
					after := ""
					for range 20 {
						body := `{"limit":7,"filterGroups":[{"filters":[` + cf.json + `,` + tf.json + `]}]` + sortBy + after + `}`
						got := mustStatus(t, s.Do("POST", "/crm/v3/objects/communications/search", body), 200)
						if int(got["total"].(float64)) != len(want) {
							t.Errorf("%s: %s: total %v, want %d", stage, body, got["total"], len(want))
						}
						for _, r := range got["results"].([]any) {
							seen = append(seen, r.(map[string]any)["id"].(string))
						}
						p, ok := got["paging"]
						if !ok {
							break
						}
						after = `,"after":"` + p.(map[string]any)["next"].(map[string]any)["after"].(string) + `"`
					}
					if fmt.Sprint(seen) != fmt.Sprint(wantIDs) {
						t.Errorf("%s: channel %s, time %s, sort %q:\n got %v\nwant %v", stage, cf.json, tf.json, sortBy, seen, wantIDs)
					}
				}
			}
		}
	}
	check("created")

	// A message moves to another channel and time; one is archived; one is
	// archived and restored.
	moved, gone, back := msgs[1], msgs[2], msgs[3]
	if moved.channel == "SMS" {
		moved.channel = "WHATS_APP"
	} else {
		moved.channel = "SMS"
	}
	moved.ts = lo + 60000
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/communications/"+moved.id,
		fmt.Sprintf(`{"properties":{"hs_communication_channel_type":%q,"hs_timestamp":%d}}`, moved.channel, moved.ts)), 200)
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/communications/"+gone.id, nil), 204)
	gone.live = false
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/communications/"+back.id, nil), 204)
	mustStatus(t, s.Do("POST", "/_spoke/objects/communications/"+back.id+"/restore", nil), 200)
	check("changed")
}
