package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/pgtest"
	"github.com/spoke-crm/spoke/storage/postgres"
	"github.com/spoke-crm/spoke/storage/sqlite"
)

// The search data set: messages spread over contacts, one association each.
// SPOKE_BENCH_MESSAGES scales it (default 1,000,000 over 10,000 contacts);
// SPOKE_BENCH_STORE=postgres runs it on PostgreSQL (pgtest's server).
// The SQLite data set is built once and kept in the temporary folder.
const (
	messagesPerContact = 100
	rareWord           = "zanzibar" // in one message of every 1,000
)

var benchEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func benchMessages() int {
	if n, err := strconv.Atoi(os.Getenv("SPOKE_BENCH_MESSAGES")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

var words = strings.Fields(`order shipped delivery tomorrow invoice refund thanks hello please
confirm address courier tracking payment received schedule call meeting price discount
question answer support ticket product size colour return exchange weekend morning evening`)

// openSearchSet opens (building when needed) the data set and returns an
// engine on it and the ids of the contacts.
func openSearchSet(b *testing.B) (*crm.Engine, []int64) {
	b.Helper()
	ctx := context.Background()
	n := benchMessages()
	contacts := max(1, n/messagesPerContact)
	var store crm.Store
	var err error
	built := false
	pgURL := os.Getenv("SPOKE_BENCH_POSTGRES_URL") // a database kept between runs
	if pgURL == "" && os.Getenv("SPOKE_BENCH_STORE") == "postgres" {
		pgURL = pgtest.URL(b)
	}
	if pgURL != "" {
		store, err = postgres.Open(ctx, pgURL, postgres.PoolOptions{MaxConns: 8})
		if err == nil {
			err = store.Read(ctx, func(tx crm.ReadTx) error {
				objs, err := tx.ListObjects(ctx, crm.ListQuery{TypeID: "0-1", Limit: contacts})
				built = len(objs) == contacts
				return err
			})
		}
	} else {
		path := filepath.Join(os.TempDir(), fmt.Sprintf("spoke-bench-search-%d.db", n))
		_, statErr := os.Stat(path)
		built = statErr == nil
		store, err = sqlite.Open(ctx, path)
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	clock := benchEpoch
	e := crm.NewEngine(store, func() time.Time { return clock }, 1)
	actor := crm.Actor{SourceType: crm.SourceIntegration, SourceID: "1"}
	types := e.Types
	contactType, _ := types.Resolve("contacts")
	messageType, _ := types.Resolve("communications")
	if built {
		var ids []int64
		err := store.Read(ctx, func(tx crm.ReadTx) error {
			objs, err := tx.ListObjects(ctx, crm.ListQuery{TypeID: contactType.ID, Limit: contacts})
			for _, o := range objs {
				ids = append(ids, o.ID)
			}
			return err
		})
		if err != nil || len(ids) != contacts {
			b.Fatalf("data set: %d contacts, %v", len(ids), err)
		}
		return e, ids
	}
	start := time.Now()
	var ids []int64
	for i := 0; i < contacts; i += 100 {
		var in []crm.CreateInput
		for j := i; j < min(contacts, i+100); j++ {
			in = append(in, crm.CreateInput{Properties: map[string]string{"email": fmt.Sprintf("c%d@example.com", j), "firstname": fmt.Sprint("Contact", j)}})
		}
		res, err := e.CreateBatch(ctx, actor, contactType, in, false)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			ids = append(ids, r.Object.ID)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	channels := []string{crm.ChannelWhatsApp, crm.ChannelSMS, crm.ChannelLinkedIn}
	for i := 0; i < n; i += 500 {
		var in []crm.CreateInput
		for j := i; j < min(n, i+500); j++ {
			body := make([]string, 8)
			for k := range body {
				body[k] = words[rng.IntN(len(words))]
			}
			if j%1000 == 7 {
				body[3] = rareWord
			}
			props := map[string]string{
				"hs_communication_channel_type": channels[rng.IntN(3)],
				"hs_communication_body":         strings.Join(body, " "),
				"hs_timestamp":                  strconv.FormatInt(benchEpoch.Add(time.Duration(rng.Int64N(int64(365*24*time.Hour)))).UnixMilli(), 10),
			}
			if j%100 != 0 {
				props["hs_communication_logged_from"] = "CRM"
			}
			in = append(in, crm.CreateInput{Properties: props, Associations: []crm.AssociationInput{{
				ToID:  strconv.FormatInt(ids[j%contacts], 10),
				Types: []crm.AssociationSpec{{Category: crm.CategoryHubSpotDefined, TypeID: 81}},
			}}})
		}
		if _, err := e.CreateBatch(ctx, actor, messageType, in, false); err != nil {
			b.Fatal(err)
		}
	}
	if pgURL != "" {
		// A bulk load leaves the planner without statistics until autovacuum
		// runs; a server in steady state has them.
		conn, err := pgx.Connect(ctx, pgURL)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := conn.Exec(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
		conn.Close(ctx)
	}
	b.Logf("built %d messages over %d contacts in %s (%.0f messages/s with indexes and associations)",
		n, contacts, time.Since(start).Round(time.Second), float64(n)/time.Since(start).Seconds())
	return e, ids
}

// BenchmarkSearch runs the five search shapes of docs/benchmarks.md against
// the data set and reports latency percentiles. Goal: p99 under 20 ms for
// a, b and c; none for d (records lacking a value), e (one option of an
// enumeration, a third of the messages, sorted) and f (a word prefix of two
// letters, which most messages hold).
func BenchmarkSearch(b *testing.B) {
	e, contacts := openSearchSet(b)
	t, _ := e.Types.Resolve("communications")
	ctx := context.Background()
	str := func(s string) *string { return &s }
	day := func(d int) (string, string) {
		from := benchEpoch.Add(time.Duration(d) * 24 * time.Hour)
		return strconv.FormatInt(from.UnixMilli(), 10), strconv.FormatInt(from.Add(24*time.Hour).UnixMilli(), 10)
	}
	limit100 := 100
	cases := []struct {
		name string
		req  func(i int) crm.SearchRequest
	}{
		{"a-channel-and-day-sorted", func(i int) crm.SearchRequest {
			lo, hi := day(i % 365)
			return crm.SearchRequest{Limit: &limit100,
				FilterGroups: [][]crm.FilterInput{{
					{PropertyName: str("hs_communication_channel_type"), Operator: str(crm.OpEQ), Value: str(crm.ChannelWhatsApp)},
					{PropertyName: str("hs_timestamp"), Operator: str(crm.OpBetween), Value: str(lo), HighValue: str(hi)},
				}},
				Sorts: []crm.SortInput{{PropertyName: "hs_timestamp", Direction: "DESCENDING"}}}
		}},
		{"b-associations-contact", func(i int) crm.SearchRequest {
			return crm.SearchRequest{FilterGroups: [][]crm.FilterInput{{
				{PropertyName: str("associations.contact"), Operator: str(crm.OpEQ), Value: str(strconv.FormatInt(contacts[i%len(contacts)], 10))},
			}}}
		}},
		{"c-one-word-query", func(i int) crm.SearchRequest {
			return crm.SearchRequest{Query: rareWord}
		}},
		{"f-two-letter-query", func(i int) crm.SearchRequest {
			return crm.SearchRequest{Query: []string{"sh", "de", "or", "pa"}[i%4]}
		}},
		{"e-channel-sorted", func(i int) crm.SearchRequest {
			return crm.SearchRequest{Limit: &limit100,
				FilterGroups: [][]crm.FilterInput{{
					{PropertyName: str("hs_communication_channel_type"), Operator: str(crm.OpEQ), Value: str(crm.ChannelSMS)},
				}},
				Sorts: []crm.SortInput{{PropertyName: "hs_timestamp", Direction: "DESCENDING"}}}
		}},
		{"d-not-has-property", func(i int) crm.SearchRequest {
			return crm.SearchRequest{FilterGroups: [][]crm.FilterInput{{
				{PropertyName: str("hs_communication_logged_from"), Operator: str(crm.OpNotHasProperty)},
			}}}
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var lat []time.Duration
			total := 0
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				res, err := e.Search(ctx, t, c.req(i))
				lat = append(lat, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				total = res.Total
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(total), "total")
		})
	}
	if rss, ok := selfRSS(); ok {
		b.Logf("resident memory with the data set open: %.1f MiB", rss)
	}
}

// selfRSS reads this process's resident memory in MiB.
func selfRSS() (float64, bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseFloat(f[1], 64)
			return kb / 1024, err == nil
		}
	}
	return 0, false
}
