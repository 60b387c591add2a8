// Package storage_test holds the tests that run both stores side by side.
package storage_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/pgtest"
	"github.com/spoke-crm/spoke/storage/postgres"
	"github.com/spoke-crm/spoke/storage/sqlite"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestSearchSameOnBothStores writes the same messages through the engine
// into a SQLite and a PostgreSQL store, then runs a few hundred random
// searches (filters of every kind, OR groups, sorts, free text, paging) on
// both: each must give the same total and the same records in the same
// order as the other store and as a model of the data that applies
// Spoke's search rules in Go. The two stores share the search SQL but not
// the database, so this finds dialect differences, and the model finds
// rules the SQL gets wrong in combinations the fixed cases miss.
func TestSearchSameOnBothStores(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pg, err := postgres.Open(ctx, pgtest.URL(t), postgres.PoolOptions{MaxConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close() })
	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "spoke.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lite.Close() })

	clock := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	engines := []*crm.Engine{crm.NewEngine(lite, now, 24800001), crm.NewEngine(pg, now, 24800001)}
	for _, e := range engines {
		if err := e.LoadSchemas(ctx); err != nil {
			t.Fatal(err)
		}
	}
	actor := crm.Actor{SourceType: crm.SourceIntegration, SourceID: "1"}
	msgs, _ := engines[0].Types.Resolve("communications")
	contacts, _ := engines[0].Types.Resolve("contacts")

	// Both stores get the same writes in the same order; records are told
	// apart by a number in their body, not by id.
	contactIDs := make([][]string, len(engines))
	for ei, e := range engines {
		for c := range 4 {
			obj, err := e.Create(ctx, actor, contacts, crm.CreateInput{Properties: map[string]string{"email": fmt.Sprintf("c%d@example.com", c)}})
			if err != nil {
				t.Fatal(err)
			}
			contactIDs[ei] = append(contactIDs[ei], strconv.FormatInt(obj.ID, 10))
		}
	}
	words := []string{"order", "shipped", "invoice", "courier", "refund", "zanzibar", "tomorrow", "olá"}
	channels := []string{"WHATS_APP", "LINKEDIN_MESSAGE", "SMS"}
	rng := rand.New(rand.NewPCG(7, 11))
	const n = 240
	type spec struct {
		props   map[string]string
		contact int // -1: none
	}
	specs := make([]spec, n)
	model := make([]modelRecord, n)
	for i := range specs {
		props := map[string]string{
			"hs_communication_channel_type": channels[rng.IntN(3)],
			"hs_communication_body":         fmt.Sprintf("m%03d %s %s", i, words[rng.IntN(len(words))], words[rng.IntN(len(words))]),
		}
		if rng.IntN(10) > 0 {
			props["hs_communication_logged_from"] = "CRM"
		}
		// Unique instants, so that sorts have no ties; updates below clear some.
		props["hs_timestamp"] = crm.FormatTime(clock.Add(time.Duration(i*7919%n) * time.Minute))
		specs[i] = spec{props, rng.IntN(5) - 1}
		model[i] = modelRecord{live: true, channel: props["hs_communication_channel_type"], body: props["hs_communication_body"],
			ts: clock.Add(time.Duration(i*7919%n) * time.Minute).UnixMilli(), hasTS: true,
			logged: props["hs_communication_logged_from"] != "", contact: specs[i].contact}
	}
	for ei, e := range engines {
		var inputs []crm.CreateInput
		for _, s := range specs {
			in := crm.CreateInput{Properties: s.props}
			if s.contact >= 0 {
				in.Associations = []crm.AssociationInput{{ToID: contactIDs[ei][s.contact], Types: []crm.AssociationSpec{{Category: crm.CategoryHubSpotDefined, TypeID: 81}}}}
			}
			inputs = append(inputs, in)
		}
		for start := 0; start < n; start += 100 {
			if _, err := e.CreateBatch(ctx, actor, msgs, inputs[start:min(n, start+100)], false); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Change and archive some, on both, through searches for their bodies.
	for ei, e := range engines {
		for i := 0; i < n; i += 9 {
			id := findBody(t, e, msgs, i)
			if i%2 == 0 {
				err = e.Archive(ctx, msgs, id)
				if ei == 0 {
					model[i].live = false
				}
			} else {
				if ei == 0 {
					model[i].channel, model[i].hasTS = channels[(i/9)%3], false
				}
				_, err = e.Update(ctx, actor, msgs, id, "", map[string]string{"hs_communication_channel_type": channels[(i/9)%3], "hs_timestamp": ""})
			}
			if err != nil {
				t.Fatalf("store %d, record %d: %v", ei, i, err)
			}
		}
	}

	prop := func(s string) *string { return &s }
	filter := func(r *rand.Rand) crm.FilterInput {
		ts := func() string {
			return strconv.FormatInt(clock.Add(time.Duration(r.IntN(n))*time.Minute).UnixMilli(), 10)
		}
		switch r.IntN(12) {
		case 0:
			return crm.FilterInput{PropertyName: prop("hs_communication_channel_type"), Operator: prop("EQ"), Value: prop(channels[r.IntN(3)])}
		case 1:
			return crm.FilterInput{PropertyName: prop("hs_communication_channel_type"), Operator: prop("NEQ"), Value: prop(channels[r.IntN(3)])}
		case 2:
			return crm.FilterInput{PropertyName: prop("hs_communication_channel_type"), Operator: prop("IN"), Values: []string{channels[r.IntN(3)], channels[r.IntN(3)]}}
		case 3:
			return crm.FilterInput{PropertyName: prop("hs_communication_channel_type"), Operator: prop("NOT_IN"), Values: []string{channels[r.IntN(3)]}}
		case 4:
			op := []string{"GT", "GTE", "LT", "LTE", "EQ"}[r.IntN(5)]
			return crm.FilterInput{PropertyName: prop("hs_timestamp"), Operator: prop(op), Value: prop(ts())}
		case 5:
			lo, hi := ts(), ts()
			return crm.FilterInput{PropertyName: prop("hs_timestamp"), Operator: prop("BETWEEN"), Value: prop(lo), HighValue: prop(hi)}
		case 6:
			return crm.FilterInput{PropertyName: prop([]string{"hs_timestamp", "hs_communication_logged_from"}[r.IntN(2)]), Operator: prop("HAS_PROPERTY")}
		case 7:
			return crm.FilterInput{PropertyName: prop([]string{"hs_timestamp", "hs_communication_logged_from"}[r.IntN(2)]), Operator: prop("NOT_HAS_PROPERTY")}
		case 8:
			return crm.FilterInput{PropertyName: prop("hs_body_preview"), Operator: prop([]string{"CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"}[r.IntN(2)]), Value: prop(words[r.IntN(len(words))])}
		case 9:
			return crm.FilterInput{PropertyName: prop("associations.contact"), Operator: prop("EQ"), Value: prop("CONTACT" + strconv.Itoa(r.IntN(4)))}
		case 10:
			return crm.FilterInput{PropertyName: prop("hs_createdate"), Operator: prop("LTE"), Value: prop(strconv.FormatInt(clock.UnixMilli(), 10))}
		default:
			return crm.FilterInput{PropertyName: prop("hs_communication_body"), Operator: prop("CONTAINS_TOKEN"), Value: prop("m0*")}
		}
	}
	for k := range 300 {
		r := rand.New(rand.NewPCG(uint64(k), 3))
		var req crm.SearchRequest
		for range r.IntN(3) { // 0 to 2 groups
			var g []crm.FilterInput
			for range 1 + r.IntN(3) {
				g = append(g, filter(r))
			}
			req.FilterGroups = append(req.FilterGroups, g)
		}
		switch r.IntN(4) {
		case 1:
			req.Sorts = []crm.SortInput{{PropertyName: "hs_timestamp", Direction: []string{"ASCENDING", "DESCENDING"}[r.IntN(2)]}}
		case 2:
			req.Sorts = []crm.SortInput{{PropertyName: "hs_communication_channel_type", Direction: "DESCENDING"}}
		}
		if r.IntN(4) == 0 {
			req.Query = []string{"ord", "shi", "inv", "cou", "ref", "zan", "tom", "ola", "m01"}[r.IntN(9)]
		}
		limit := 1 + r.IntN(30)
		req.Limit = &limit
		if r.IntN(2) == 0 {
			req.After = strconv.Itoa(r.IntN(60))
		}
		var got [2]string
		for ei, e := range engines {
			got[ei] = runSearch(ctx, e, msgs, withContacts(req, contactIDs[ei]))
		}
		if got[0] != got[1] {
			t.Errorf("search %d %s:\n  SQLite:     %s\n  PostgreSQL: %s", k, describe(req), got[0], got[1])
		}
		if want := expect(model, req); got[0] != want {
			t.Errorf("search %d %s:\n  stores: %s\n  model:  %s", k, describe(req), got[0], want)
		}
	}
}

// withContacts replaces the CONTACTn placeholders by one store's ids.
func withContacts(req crm.SearchRequest, ids []string) crm.SearchRequest {
	out := req
	out.FilterGroups = nil
	for _, g := range req.FilterGroups {
		var ng []crm.FilterInput
		for _, f := range g {
			if f.Value != nil && strings.HasPrefix(*f.Value, "CONTACT") {
				i, _ := strconv.Atoi(strings.TrimPrefix(*f.Value, "CONTACT"))
				v := ids[i]
				f.Value = &v
			}
			ng = append(ng, f)
		}
		out.FilterGroups = append(out.FilterGroups, ng)
	}
	return out
}

// runSearch returns the total and the records' body numbers, or the error.
func runSearch(ctx context.Context, e *crm.Engine, t *crm.ObjectType, req crm.SearchRequest) string {
	req.Properties = []string{"hs_communication_body"}
	res, err := e.Search(ctx, t, req)
	if err != nil {
		var de *crm.Error
		if errors.As(err, &de) {
			return "error " + de.Message
		}
		return "failure " + err.Error()
	}
	var nums []string
	for _, r := range res.Records {
		nums = append(nums, strings.Fields(r.Properties["hs_communication_body"])[0])
	}
	return fmt.Sprintf("total %d next %d %v", res.Total, res.NextOffset, nums)
}

func describe(req crm.SearchRequest) string {
	var b strings.Builder
	for _, g := range req.FilterGroups {
		b.WriteString("[")
		for _, f := range g {
			fmt.Fprintf(&b, " %s %s", *f.PropertyName, *f.Operator)
			if f.Value != nil {
				fmt.Fprintf(&b, " %s", *f.Value)
			}
			if f.HighValue != nil {
				fmt.Fprintf(&b, "..%s", *f.HighValue)
			}
			if f.Values != nil {
				fmt.Fprintf(&b, " %v", f.Values)
			}
		}
		b.WriteString(" ]")
	}
	fmt.Fprintf(&b, " sorts %v query %q limit %d after %q", req.Sorts, req.Query, *req.Limit, req.After)
	return b.String()
}

// findBody returns the id of the live message whose body starts with m<i>.
func findBody(t *testing.T, e *crm.Engine, msgs *crm.ObjectType, i int) string {
	t.Helper()
	name, op, v := "hs_communication_body", "CONTAINS_TOKEN", fmt.Sprintf("m%03d", i)
	res, err := e.Search(context.Background(), msgs, crm.SearchRequest{FilterGroups: [][]crm.FilterInput{{{PropertyName: &name, Operator: &op, Value: &v}}}})
	if err != nil || len(res.Records) != 1 {
		t.Fatalf("finding m%03d: %v %v", i, res, err)
	}
	return strconv.FormatInt(res.Records[0].ID, 10)
}

// modelRecord is what the test knows of one message, to compute the
// answer a search must give.
type modelRecord struct {
	live    bool
	channel string
	ts      int64
	hasTS   bool
	logged  bool
	body    string
	contact int // -1: none
}

// expect computes a search's answer from the model, in runSearch's form, by
// the rules in docs/decisions.md (Search).
func expect(model []modelRecord, req crm.SearchRequest) string {
	var ids []int // positions in model, which are in id order
	for i, m := range model {
		if !m.live {
			continue
		}
		match := len(req.FilterGroups) == 0
		for _, g := range req.FilterGroups {
			all := true
			for _, f := range g {
				all = all && m.matches(f)
			}
			match = match || all
		}
		if match && req.Query != "" {
			match = false
			for _, w := range strings.Fields(crm.FreeText(m.body)) {
				match = match || strings.HasPrefix(w, req.Query)
			}
		}
		if match {
			ids = append(ids, i)
		}
	}
	if len(req.Sorts) > 0 {
		s := req.Sorts[0]
		desc := s.Direction == "DESCENDING"
		sort.SliceStable(ids, func(a, b int) bool {
			ma, mb := model[ids[a]], model[ids[b]]
			if s.PropertyName == "hs_timestamp" {
				if ma.hasTS != mb.hasTS {
					return ma.hasTS // missing values last
				}
				if !ma.hasTS || ma.ts == mb.ts {
					return false // stable: id order
				}
				return (ma.ts < mb.ts) != desc
			}
			if ma.channel == mb.channel {
				return false
			}
			return (ma.channel < mb.channel) != desc
		})
	}
	offset, _ := strconv.Atoi(req.After)
	total := len(ids)
	page := ids[min(offset, total):min(offset+*req.Limit, total)]
	next := 0
	if offset+*req.Limit < total {
		next = offset + *req.Limit
	}
	var nums []string
	for _, i := range page {
		nums = append(nums, strings.Fields(model[i].body)[0])
	}
	return fmt.Sprintf("total %d next %d %v", total, next, nums)
}

// matches applies one filter of the kinds the test makes.
func (m modelRecord) matches(f crm.FilterInput) bool {
	num := func(s *string) int64 { n, _ := strconv.ParseInt(*s, 10, 64); return n }
	switch *f.PropertyName + " " + *f.Operator {
	case "hs_communication_channel_type EQ":
		return m.channel == *f.Value
	case "hs_communication_channel_type NEQ":
		return m.channel != *f.Value
	case "hs_communication_channel_type IN":
		return slices.Contains(f.Values, m.channel)
	case "hs_communication_channel_type NOT_IN":
		return !slices.Contains(f.Values, m.channel)
	case "hs_timestamp GT":
		return m.hasTS && m.ts > num(f.Value)
	case "hs_timestamp GTE":
		return m.hasTS && m.ts >= num(f.Value)
	case "hs_timestamp LT":
		return m.hasTS && m.ts < num(f.Value)
	case "hs_timestamp LTE":
		return m.hasTS && m.ts <= num(f.Value)
	case "hs_timestamp EQ":
		return m.hasTS && m.ts == num(f.Value)
	case "hs_timestamp BETWEEN":
		return m.hasTS && m.ts >= num(f.Value) && m.ts <= num(f.HighValue)
	case "hs_timestamp HAS_PROPERTY":
		return m.hasTS
	case "hs_timestamp NOT_HAS_PROPERTY":
		return !m.hasTS
	case "hs_communication_logged_from HAS_PROPERTY":
		return m.logged
	case "hs_communication_logged_from NOT_HAS_PROPERTY":
		return !m.logged
	case "hs_body_preview CONTAINS_TOKEN":
		return slices.Contains(strings.Fields(strings.ToLower(m.body)), *f.Value)
	case "hs_body_preview NOT_CONTAINS_TOKEN":
		return !slices.Contains(strings.Fields(strings.ToLower(m.body)), *f.Value)
	case "associations.contact EQ":
		return m.contact >= 0 && *f.Value == "CONTACT"+strconv.Itoa(m.contact)
	case "hs_createdate LTE":
		return true // every record was created at the test's one instant
	case "hs_communication_body CONTAINS_TOKEN": // "m0*": the first hundred
		return strings.HasPrefix(m.body, "m0")
	}
	panic("no model for " + *f.PropertyName + " " + *f.Operator)
}
