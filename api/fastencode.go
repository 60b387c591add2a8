package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/jsonenc"
)

// Records and the batch envelope around them are written here without
// reflection: the bytes are those writeJSON writes for the same values
// (encoding/json with HTML escaping off), field for field in the order of
// objectJSON's fields, map keys sorted.

// writtenJSON is the record a write returns (tracedJSON): its properties
// are written from the record, without building objectJSON's map.
type writtenJSON struct {
	t       *crm.ObjectType
	obj     *crm.Object
	traceID string
	// upsert adds the field "new", with isNew, as a batch upsert answers.
	upsert, isNew bool
}

// MarshalJSON writes the record as tracedJSON's value is written, should
// one be given to encoding/json.
func (w writtenJSON) MarshalJSON() ([]byte, error) {
	return appendWritten(nil, w), nil
}

// bufPool holds response buffers of at most maxPooledBuf bytes.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

const maxPooledBuf = 1 << 20

// writeAppended writes the JSON fn appends, as writeJSON writes a value.
func writeAppended(w http.ResponseWriter, status int, fn func([]byte) []byte) {
	p := bufPool.Get().(*[]byte)
	b := fn((*p)[:0])
	w.Header().Set("Content-Type", jsonContentType)
	w.WriteHeader(status)
	w.Write(b)
	if cap(b) <= maxPooledBuf {
		*p = b
		bufPool.Put(p)
	}
}

// writeRecord writes a record as writeJSON writes its tracedJSON.
func writeRecord(w http.ResponseWriter, status int, rec writtenJSON) {
	writeAppended(w, status, func(b []byte) []byte { return appendWritten(b, rec) })
}

// writeBatchFast is writeBatch for results of the types appendResults
// writes; it reports false, having written nothing, for others.
func writeBatchFast(w http.ResponseWriter, status int, started time.Time, results any, errs []standardErrorJSON) bool {
	switch results.(type) {
	case []objectJSON, []writtenJSON:
	default:
		return false
	}
	var errJSON []byte
	if len(errs) > 0 {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if enc.Encode(errs) != nil {
			return false
		}
		errJSON = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	}
	completed := time.Now()
	writeAppended(w, status, func(b []byte) []byte {
		b = append(b, `{"status":"COMPLETE","results":`...)
		switch results := results.(type) {
		case []objectJSON:
			if results == nil {
				b = append(b, "null"...)
				break
			}
			b = append(b, '[')
			for i := range results {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendObject(b, &results[i])
			}
			b = append(b, ']')
		case []writtenJSON:
			if results == nil {
				b = append(b, "null"...)
				break
			}
			b = append(b, '[')
			var rw recordWriter
			for i, rec := range results {
				if i > 0 {
					b = append(b, ',')
				}
				b = rw.append(b, rec)
			}
			b = append(b, ']')
		}
		if len(errs) > 0 {
			b = append(b, `,"numErrors":`...)
			b = strconv.AppendInt(b, int64(len(errs)), 10)
			b = append(b, `,"errors":`...)
			b = append(b, errJSON...)
		}
		b = append(b, `,"startedAt":`...)
		b = appendTime(b, started)
		b = append(b, `,"completedAt":`...)
		b = appendTime(b, completed)
		return append(b, '}')
	})
	return true
}

// appendWritten appends the record rec as encoding/json writes its
// tracedJSON.
func appendWritten(b []byte, rec writtenJSON) []byte {
	var w recordWriter
	return w.append(b, rec)
}

// recordWriter writes records as appendWritten does. The records of a
// batch mostly have the same properties: it keeps the sorted names of the
// last record's, which serve the next record that has the same.
type recordWriter struct {
	t *crm.ObjectType
	// names are the last record's property names, sorted, and shown tells
	// which of them are live properties of t (the ones written).
	names  []string
	shown  []bool
	values []string
}

// sameNames looks up the values of w.names in props, reporting whether
// those are all of props' names.
func (w *recordWriter) sameNames(t *crm.ObjectType, props map[string]string) bool {
	if t != w.t || len(props) != len(w.names) {
		return false
	}
	w.values = w.values[:0]
	for _, name := range w.names {
		v, ok := props[name]
		if !ok {
			return false
		}
		w.values = append(w.values, v)
	}
	return true
}

// append appends rec as encoding/json writes its tracedJSON.
func (w *recordWriter) append(b []byte, rec writtenJSON) []byte {
	o := rec.obj
	b = append(b, `{"id":"`...)
	b = strconv.AppendInt(b, o.ID, 10)
	b = append(b, `","properties":{`...)
	if !w.sameNames(rec.t, o.Properties) {
		w.t, w.names, w.shown, w.values = rec.t, w.names[:0], w.shown[:0], w.values[:0]
		for name := range o.Properties {
			w.names = append(w.names, name)
		}
		slices.Sort(w.names)
		for _, name := range w.names {
			w.shown = append(w.shown, rec.t.Property(name) != nil)
			w.values = append(w.values, o.Properties[name])
		}
	}
	first := true
	for i, name := range w.names {
		if !w.shown[i] {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = jsonenc.AppendStringNoHTML(b, name)
		b = append(b, ':')
		b = jsonenc.AppendStringNoHTML(b, w.values[i])
	}
	b = append(b, `},"createdAt":`...)
	created := len(b)
	b = appendTime(b, o.CreatedAt)
	createdEnd := len(b)
	b = append(b, `,"updatedAt":`...)
	if o.UpdatedAt.Equal(o.CreatedAt) {
		b = append(b, b[created:createdEnd]...)
	} else {
		b = appendTime(b, o.UpdatedAt)
	}
	if o.Archived {
		b = append(b, `,"archived":true,"archivedAt":`...)
		b = appendTime(b, o.ArchivedAt)
	} else {
		b = append(b, `,"archived":false`...)
	}
	if rec.traceID != "" {
		b = append(b, `,"objectWriteTraceId":`...)
		b = jsonenc.AppendStringNoHTML(b, rec.traceID)
	}
	if rec.upsert {
		b = append(b, `,"new":`...)
		b = strconv.AppendBool(b, rec.isNew)
	}
	return append(b, '}')
}

// appendObject appends o as encoding/json writes it.
func appendObject(b []byte, o *objectJSON) []byte {
	b = append(b, `{"id":`...)
	b = jsonenc.AppendStringNoHTML(b, o.ID)
	b = append(b, `,"properties":`...)
	if o.Properties == nil {
		b = append(b, "null"...)
	} else {
		b = appendMap(b, o.Properties, func(b []byte, v *string) []byte {
			if v == nil {
				return append(b, "null"...)
			}
			return jsonenc.AppendStringNoHTML(b, *v)
		})
	}
	if len(o.PropertiesWithHistory) > 0 {
		b = append(b, `,"propertiesWithHistory":`...)
		b = appendMap(b, o.PropertiesWithHistory, appendHistory)
	}
	b = append(b, `,"createdAt":`...)
	b = jsonenc.AppendStringNoHTML(b, o.CreatedAt)
	b = append(b, `,"updatedAt":`...)
	b = jsonenc.AppendStringNoHTML(b, o.UpdatedAt)
	b = append(b, `,"archived":`...)
	b = strconv.AppendBool(b, o.Archived)
	if o.ArchivedAt != "" {
		b = append(b, `,"archivedAt":`...)
		b = jsonenc.AppendStringNoHTML(b, o.ArchivedAt)
	}
	if o.ObjectWriteTraceID != "" {
		b = append(b, `,"objectWriteTraceId":`...)
		b = jsonenc.AppendStringNoHTML(b, o.ObjectWriteTraceID)
	}
	if len(o.Associations) > 0 {
		b = append(b, `,"associations":`...)
		b = appendMap(b, o.Associations, appendAssociationsPage)
	}
	return append(b, '}')
}

// appendMap appends m as encoding/json writes it: its keys sorted, each
// value as value appends it.
func appendMap[V any](b []byte, m map[string]V, value func([]byte, V) []byte) []byte {
	b = append(b, '{')
	for i, k := range sortedKeys(m) {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonenc.AppendStringNoHTML(b, k)
		b = append(b, ':')
		b = value(b, m[k])
	}
	return append(b, '}')
}

// appendHistory appends a property's history as encoding/json writes it.
func appendHistory(b []byte, list []historyJSON) []byte {
	if list == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for j, h := range list {
		if j > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"value":`...)
		b = jsonenc.AppendStringNoHTML(b, h.Value)
		b = append(b, `,"timestamp":`...)
		b = jsonenc.AppendStringNoHTML(b, h.Timestamp)
		b = append(b, `,"sourceType":`...)
		b = jsonenc.AppendStringNoHTML(b, h.SourceType)
		if h.SourceID != "" {
			b = append(b, `,"sourceId":`...)
			b = jsonenc.AppendStringNoHTML(b, h.SourceID)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendAssociationsPage appends p as encoding/json writes it.
func appendAssociationsPage(b []byte, p associationsPageJSON) []byte {
	b = append(b, `{"results":`...)
	if p.Results == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, a := range p.Results {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"id":`...)
			b = jsonenc.AppendStringNoHTML(b, a.ID)
			b = append(b, `,"type":`...)
			b = jsonenc.AppendStringNoHTML(b, a.Type)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = appendPaging(b, p.Paging)
	return append(b, '}')
}

// sortedKeys returns the keys of m in the order encoding/json writes them.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// appendTime appends t as a JSON string of crm.FormatTime's text.
func appendTime(b []byte, t time.Time) []byte {
	t = t.UTC().Truncate(time.Millisecond)
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		b = append(b, '"')
		if t.Nanosecond() == 0 {
			b = t.AppendFormat(b, "2006-01-02T15:04:05Z")
		} else {
			b = t.AppendFormat(b, "2006-01-02T15:04:05.000Z")
		}
		return append(b, '"')
	}
	hour, minute, sec := t.Clock()
	b = append(b, '"', byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+month/10), byte('0'+month%10), '-', byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':', byte('0'+minute/10), byte('0'+minute%10), ':', byte('0'+sec/10), byte('0'+sec%10))
	if ms := t.Nanosecond() / 1e6; ms != 0 {
		b = append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	}
	return append(b, 'Z', '"')
}

// appendList appends l as encoding/json writes it.
func appendList(b []byte, l *listJSON) []byte {
	b = append(b, `{"results":`...)
	if l.Results == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range l.Results {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendObject(b, &l.Results[i])
		}
		b = append(b, ']')
	}
	b = appendPaging(b, l.Paging)
	return append(b, '}')
}

// appendPaging appends a "paging" field for p, nothing if p is nil.
func appendPaging(b []byte, p *pagingJSON) []byte {
	if p == nil {
		return b
	}
	b = append(b, `,"paging":{`...)
	if next := p.Next; next != nil {
		b = append(b, `"next":{"after":`...)
		b = jsonenc.AppendStringNoHTML(b, next.After)
		if next.Link != "" {
			b = append(b, `,"link":`...)
			b = jsonenc.AppendStringNoHTML(b, next.Link)
		}
		b = append(b, '}')
	}
	return append(b, '}')
}
