package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// decodeSlow decodes data into v as decodeBody does without fastDecode,
// reporting whether it succeeded.
func decodeSlow(data []byte, v any) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v) == nil && !dec.More()
}

// fastBodies makes a fresh value of each body fastDecode reads.
var fastBodies = map[string]func() any{
	"createInputs": func() any { return new(createInputsBody) },
	"upsertInputs": func() any { return new(upsertInputsBody) },
	"updateInputs": func() any { return new(updateInputsBody) },
	"create":       func() any { return new(createBody) },
	"update":       func() any { return new(updateBody) },
}

// checkFastDecode decodes data into each body both ways and fails t where
// fastDecode succeeds but encoding/json fails or yields other values. It
// returns the bodies fastDecode read.
func checkFastDecode(t *testing.T, data []byte) []string {
	t.Helper()
	var read []string
	for name, body := range fastBodies {
		fast, slow := body(), body()
		if !fastDecode(data, fast) {
			if !reflect.DeepEqual(fast, body()) {
				t.Errorf("%s: %q: fastDecode gave up but changed the body: %#v", name, data, fast)
			}
			continue
		}
		read = append(read, name)
		if !decodeSlow(data, slow) {
			t.Errorf("%s: %q: fastDecode read what encoding/json refuses: %#v", name, data, fast)
			continue
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Errorf("%s: %q:\nfast %#v\nslow %#v", name, data, fast, slow)
		}
	}
	return read
}

const (
	commInput = `{"properties":{"hs_communication_channel_type":"WHATS_APP","hs_communication_logged_from":"CRM",` +
		`"hs_communication_body":"History import message 7: order shipped, courier tomorrow.","hs_timestamp":"2026-03-14T09:26:07.589Z"},` +
		`"associations":[{"to":{"id":"1234"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":81}]}]}`
	updateInput = `{"id":"17","idProperty":"email","properties":{"firstname":"Ann","lastname":"O'Neil"},"objectWriteTraceId":"t-1"}`
)

// TestFastDecodeShapes decodes bodies fastDecode reads and bodies it must
// leave to encoding/json, comparing the values of both where it reads them.
func TestFastDecodeShapes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		body string
		// fast lists the bodies fastDecode must read; the others it may
		// leave to encoding/json.
		fast []string
	}{
		// The shapes clients send.
		{`{"inputs":[` + commInput + `,` + commInput + `]}`, []string{"createInputs"}},
		{`{"inputs":[` + updateInput + `]}`, []string{"upsertInputs", "updateInputs"}},
		{`{"inputs":[` + updateInput + `],"idProperty":"email"}`, []string{"updateInputs"}},
		{`{"idProperty":"email","inputs":[{"id":42,"properties":{}}]}`, []string{"updateInputs"}},
		{commInput, []string{"create"}},
		{`{"properties":{"a":"b"}}`, []string{"create", "update"}},
		{` {"properties" : { "a" : "b" , "c":"" } }` + "\n\t\r ", []string{"create", "update"}},
		{`{"properties":{}}`, []string{"create", "update"}},
		{`{}`, []string{"create", "update", "createInputs", "upsertInputs", "updateInputs"}},
		{`{"inputs":[]}`, []string{"createInputs", "upsertInputs", "updateInputs"}},
		{`{"inputs":[{}]}`, []string{"createInputs", "upsertInputs", "updateInputs"}},
		{`{"inputs":[{"properties":{"a":"1"},"objectWriteTraceId":"x"}]}`, []string{"createInputs", "upsertInputs", "updateInputs"}},
		{`{"associations":[]}`, []string{"create"}},
		{`{"associations":[{}]}`, []string{"create"}},
		{`{"associations":[{"to":{},"types":[]}]}`, []string{"create"}},
		{`{"associations":[{"to":{"id":5},"types":[{}]}]}`, []string{"create"}},
		{`{"associations":[{"to":{"id":-0},"types":[{"associationTypeId":-7}]}]}`, []string{"create"}},
		{`{"associations":[{"to":{"id":"9"},"types":[{"associationTypeId":999999999999999999}]}]}`, []string{"create"}},
		{`{"associations":[{"types":[{"associationCategory":"USER_DEFINED","associationTypeId":0},{"associationTypeId":3}]}]}`, []string{"create"}},
		// Strings: escapes, UTF-8, HTML, DEL.
		{`{"properties":{"a":"line\nbreak\ttab\rcr\bbs\fff\"q\\b\/s"}}`, []string{"create", "update"}},
		{`{"properties":{"a":"\u00e9\u20AC\u2028\uFFFF\u0001 <b>&amp;</b>"}}`, []string{"create", "update"}},
		{`{"properties":{"a":"é€😀 ` + "\x7f" + `"}}`, []string{"create", "update"}},
		{`{"properties":{"a":"é\n€"}}`, []string{"create", "update"}},
		{`{"properties":{"hs_timestamp":"1","hs_timestamp2":"2"}}`, []string{"create", "update"}},
		{`{"properties":{"a":"0123456789abcdef","b":"0123456789abcdefg","c":"0123456789abcde\"","d":"é","e":"","f":"<&>"}}`, []string{"create", "update"}},
		{`{"inputs":[{"properties":{"a":"SMS","b":"SMS"}},{"properties":{"a":"SMS","b":"0123456789abcdef"}}]}`, []string{"createInputs", "upsertInputs", "updateInputs"}},
		// Left to encoding/json: what it converts, ignores, merges or refuses.
		{`{"properties":{"a":1}}`, nil},
		{`{"properties":{"a":true}}`, nil},
		{`{"properties":{"a":null}}`, nil},
		{`{"properties":{"a":{}}}`, nil},
		{`{"properties":null}`, nil},
		{`{"properties":{"a":"b","a":"c"}}`, nil},
		{`{"properties":{"a":"b"},"properties":{"c":"d"}}`, nil},
		{`{"Properties":{"a":"b"}}`, nil},
		{`{"PROPERTIES":{"a":"b"}}`, nil},
		{`{"propertieſ":{"a":"b"}}`, nil},
		{`{"propert\u0069es":{"a":"b"}}`, nil},
		{`{"properties":{"\u0061":"b"}}`, nil},
		{`{"properties":{"é":"b"}}`, nil},
		{`{"other":1,"properties":{"a":"b"}}`, nil},
		{`{"properties":{"a":"b"}} x`, nil},
		{`{"properties":{"a":"b"}}}`, nil},
		{`{"properties":{"a":"b"}}]`, nil},
		{`{"properties":{"a":"b"}}{}`, nil},
		{`{"properties":{"a":"b"},}`, nil},
		{`{"properties":{"a":"b",}}`, nil},
		{`{"properties":{"a" "b"}}`, nil},
		{`{"properties":{"a":"b"}`, nil},
		{`{"properties":{"a":"b`, nil},
		{`{"properties":{"a":"\ud83d\ude00"}}`, nil},
		{`{"properties":{"a":"\ud83d"}}`, nil},
		{`{"properties":{"a":"\u0000"}}`, nil},
		{`{"properties":{"a":"\u00"}}`, nil},
		{`{"properties":{"a":"\x"}}`, nil},
		{"{\"properties\":{\"a\":\"\x00\"}}", nil},
		{"{\"properties\":{\"a\":\"\n\"}}", nil},
		{"{\"properties\":{\"a\":\"\xff\"}}", nil},
		{"{\"properties\":{\"a\":\"\xed\xa0\x80\"}}", nil},
		{"{\"properties\":{\"a\":\"\\n\xc3\"}}", nil},
		{"\ufeff{\"properties\":{}}", nil},
		{`{"associations":null}`, nil},
		{`{"associations":[null]}`, nil},
		{`{"associations":[{"to":{"id":"1"},"to":{"id":"2"}}]}`, nil},
		{`{"associations":[{"to":{"id":"1","id":"2"}}]}`, nil},
		{`{"associations":[{"to":{"id":1.5}}]}`, nil},
		{`{"associations":[{"to":{"id":1e3}}]}`, nil},
		{`{"associations":[{"to":{"id":01}}]}`, nil},
		{`{"associations":[{"to":{"id":-}}]}`, nil},
		{`{"associations":[{"to":{"id":true}}]}`, nil},
		{`{"associations":[{"to":{"id":"1"},"types":[{"associationTypeId":"81"}]}]}`, nil},
		{`{"associations":[{"to":{"id":"1"},"types":[{"associationTypeId":1.0}]}]}`, nil},
		{`{"associations":[{"to":{"id":"1"},"types":[{"associationTypeId":9223372036854775807}]}]}`, nil},
		{`{"associations":[{"to":{"id":"1"},"types":[{"associationTypeId":99999999999999999999}]}]}`, nil},
		{`{"associations":[{"to":{"id":"1"},"types":[{"associationTypeId":1,"associationTypeId":2}]}]}`, nil},
		{`{"associations":[{"to":{"id":"1"},"types":[{"associationCategory":"A","associationCategory":"B"}]}]}`, nil},
		{`{"associations":[{"to":{"id":"1"},"types":[{"associationCategory":null}]}]}`, nil},
		{`{"associations":[{"to":{"id":"1"},"types":[{}],"types":[{}]}]}`, nil},
		{`{"associations":[{}],"associations":[{}]}`, nil},
		{`{"associations":[{},]}`, nil},
		{`{"inputs":null}`, nil},
		{`{"inputs":{}}`, nil},
		{`{"inputs":[null]}`, nil},
		{`{"inputs":[],"inputs":[]}`, nil},
		{`{"inputs":[{"objectWriteTraceId":1}]}`, nil},
		{`{"inputs":[{"objectWriteTraceId":"a","objectWriteTraceId":"b"}]}`, nil},
		{`{"inputs":[{"id":"1","id":"2"}]}`, nil},
		{`{"inputs":[{"idProperty":"a","idProperty":"b"}]}`, nil},
		{`{"inputs":[],"idProperty":"a","idProperty":"b"}`, nil},
		{`{"inputs":[],"idProperty":null}`, nil},
		{`[]`, nil},
		{`null`, nil},
		{`"x"`, nil},
		{`1`, nil},
		{``, nil},
		{` `, nil},
		{`{`, nil},
		{`{"`, nil},
		{`{"inputs"`, nil},
		{`{"inputs":`, nil},
		{`{"inputs":[`, nil},
		{`{"inputs":[{`, nil},
	}
	for _, c := range cases {
		body := c.body
		read := checkFastDecode(t, []byte(body))
		for _, name := range c.fast {
			if !strings.Contains(" "+strings.Join(read, " ")+" ", " "+name+" ") {
				t.Errorf("%q: fastDecode did not read it as %s (read as %v)", body, name, read)
			}
		}
		if c.fast == nil && len(read) > 0 {
			t.Errorf("%q: fastDecode read it as %v; it should leave it to encoding/json", body, read)
		}
	}
}

// TestFastDecodeBatchBodies checks that the bodies readInputs and
// batchUpdate decode into are the ones fastDecode reads.
func TestFastDecodeBatchBodies(t *testing.T) {
	t.Parallel()
	var create struct {
		Inputs []batchCreateInput `json:"inputs"`
	}
	var upsert struct {
		Inputs []batchUpdateInput `json:"inputs"`
	}
	var update struct {
		Inputs     []batchUpdateInput `json:"inputs"`
		IDProperty string             `json:"idProperty"`
	}
	if !fastDecode([]byte(`{"inputs":[`+commInput+`]}`), &create) || len(create.Inputs) != 1 ||
		create.Inputs[0].Properties["hs_communication_channel_type"] != "WHATS_APP" ||
		string(create.Inputs[0].Associations[0].To.ID) != "1234" || create.Inputs[0].Associations[0].Types[0].AssociationTypeID != 81 {
		t.Errorf("batch create body: %#v", create)
	}
	if !fastDecode([]byte(`{"inputs":[`+updateInput+`]}`), &upsert) || len(upsert.Inputs) != 1 || upsert.Inputs[0].ObjectWriteTraceID != "t-1" {
		t.Errorf("batch upsert body: %#v", upsert)
	}
	if !fastDecode([]byte(`{"inputs":[`+updateInput+`],"idProperty":"p"}`), &update) || update.IDProperty != "p" || string(update.Inputs[0].ID) != "17" {
		t.Errorf("batch update body: %#v", update)
	}
	// Other bodies are left to encoding/json.
	var read batchReadBody
	if fastDecode([]byte(`{"inputs":[]}`), &read) {
		t.Errorf("fastDecode read a batch read body")
	}
}

// TestFastDecodeLargeBatch compares both ways on a batch of the largest
// size with every field in use.
func TestFastDecodeLargeBatch(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(`{"inputs":[`)
	for i := range 100 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"properties":{"hs_timestamp":"%d","hs_communication_body":"msg \"%d\" <b>é</b>\n"},"objectWriteTraceId":"trace-%d",`+
			`"associations":[{"to":{"id":%d},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":%d}]}]}`, 1700000000000+i, i, i, i+1, 81+i)
	}
	b.WriteString(`]}`)
	if read := checkFastDecode(t, []byte(b.String())); len(read) != 1 || read[0] != "createInputs" {
		t.Errorf("read as %v, want createInputs", read)
	}
}

// FuzzBatchInputsDecode checks that fastDecode, on any input, either gives
// up or yields what encoding/json yields.
func FuzzBatchInputsDecode(f *testing.F) {
	for _, seed := range []string{
		`{"inputs":[` + commInput + `]}`,
		`{"inputs":[` + updateInput + `],"idProperty":"email"}`,
		commInput,
		`{"properties":{"a":"\u00e9\n\"x\"","b":""}}`,
		`{"properties":{"a":"😀 <&>"},"associations":[{"to":{"id":-12},"types":[{"associationTypeId":0}]}]}`,
		`{"inputs":[{"id":1,"properties":{}},{}]}`,
		`{"properties":{"a":1,"b":true,"c":null}}`,
		`{"inputs":[],"idProperty":"x"} `,
		"{\"properties\":{\"a\":\"\\ud83d\\ude00\xff\"}}",
		`{"properties":{"a":"0123456789abcdef","b":"0123456789abcdefg","c":"0123456789abcde\u0041"}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFastDecode(t, data)
	})
}

// FuzzBatchInputsValues is FuzzBatchInputsDecode with the fuzzed text put
// inside a well-formed body, where fastDecode reads most of what it gets:
// property names and values, ids and association types as written.
func FuzzBatchInputsValues(f *testing.F) {
	for _, seed := range [][4]string{
		{"hs_timestamp", "2026-03-14T09:26:07.589Z", `"123"`, "81"},
		{"a", `line\nbreak \"q\" \u00e9\u2028 <b>&</b>`, "42", "-1"},
		{`b\u0061d`, "😀 é", "-0", "999999999999999999"},
		{"k", `\ud83d\ude00`, "1.5", "1e3"},
		{"k", "\xff", `"x"`, `"81"`},
		{"k", `\u0000`, "null", "null"},
	} {
		f.Add(seed[0], seed[1], seed[2], seed[3])
	}
	f.Fuzz(func(t *testing.T, name, value, id, typeID string) {
		input := `{"properties":{"` + name + `":"` + value + `","x":"` + value + `"},"objectWriteTraceId":"` + value + `",` +
			`"associations":[{"to":{"id":` + id + `},"types":[{"associationCategory":"` + value + `","associationTypeId":` + typeID + `}]}]}`
		update := `{"id":` + id + `,"idProperty":"` + name + `","properties":{"` + name + `":"` + value + `"}}`
		for _, body := range []string{
			`{"inputs":[` + input + `,` + input + `]}`,
			`{"inputs":[` + update + `],"idProperty":"` + value + `"}`,
			input,
			`{"properties":{"` + name + `":"` + value + `"}}`,
		} {
			checkFastDecode(t, []byte(body))
		}
	})
}
