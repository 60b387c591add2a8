package storagetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// scopedIndexUpgrade checks the migrations that give messages written
// before the scoped search index (message time within its channel) their
// scoped entries: the legacy one that added them as rows of the search
// index table of then, and the one that turns those rows into the scope of
// the time's entry (0015). open opens the store at a fixed location,
// running pending migrations; rewind, called with the store closed, takes
// the store back to before the first: the index table of then without the
// scoped rows, and neither migration recorded. Searches on channel and time
// after the upgrade must find exactly the messages the data holds.
func scopedIndexUpgrade(t *testing.T, open func(t *testing.T) crm.Store, rewind func(t *testing.T)) {
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

// Rows is what both drivers' result rows (database/sql's and pgx's) offer.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// RawQuery runs sql on a connection of its own to the store's database and
// returns its rows, which are read to the end.
type RawQuery func(t *testing.T, sql string) Rows

// eachRow calls row for each row of sql.
func eachRow(t *testing.T, query RawQuery, sql string, row func(scan func(dest ...any) error)) {
	t.Helper()
	rows := query(t, sql)
	for rows.Next() {
		row(rows.Scan)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// searchIndexUpgrade checks the migration from the search index table of
// before (one row per value, in record order, with value indexes beside
// it, and scoped values as rows of their own) to search_docs, search_nums
// and search_texts (0015). It writes records of every kind of indexed
// value through the engine, reads the index tables and runs searches, then
// rewind, called with the store closed, turns the index back into the table
// of before as the code of then wrote it (scoped rows included) and removes
// the migration's record. Once the store is opened again, the index tables
// must hold the same entries and documents, and the searches find the same
// records.
//
// docText is the SQL reading a document column as JSON text; entries are
// the queries of the value entries (Driver.entries).
func searchIndexUpgrade(t *testing.T, open func(t *testing.T) crm.Store, rewind func(t *testing.T), query RawQuery, docText func(col string) string, entries [2]string) {
	ctx := context.Background()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	actor := crm.Actor{SourceType: crm.SourceIntegration, SourceID: "1"}
	store := open(t)
	e := crm.NewEngine(store, func() time.Time { return now }, 1)
	if err := e.LoadSchemas(ctx); err != nil {
		t.Fatal(err)
	}
	contacts, _ := e.Types.Resolve("contacts")
	str := func(s string) *string { return &s }
	for _, p := range []crm.PropertyChange{
		{Name: str("tags"), Label: str("Tags"), Type: str(crm.TypeEnumeration), FieldType: str("checkbox"), GroupName: str("contactinformation"),
			Options: &[]crm.PropertyOption{{Label: "A", Value: "a"}, {Label: "B", Value: "b"}, {Label: "C", Value: "c"}}},
		{Name: str("score"), Label: str("Score"), Type: str(crm.TypeNumber), FieldType: str("number"), GroupName: str("contactinformation")},
	} {
		if _, err := e.CreateProperty(ctx, contacts, p); err != nil {
			t.Fatal(err)
		}
		contacts, _ = e.Types.Resolve("contacts")
	}
	messages, _ := e.Types.Resolve("communications")
	tasks, _ := e.Types.Resolve("tasks")
	create := func(typ *crm.ObjectType, props ...map[string]string) []*crm.Object {
		var in []crm.CreateInput
		for _, p := range props {
			in = append(in, crm.CreateInput{Properties: p})
		}
		res, err := e.CreateBatch(ctx, actor, typ, in, false)
		if err != nil {
			t.Fatal(err)
		}
		var out []*crm.Object
		for _, r := range res {
			out = append(out, r.Object)
		}
		return out
	}
	people := create(contacts,
		map[string]string{"email": "ana@example.com", "firstname": `Ana "Q" <b>&`, "tags": "a;c", "score": "0.30000000000000004"},
		map[string]string{"email": "bo@example.com", "firstname": "Bø 東京\\", "tags": "b", "score": "-12.5e3"},
		map[string]string{"email": "cy@example.com", "tags": "a;b;c", "score": "1e300"},
		map[string]string{"email": "di@example.com"},
	)
	msgs := create(messages,
		map[string]string{"hs_communication_channel_type": crm.ChannelWhatsApp, "hs_timestamp": "1700000001000", "hs_communication_body": "first order"},
		map[string]string{"hs_communication_channel_type": crm.ChannelSMS, "hs_timestamp": "1700000002000", "hs_communication_logged_from": "CRM"},
		map[string]string{"hs_communication_channel_type": crm.ChannelLinkedIn, "hs_timestamp": "1700000003000"},
		map[string]string{"hs_communication_channel_type": crm.ChannelSMS, "hs_timestamp": "1700000004000", "hs_communication_body": "order shipped"},
	)
	create(tasks,
		map[string]string{"hs_timestamp": "1700000005000", "hs_task_status": crm.TaskNotStarted, "hs_task_subject": "Call back"},
		map[string]string{"hs_timestamp": "1700000006000", "hs_task_status": crm.TaskCompleted},
		map[string]string{"hs_timestamp": "1700000007000"},
	)
	if _, err := e.Update(ctx, actor, contacts, strconv.FormatInt(people[3].ID, 10), "", map[string]string{"tags": "c", "score": "7"}); err != nil {
		t.Fatal(err)
	}
	if err := e.Archive(ctx, messages, strconv.FormatInt(msgs[2].ID, 10)); err != nil {
		t.Fatal(err)
	}
	type search struct {
		typ *crm.ObjectType
		req crm.SearchRequest
	}
	f := func(name, op string, values ...string) crm.FilterInput {
		in := crm.FilterInput{PropertyName: str(name), Operator: str(op)}
		switch {
		case op == crm.OpIn || op == crm.OpNotIn:
			in.Values = values
		case len(values) == 2:
			in.Value, in.HighValue = &values[0], &values[1]
		case len(values) == 1:
			in.Value = &values[0]
		}
		return in
	}
	one := func(typ *crm.ObjectType, filters ...crm.FilterInput) search {
		return search{typ, crm.SearchRequest{FilterGroups: [][]crm.FilterInput{filters}}}
	}
	searches := []search{
		one(contacts, f("tags", crm.OpEQ, "c")),
		one(contacts, f("tags", crm.OpNEQ, "a")),
		one(contacts, f("score", crm.OpLT, "0.4")),
		one(contacts, f("score", crm.OpEQ, "0.30000000000000004")),
		one(contacts, f("score", crm.OpGT, "1e299")),
		one(contacts, f("firstname", crm.OpEQ, `ana "q" <b>&`)),
		one(contacts, f("firstname", crm.OpHasProperty)),
		one(contacts, f("tags", crm.OpNotHasProperty)),
		{contacts, crm.SearchRequest{Sorts: []crm.SortInput{{PropertyName: "tags", Direction: "DESCENDING"}}}},
		{contacts, crm.SearchRequest{Sorts: []crm.SortInput{{PropertyName: "score"}}}},
		one(messages, f("hs_communication_channel_type", crm.OpEQ, crm.ChannelSMS), f("hs_timestamp", crm.OpBetween, "1700000000000", "1700000009000")),
		one(messages, f("hs_communication_channel_type", crm.OpIn, crm.ChannelWhatsApp, crm.ChannelLinkedIn), f("hs_timestamp", crm.OpGTE, "1700000000000")),
		one(messages, f("hs_timestamp", crm.OpLTE, "1700000003000")),
		one(messages, f("hs_communication_logged_from", crm.OpNotHasProperty)),
		{messages, crm.SearchRequest{Query: "order"}},
		one(tasks, f("hs_task_status", crm.OpEQ, crm.TaskNotStarted), f("hs_timestamp", crm.OpLT, "1700000009000")),
		one(tasks, f("hs_task_status", crm.OpEQ, crm.TaskCompleted), f("hs_timestamp", crm.OpHasProperty)),
		{tasks, crm.SearchRequest{Query: "call"}},
	}
	run := func() []string {
		var out []string
		for _, s := range searches {
			res, err := e.Search(ctx, s.typ, s.req)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range res.Records {
				ids = append(ids, strconv.FormatInt(r.Object.ID, 10))
			}
			out = append(out, fmt.Sprintf("%s %d %v", s.typ.Name, res.Total, ids))
		}
		return out
	}
	wantSearches, wantIndex := run(), indexContents(t, query, docText, entries)
	store.Close()
	rewind(t)

	store = open(t)
	defer store.Close()
	e = crm.NewEngine(store, func() time.Time { return now }, 1)
	if err := e.LoadSchemas(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range searches {
		searches[i].typ, _ = e.Types.Resolve(searches[i].typ.Name)
	}
	if got := indexContents(t, query, docText, entries); got != wantIndex {
		t.Errorf("index after the upgrade:\n%s\nwant:\n%s", got, wantIndex)
	}
	got := run()
	for i := range searches {
		if got[i] != wantSearches[i] {
			t.Errorf("search %+v after the upgrade: %s, want %s", searches[i].req, got[i], wantSearches[i])
		}
	}
	if !strings.Contains(strings.Join(wantSearches, "\n"), " 1 [") {
		t.Errorf("the searches find nothing: %v", wantSearches)
	}
}

// indexContents lists the documents, with their values in a stable order,
// and the entries of the search index.
func indexContents(t *testing.T, query RawQuery, docText func(string) string, entries [2]string) string {
	var lines []string
	norm := func(doc []byte) string {
		if doc == nil {
			return "-"
		}
		var m map[string]any
		if err := json.Unmarshal(doc, &m); err != nil {
			t.Fatalf("document %s: %v", doc, err)
		}
		var parts []string
		for k, v := range m {
			vals, ok := v.([]any)
			if !ok {
				vals = []any{v}
			}
			var s []string
			for _, x := range vals {
				if f, ok := x.(float64); ok {
					s = append(s, strconv.FormatFloat(f, 'g', -1, 64))
				} else {
					s = append(s, strconv.Quote(x.(string)))
				}
			}
			slices.Sort(s)
			parts = append(parts, k+"="+strings.Join(s, ","))
		}
		slices.Sort(parts)
		return strings.Join(parts, " ")
	}
	eachRow(t, query, `SELECT object_id, `+docText("nums")+`, `+docText("texts")+` FROM search_docs ORDER BY object_id`, func(scan func(...any) error) {
		var id int64
		var nums, texts []byte
		if err := scan(&id, &nums, &texts); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprintf("doc %d nums %s texts %s", id, norm(nums), norm(texts)))
	})
	eachRow(t, query, entries[0]+` ORDER BY key, num, object_id`, func(scan func(...any) error) {
		var key, id int64
		var num float64
		var scope *int64
		if err := scan(&key, &num, &id, &scope); err != nil {
			t.Fatal(err)
		}
		s := "-"
		if scope != nil {
			s = strconv.FormatInt(*scope, 10)
		}
		lines = append(lines, fmt.Sprintf("num %d %s %d %s", key, strconv.FormatFloat(num, 'g', -1, 64), id, s))
	})
	eachRow(t, query, entries[1]+` ORDER BY key, text, object_id`, func(scan func(...any) error) {
		var key, id int64
		var text string
		if err := scan(&key, &text, &id); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprintf("text %d %q %d", key, text, id))
	})
	if len(lines) < 20 {
		t.Fatalf("the index holds too little: %v", lines)
	}
	return strings.Join(lines, "\n")
}
