package storagetest

import (
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// testTimeRanges checks the searches of a property with a scoped index
// (the time of a message), whose entries are kept by hour: times on both
// sides of hour boundaries, before 1970 and around it, each operator with
// and without the scope (the channel), against the answer computed here;
// then again after times move to other hours and a record is archived.
func testTimeRanges(t *testing.T, s crm.Store) {
	const hour = 3_600_000
	e := crm.NewEngine(s, func() time.Time { return t0 }, 1)
	if err := e.LoadSchemas(ctx); err != nil {
		t.Fatal(err)
	}
	messages, _ := e.Types.Resolve("communications")
	actor := crm.Actor{SourceType: crm.SourceIntegration, SourceID: "1"}
	base := int64(1_700_000_000_000 / hour * hour) // an hour boundary
	times := []int64{
		base - 1, base, base + 1, base + hour - 1, base + hour, base + 3*hour + 7,
		-hour - 1, -hour, -1, 0, 1, hour - 1, hour,
	}
	channels := []string{crm.ChannelWhatsApp, crm.ChannelSMS}
	var in []crm.CreateInput
	for i, ts := range times {
		in = append(in, crm.CreateInput{Properties: map[string]string{
			"hs_communication_channel_type": channels[i%2],
			"hs_timestamp":                  strconv.FormatInt(ts, 10),
		}})
	}
	res, err := e.CreateBatch(ctx, actor, messages, in, false)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(res))
	for i, r := range res {
		ids[i] = strconv.FormatInt(r.Object.ID, 10)
	}
	channel := map[string]string{}
	at := map[string]int64{}
	for i, id := range ids {
		channel[id], at[id] = channels[i%2], times[i]
	}

	str := func(s string) *string { return &s }
	f := func(v int64) string { return strconv.FormatInt(v, 10) }
	type filter struct {
		op      string
		vals    []int64
		matches func(ts int64) bool
	}
	filters := []filter{}
	for _, p := range []int64{base, base - 1, base + hour, 0, -1, -hour, 1} {
		filters = append(filters,
			filter{crm.OpEQ, []int64{p}, func(ts int64) bool { return ts == p }},
			filter{crm.OpLT, []int64{p}, func(ts int64) bool { return ts < p }},
			filter{crm.OpLTE, []int64{p}, func(ts int64) bool { return ts <= p }},
			filter{crm.OpGT, []int64{p}, func(ts int64) bool { return ts > p }},
			filter{crm.OpGTE, []int64{p}, func(ts int64) bool { return ts >= p }},
		)
	}
	filters = append(filters,
		filter{crm.OpBetween, []int64{base - 1, base + hour}, func(ts int64) bool { return ts >= base-1 && ts <= base+hour }},
		filter{crm.OpBetween, []int64{-hour, 1}, func(ts int64) bool { return ts >= -hour && ts <= 1 }},
		filter{crm.OpIn, []int64{base + 1, -1, hour}, func(ts int64) bool { return ts == base+1 || ts == -1 || ts == hour }},
		filter{crm.OpHasProperty, nil, func(int64) bool { return true }},
	)
	limit := 100
	check := func(stage string) {
		t.Helper()
		for _, fl := range filters {
			for _, c := range append([]string{""}, channels...) {
				in := crm.FilterInput{PropertyName: str("hs_timestamp"), Operator: str(fl.op)}
				switch {
				case fl.op == crm.OpIn:
					var vs []string
					for _, v := range fl.vals {
						vs = append(vs, f(v))
					}
					in.Values = vs
				case fl.op == crm.OpBetween:
					in.Value, in.HighValue = str(f(fl.vals[0])), str(f(fl.vals[1]))
				case len(fl.vals) > 0:
					in.Value = str(f(fl.vals[0]))
				}
				group := []crm.FilterInput{in}
				if c != "" {
					group = append(group, crm.FilterInput{PropertyName: str("hs_communication_channel_type"), Operator: str(crm.OpEQ), Value: str(c)})
				}
				got, err := e.Search(ctx, messages, crm.SearchRequest{FilterGroups: [][]crm.FilterInput{group}, Limit: &limit,
					Sorts: []crm.SortInput{{PropertyName: "hs_timestamp", Direction: "ASCENDING"}}})
				if err != nil {
					t.Fatal(err)
				}
				var want, have []string
				for _, id := range ids {
					if ts, ok := at[id]; ok && fl.matches(ts) && (c == "" || channel[id] == c) {
						want = append(want, id)
					}
				}
				slices.SortFunc(want, func(a, b string) int { return int(min(max(at[a]-at[b], -1), 1)) })
				for _, o := range got.Records {
					have = append(have, strconv.FormatInt(o.ID, 10))
				}
				if fmt.Sprint(have) != fmt.Sprint(want) || got.Total != len(want) {
					t.Errorf("%s: hs_timestamp %s %v, channel %q: %v (total %d), want %v", stage, fl.op, fl.vals, c, have, got.Total, want)
				}
			}
		}
	}
	check("written")

	// Times move across hours (and across zero); one record leaves.
	moves := map[int]int64{0: base + 2*hour, 4: -hour + 1, 7: base + 1, 9: hour - 1}
	for i, ts := range moves {
		if _, err := e.Update(ctx, actor, messages, ids[i], "", map[string]string{"hs_timestamp": f(ts)}); err != nil {
			t.Fatal(err)
		}
		at[ids[i]] = ts
	}
	if err := e.Archive(ctx, messages, ids[2]); err != nil {
		t.Fatal(err)
	}
	delete(at, ids[2])
	check("after updates and an archive")
}
