package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// encodeSlow is what writeJSON writes for v with encoding/json.
func encodeSlow(t *testing.T, v any) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// trickyStrings are strings whose JSON needs escapes, or could wrongly get them.
var trickyStrings = []string{
	"", "plain", `"quoted" \back\slash/`, "<b>Tom & Jerry</b> <script>x</script>",
	"\x00\x01\x02\x03\x04\x05\x06\x07\b\t\n\x0b\f\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f",
	"é ß 中文 😀 \u2028 \u2029 \u2027 \u202a \ufeff \ufffd", "bad \xff \xfe\xfe utf-8 \xc3", "\xed\xa0\x80 surrogate", "\xf4\x90\x80\x80 too big",
	"trailing \xe2\x80", "a\u2028", "\u2029",
}

func TestAppendTime(t *testing.T) {
	t.Parallel()
	paris := time.FixedZone("Paris", 3600)
	for _, tm := range []time.Time{
		{}, time.Unix(0, 0), time.Unix(1700000000, 0), time.Unix(1700000000, 589_000_000), time.Unix(1700000000, 589_999_999),
		time.Unix(1700000000, 1), time.Unix(1700000000, 999_999), time.Date(2026, 3, 14, 9, 26, 7, 5_000_000, paris),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(12026, 12, 31, 23, 59, 59, 999_000_000, time.UTC), time.Now(),
	} {
		if got, want := string(appendTime(nil, tm)), encodeSlow(t, crm.FormatTime(tm)); got != want {
			t.Errorf("%v: got %s, want %s", tm, got, want)
		}
	}
}

// testObjects are records with every kind of value a record's JSON holds.
func testObjects() []*crm.Object {
	created := time.Date(2026, 3, 14, 9, 26, 7, 589_000_000, time.UTC)
	var objs []*crm.Object
	for i, s := range trickyStrings {
		objs = append(objs, &crm.Object{ID: int64(i + 1), TypeID: "0-1", CreatedAt: created, UpdatedAt: created.Add(time.Duration(i) * 1500 * time.Microsecond),
			Properties: map[string]string{"email": s, "firstname": "Ann", "lastname": strings.Repeat(s, 3), "not_a_property": s, s: "key"}})
	}
	many := map[string]string{}
	for i := range 80 {
		many[strings.Repeat("z", i%7)+string(rune('a'+i%26))+"_"+string(rune('0'+i%10))] = "v"
	}
	many["email"], many["hs_object_id"], many["createdate"] = "many@example.com", "9", "2026-01-01T00:00:00Z"
	objs = append(objs,
		&crm.Object{ID: 0, Properties: map[string]string{}},
		&crm.Object{ID: -5, Properties: nil, CreatedAt: created, UpdatedAt: created},
		&crm.Object{ID: 1 << 62, Properties: map[string]string{"email": "", "phone": "+1 555"}, CreatedAt: created, UpdatedAt: created,
			Archived: true, ArchivedAt: created.Add(time.Hour + 7*time.Nanosecond)},
		&crm.Object{ID: 42, Properties: many, CreatedAt: created, UpdatedAt: created, Archived: true},
	)
	return objs
}

// upsertJSON is how a batch upsert's records were written with encoding/json.
type upsertJSON struct {
	objectJSON
	New bool `json:"new"`
}

func TestAppendWritten(t *testing.T) {
	t.Parallel()
	contacts, err := crm.DefaultRegistry().Resolve("contacts")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range testObjects() {
		for _, isNew := range []bool{false, true} {
			rec := writtenJSON{t: contacts, obj: o, traceID: "t<1>", upsert: true, isNew: isNew}
			want := upsertJSON{objectJSON: tracedJSON(contacts, o, "t<1>"), New: isNew}
			if got, want := string(appendWritten(nil, rec)), encodeSlow(t, want); got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
			got, _ := json.Marshal(rec)
			if want, _ := json.Marshal(want); string(got) != string(want) {
				t.Errorf("json.Marshal: got  %s\nwant %s", got, want)
			}
		}
		for _, trace := range []string{"", "trace-1", "<&>\n\xff"} {
			rec := writtenJSON{t: contacts, obj: o, traceID: trace}
			want := encodeSlow(t, tracedJSON(contacts, o, trace))
			if got := string(appendWritten(nil, rec)); got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
			// Given to encoding/json (with its HTML escaping), it is written as tracedJSON is.
			got, err := json.Marshal(rec)
			if err != nil {
				t.Fatal(err)
			}
			if want, _ := json.Marshal(tracedJSON(contacts, o, trace)); string(got) != string(want) {
				t.Errorf("json.Marshal: got  %s\nwant %s", got, want)
			}
		}
	}
}

func TestAppendObject(t *testing.T) {
	t.Parallel()
	contacts, err := crm.DefaultRegistry().Resolve("contacts")
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	var objects []objectJSON
	for i, o := range testObjects() {
		out := newObjectJSON(o, crm.AllProperties(contacts, o))
		s := trickyStrings[i%len(trickyStrings)]
		switch i % 4 {
		case 0:
			out.Properties = map[string]*string{"email": nil, "firstname": str(s), s: str("x")}
			out.PropertiesWithHistory = map[string][]historyJSON{
				"email": {{Value: s, Timestamp: out.CreatedAt, SourceType: "API", SourceID: s}, {Value: "", Timestamp: out.UpdatedAt, SourceType: "CRM_UI"}},
				s:       {},
				"nil":   nil,
			}
			out.Associations = map[string]associationsPageJSON{
				"companies": {Results: []associatedIDJSON{{ID: "1", Type: "contact_to_company"}, {ID: "1", Type: "contact_to_company_unlabeled"}}},
				"deals":     {Results: []associatedIDJSON{}, Paging: &pagingJSON{Next: &nextPageJSON{After: "7", Link: "http://h/x?after=7&a=<b>"}}},
				s:           {Results: nil, Paging: &pagingJSON{Next: &nextPageJSON{After: s}}},
				"tickets":   {Paging: &pagingJSON{}},
			}
		case 1:
			out.Properties = nil
			out.PropertiesWithHistory = map[string][]historyJSON{}
			out.Associations = map[string]associationsPageJSON{}
			out.ObjectWriteTraceID = s
		case 2:
			out.ArchivedAt = s
			out.CreatedAt, out.UpdatedAt, out.ID = s, s, s
		}
		objects = append(objects, out)
	}
	for i := range objects {
		if got, want := string(appendObject(nil, &objects[i])), encodeSlow(t, objects[i]); got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
	for _, list := range []listJSON{
		{Results: objects},
		{Results: []objectJSON{}, Paging: &pagingJSON{Next: &nextPageJSON{After: "10", Link: "http://localhost/crm/v3/objects/contacts?after=10&limit=2"}}},
		{Paging: &pagingJSON{}},
	} {
		if got, want := string(appendList(nil, &list)), encodeSlow(t, list); got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
	// writeJSON writes both as encoding/json does.
	for _, v := range []any{objects[0], objects[1], listJSON{Results: objects[:3]}} {
		w := httptest.NewRecorder()
		writeJSON(w, 200, v)
		if got, want := w.Body.String(), encodeSlow(t, v); got != want {
			t.Errorf("writeJSON: got  %s\nwant %s", got, want)
		}
	}
}

// TestWriteBatchFast compares the batch envelope written around records
// with encoding/json's, times aside.
func TestWriteBatchFast(t *testing.T) {
	t.Parallel()
	contacts, err := crm.DefaultRegistry().Resolve("contacts")
	if err != nil {
		t.Fatal(err)
	}
	var written, upserted []writtenJSON
	var objects []objectJSON
	var upserts []upsertJSON
	for i, o := range testObjects() {
		written = append(written, writtenJSON{t: contacts, obj: o, traceID: trickyStrings[i%len(trickyStrings)]})
		objects = append(objects, tracedJSON(contacts, o, trickyStrings[i%len(trickyStrings)]))
		upserted = append(upserted, writtenJSON{t: contacts, obj: o, upsert: true, isNew: i%2 == 0})
		upserts = append(upserts, upsertJSON{objectJSON: tracedJSON(contacts, o, ""), New: i%2 == 0})
	}
	errs := []standardErrorJSON{
		standardError(&crm.Error{Category: crm.CategoryValidation, Message: "Property values were not valid: <\"x\">",
			Context: map[string][]string{"objectWriteTraceId": {"t\u2028"}, "b": nil}, Details: []crm.ErrorDetail{{Message: "&"}}}),
		standardError(notFoundInBatch(contacts, []string{"1", "2"})),
	}
	started := time.Date(2026, 3, 14, 9, 26, 7, 589_000_000, time.UTC)
	for _, c := range []struct {
		results, same any
		errs          []standardErrorJSON
	}{
		{written, objects, nil},
		{written, objects, errs},
		{upserted, upserts, nil},
		{upserted[:1], upserts[:1], errs},
		{written[:0], objects[:0], errs[:1]},
		{[]writtenJSON(nil), []objectJSON(nil), []standardErrorJSON{}},
		{objects, objects, errs},
		{[]objectJSON(nil), []objectJSON(nil), nil},
	} {
		status := 201
		if len(c.errs) > 0 {
			status = 207
		}
		w := httptest.NewRecorder()
		if !writeBatchFast(w, status, started, c.results, c.errs) {
			t.Fatalf("writeBatchFast wrote nothing for %T", c.results)
		}
		if w.Code != status || w.Header().Get("Content-Type") != jsonContentType {
			t.Errorf("status %d, content type %q", w.Code, w.Header().Get("Content-Type"))
		}
		got := w.Body.String()
		// completedAt is the time of writing: take it from the output.
		i := strings.LastIndex(got, `,"completedAt":"`)
		if i < 0 {
			t.Fatalf("no completedAt in %s", got)
		}
		completed := strings.TrimSuffix(got[i+len(`,"completedAt":"`):], `"}`)
		want := encodeSlow(t, batchJSON{Status: "COMPLETE", Results: c.same, NumErrors: len(c.errs), Errors: c.errs,
			StartedAt: crm.FormatTime(started), CompletedAt: completed})
		if got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
	if writeBatchFast(httptest.NewRecorder(), 200, started, []associatedIDJSON{}, nil) {
		t.Errorf("writeBatchFast wrote results of another type")
	}
}

// BenchmarkBatchCreateJSON decodes a batch create body of 100 messages and
// writes the records such a batch returns, as a batch create does.
func BenchmarkBatchCreateJSON(b *testing.B) {
	messages, err := crm.DefaultRegistry().Resolve("communications")
	if err != nil {
		b.Fatal(err)
	}
	var body strings.Builder
	body.WriteString(`{"inputs":[`)
	for i := range 100 {
		if i > 0 {
			body.WriteString(",")
		}
		fmt.Fprintf(&body, `{"properties":{"hs_communication_channel_type":"WHATS_APP","hs_communication_logged_from":"CRM",`+
			`"hs_communication_body":"History import message %d: order shipped, courier tomorrow.","hs_timestamp":"2026-03-14T09:26:%02d.589Z"},`+
			`"associations":[{"to":{"id":"12345"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":81}]}]}`, i, i%60)
	}
	body.WriteString(`]}`)
	data := []byte(body.String())
	now := time.Date(2026, 3, 14, 9, 26, 7, 589_000_000, time.UTC)
	var written []writtenJSON
	for i := range 100 {
		text := fmt.Sprintf("History import message %d: order shipped, courier tomorrow.", i)
		props := map[string]string{"hs_communication_channel_type": "WHATS_APP", "hs_communication_logged_from": "CRM",
			"hs_communication_body": text, "hs_body_preview": text, "hs_body_preview_is_truncated": "false",
			"hs_body_preview_html": "<html>\n <head></head>\n <body>\n " + text + "\n </body>\n</html>", "hs_timestamp": "2026-03-14T09:26:07.589Z",
			"hs_createdate": "2026-03-14T09:26:07.589Z", "hs_lastmodifieddate": "2026-03-14T09:26:07.589Z", "hs_object_id": fmt.Sprint(1000 + i),
			"hs_object_source": "INTEGRATION", "hs_object_source_id": "0", "hs_object_source_label": "INTEGRATION"}
		written = append(written, writtenJSON{t: messages, obj: &crm.Object{ID: int64(1000 + i), Properties: props, CreatedAt: now, UpdatedAt: now}})
	}
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var in createInputsBody
			if !fastDecode(data, &in) {
				b.Fatal("not decoded")
			}
		}
	})
	b.Run("decode-encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var in createInputsBody
			if !decodeSlow(data, &in) {
				b.Fatal("not decoded")
			}
		}
	})
	b.Run("write", func(b *testing.B) {
		b.ReportAllocs()
		w := httptest.NewRecorder()
		for b.Loop() {
			w.Body.Reset()
			writeBatchFast(w, 201, now, written, nil)
		}
	})
	b.Run("write-encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		w := httptest.NewRecorder()
		for b.Loop() {
			w.Body.Reset()
			out := []objectJSON{}
			for _, rec := range written {
				out = append(out, tracedJSON(rec.t, rec.obj, rec.traceID))
			}
			writeJSON(w, 201, batchJSON{Status: "COMPLETE", Results: out, StartedAt: crm.FormatTime(now), CompletedAt: crm.FormatTime(time.Now())})
		}
	})
}

// TestRecordWriterNames writes records one after the other with one
// recordWriter, which reuses the sorted names of the last record's
// properties when the next has the same names.
func TestRecordWriterNames(t *testing.T) {
	t.Parallel()
	reg := crm.DefaultRegistry()
	contacts, err := reg.Resolve("contacts")
	if err != nil {
		t.Fatal(err)
	}
	companies, err := reg.Resolve("companies")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 14, 9, 26, 7, 589_000_000, time.UTC)
	props := []map[string]string{
		{"email": "a@example.com", "firstname": "A", "name": "n"},
		{"email": "b@example.com", "firstname": "B", "name": "m"},
		{"email": "c@example.com", "lastname": "C", "name": "o"},
		{"email": "d@example.com", "firstname": "D", "name": "p", "extra": "x"},
		{"email": "e@example.com", "firstname": "E"},
		{"email": "a@example.com", "firstname": "A", "name": "n"},
		{},
		nil,
		{"email": "<f>", "firstname": "F", "name": "q"},
	}
	var w recordWriter
	for _, typ := range []*crm.ObjectType{contacts, companies, contacts} {
		for i, p := range props {
			rec := writtenJSON{t: typ, obj: &crm.Object{ID: int64(i), Properties: p, CreatedAt: now, UpdatedAt: now}}
			if got, want := string(w.append(nil, rec)), encodeSlow(t, tracedJSON(rec.t, rec.obj, "")); got != want {
				t.Errorf("%s %d: got  %s\nwant %s", typ.Name, i, got, want)
			}
		}
	}
}
