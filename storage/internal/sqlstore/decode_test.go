package sqlstore

import (
	"encoding/json"
	"reflect"
	"testing"
)

var propertiesSeeds = []string{
	`{}`, ` { } `, `null`, ``, `{`, `}`, `[]`, `"x"`, `{"a":"b"}`, `{"a":"b","c":""}`,
	"{\n \"a\" : \"b\" ,\t\"c\":\"d\"\r}",
	`{"a":"b",}`, `{"a":"b"}x`, `{"a":"b"} `, `{"a":1}`, `{"a":null}`, `{"a":"b" "c":"d"}`, `{a:"b"}`,
	`{"a":"b","a":"c"}`,
	`{"html":"\u003chtml\u003e\n \u003chead\u003e\u003c/head\u003e","q":"\"quoted\" \\ \/"}`,
	`{"emoji":"😀 é","pair":"\ud83d\ude00","lone":"\ud83d","nul":"a\u0000b"}`,
	"{\"bad\":\"\xff\xfe\"}", "{\"bad\":\"\xff\\n\"}", "{\"ctl\":\"a\x01b\"}",
	`{"a":"\x"}`, `{"a":"\u12"}`, `{"a":"b\"}`, `{"a":"b\\"}`,
}

// FuzzDecodeProperties checks that decodeProperties agrees with json.Unmarshal.
func FuzzDecodeProperties(f *testing.F) {
	for _, s := range propertiesSeeds {
		f.Add([]byte(s))
	}
	m, _ := json.Marshal(map[string]string{"hs_communication_body": "Hi <b>Ana</b> & co\n\t\"x\"", "hs_timestamp": "2026-03-14T09:26:53.589Z"})
	f.Add(m)
	f.Fuzz(func(t *testing.T, data []byte) {
		var want map[string]string
		wantErr := json.Unmarshal(data, &want)
		got, err := decodeProperties(data)
		if (err != nil) != (wantErr != nil) || !reflect.DeepEqual(got, want) {
			t.Errorf("decodeProperties(%q) = %#v, %v; json.Unmarshal gives %#v, %v", data, got, err, want, wantErr)
		}
	})
}
