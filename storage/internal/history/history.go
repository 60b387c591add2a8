// Package history is the stored form of property history shared by the
// storage backends: one row per write of a record, holding a JSON array of
// [name, value, sourceType, sourceId] for the values that write set.
package history

import (
	"encoding/json"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/storage/internal/jsonenc"
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
