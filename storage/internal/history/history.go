// Package history is the stored form of property history shared by the
// storage backends: one row per write of a record, holding a JSON array of
// [name, value, sourceType, sourceId] for the values that write set.
package history

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/jsonenc"
)

// Write is one stored row.
type Write struct {
	ObjectID  int64
	Timestamp int64 // epoch milliseconds
	Changes   string
}

// Group turns entries into rows: consecutive entries of one record with one
// timestamp are one write.
func Group(entries []crm.HistoryEntry) ([]Write, error) {
	var out []Write
	var buf []byte
	for i := 0; i < len(entries); {
		id, ts := entries[i].ObjectID, entries[i].Timestamp.UnixMilli()
		buf = append(buf[:0], '[')
		for j := i; i < len(entries) && entries[i].ObjectID == id && entries[i].Timestamp.UnixMilli() == ts; i++ {
			h := &entries[i]
			if i > j {
				buf = append(buf, ',')
			}
			buf = append(buf, '[')
			buf = jsonenc.AppendString(buf, h.Name)
			buf = append(buf, ',')
			buf = jsonenc.AppendString(buf, h.Value)
			buf = append(buf, ',')
			buf = jsonenc.AppendString(buf, h.SourceType)
			buf = append(buf, ',')
			buf = jsonenc.AppendString(buf, h.SourceID)
			buf = append(buf, ']')
		}
		buf = append(buf, ']')
		out = append(out, Write{ObjectID: id, Timestamp: ts, Changes: string(buf)})
	}
	return out, nil
}

// Collector rebuilds the entries of some properties from rows read newest
// first, keeping them newest first per (record, property).
type Collector struct {
	want  map[string]bool
	byKey map[key][]crm.HistoryEntry
	order []key
}

type key struct {
	id   int64
	name string
}

// NewCollector collects the history of the named properties.
func NewCollector(names []string) *Collector {
	c := &Collector{want: make(map[string]bool, len(names)), byKey: map[key][]crm.HistoryEntry{}}
	for _, n := range names {
		c.want[n] = true
	}
	return c
}

// Add takes one row.
func (c *Collector) Add(objectID, timestamp int64, changes []byte) error {
	var list [][4]string
	if err := json.Unmarshal(changes, &list); err != nil {
		return err
	}
	for _, ch := range list {
		if !c.want[ch[0]] {
			continue
		}
		k := key{objectID, ch[0]}
		if _, seen := c.byKey[k]; !seen {
			c.order = append(c.order, k)
		}
		c.byKey[k] = append(c.byKey[k], crm.HistoryEntry{ObjectID: objectID, Name: ch[0], Value: ch[1],
			Timestamp: time.UnixMilli(timestamp).UTC(), SourceType: ch[2], SourceID: ch[3]})
	}
	return nil
}

// Entries returns what was collected.
func (c *Collector) Entries() []crm.HistoryEntry {
	var out []crm.HistoryEntry
	for _, k := range c.order {
		out = append(out, c.byKey[k]...)
	}
	return out
}

// Compact returns the stored form of a record's first write when its
// entries set exactly the record's properties, each once, all at one time:
// a JSON array [timestamp, [sourceType, sourceId], [sourceType, sourceId,
// name, ...], ...], in which the first pair is the source of every property
// not named after it (the most common pair). The values are not repeated:
// they are the record's properties until these first change (see package
// sqlstore). ok is false when the entries are not of that form.
func Compact(o *crm.Object) (string, bool) {
	entries := o.CreateHistory
	if len(entries) == 0 || len(entries) != len(o.Properties) {
		return "", false
	}
	ts := entries[0].Timestamp.UnixMilli()
	// Few sources and names: slices, not maps.
	type source struct {
		typ, id string
		count   int
	}
	var space [4]source
	sources := space[:0]
	var names [32]string
	seen := names[:0]
	for _, h := range entries {
		v, ok := o.Properties[h.Name]
		if !ok || v != h.Value || h.ObjectID != o.ID || h.Timestamp.UnixMilli() != ts {
			return "", false
		}
		seen = append(seen, h.Name)
		k := slices.IndexFunc(sources, func(s source) bool { return s.typ == h.SourceType && s.id == h.SourceID })
		if k < 0 {
			k = len(sources)
			sources = append(sources, source{typ: h.SourceType, id: h.SourceID})
		}
		sources[k].count++
	}
	// Each property once: with as many entries as properties, a name twice
	// would leave another property without a value.
	slices.Sort(seen)
	for i := 1; i < len(seen); i++ {
		if seen[i] == seen[i-1] {
			return "", false
		}
	}
	common := 0
	for i, s := range sources {
		if s.count > sources[common].count {
			common = i
		}
	}
	buf := make([]byte, 0, 64+16*len(entries))
	buf = append(buf, '[')
	buf = strconv.AppendInt(buf, ts, 10)
	for i, s := range sources {
		if i != common {
			continue
		}
		buf = appendSource(buf, s.typ, s.id)
		buf = append(buf, ']')
	}
	for i, s := range sources {
		if i == common {
			continue
		}
		buf = appendSource(buf, s.typ, s.id)
		for _, h := range entries {
			if h.SourceType == s.typ && h.SourceID == s.id {
				buf = append(buf, ',')
				buf = jsonenc.AppendString(buf, h.Name)
			}
		}
		buf = append(buf, ']')
	}
	buf = append(buf, ']')
	return string(buf), true
}

func appendSource(buf []byte, typ, id string) []byte {
	buf = append(buf, ",["...)
	buf = jsonenc.AppendString(buf, typ)
	buf = append(buf, ',')
	return jsonenc.AppendString(buf, id)
}

// AddCreate takes the first write of record objectID in its compact form
// (see Compact) with the record's values of that time. It is the record's
// oldest write: call it after Add has taken every row of the record.
func (c *Collector) AddCreate(objectID int64, compact []byte, values map[string]string) error {
	var form []json.RawMessage
	if err := json.Unmarshal(compact, &form); err != nil || len(form) < 2 {
		return fmt.Errorf("history of %d: bad first write %q", objectID, compact)
	}
	var ts int64
	if err := json.Unmarshal(form[0], &ts); err != nil {
		return fmt.Errorf("history of %d: bad first write %q", objectID, compact)
	}
	sources := make(map[string][2]string)
	var common [2]string
	for i, raw := range form[1:] {
		var group []string
		if err := json.Unmarshal(raw, &group); err != nil || len(group) < 2 || (i == 0) != (len(group) == 2) {
			return fmt.Errorf("history of %d: bad first write %q", objectID, compact)
		}
		if i == 0 {
			common = [2]string{group[0], group[1]}
			continue
		}
		for _, name := range group[2:] {
			sources[name] = [2]string{group[0], group[1]}
		}
	}
	at := time.UnixMilli(ts).UTC()
	names := make([]string, 0, len(values))
	for name := range values {
		if c.want[name] {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		s, ok := sources[name]
		if !ok {
			s = common
		}
		k := key{objectID, name}
		if _, seen := c.byKey[k]; !seen {
			c.order = append(c.order, k)
		}
		c.byKey[k] = append(c.byKey[k], crm.HistoryEntry{ObjectID: objectID, Name: name, Value: values[name],
			Timestamp: at, SourceType: s[0], SourceID: s[1]})
	}
	return nil
}
