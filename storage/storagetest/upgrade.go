package storagetest

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// ScopedIndexUpgrade checks the migration that fills the scoped search index
// (message time within its channel) for messages written before it existed.
// open opens the store at a fixed location, running pending migrations;
// rewind, called with the store closed, takes the store back to before that
// migration: it removes the scoped entries and the migration's record.
// Searches on channel and time after the upgrade must find exactly the
// messages the data holds.
func ScopedIndexUpgrade(t *testing.T, open func(t *testing.T) crm.Store, rewind func(t *testing.T)) {
	ctx := context.Background()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	store := open(t)
	e := crm.NewEngine(store, func() time.Time { return now }, 1)
	if err := e.LoadSchemas(ctx); err != nil {
		t.Fatal(err)
	}
	messages, _ := e.Types.Resolve("communications")
	channels := []string{crm.ChannelWhatsApp, crm.ChannelSMS, crm.ChannelLinkedIn}
	var in []crm.CreateInput
	for i := range 30 {
		in = append(in, crm.CreateInput{Properties: map[string]string{
			"hs_communication_channel_type": channels[i%3],
			"hs_timestamp":                  strconv.Itoa(1700000000000 + i*1000),
		}})
	}
	if _, err := e.CreateBatch(ctx, crm.Actor{SourceType: crm.SourceIntegration, SourceID: "1"}, messages, in, false); err != nil {
		t.Fatal(err)
	}
	store.Close()
	rewind(t)

	store = open(t)
	defer store.Close()
	e = crm.NewEngine(store, func() time.Time { return now }, 1)
	if err := e.LoadSchemas(ctx); err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	for _, c := range channels {
		// Messages 10..19 are in the range, a third of them on each channel.
		res, err := e.Search(ctx, messages, crm.SearchRequest{Properties: []string{"hs_communication_channel_type"}, FilterGroups: [][]crm.FilterInput{{
			{PropertyName: str("hs_communication_channel_type"), Operator: str(crm.OpEQ), Value: str(c)},
			{PropertyName: str("hs_timestamp"), Operator: str(crm.OpBetween), Value: str("1700000010000"), HighValue: str("1700000019000")},
		}}})
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for i := 10; i <= 19; i++ {
			if channels[i%3] == c {
				want++
			}
		}
		if res.Total != want || len(res.Records) != want {
			t.Errorf("%s between after upgrade: total %d, %d results, want %d", c, res.Total, len(res.Records), want)
		}
		for _, o := range res.Records {
			if o.Properties["hs_communication_channel_type"] != c {
				t.Errorf("%s search found %s", c, fmt.Sprint(o.Properties))
			}
		}
	}
}
