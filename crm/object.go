package crm

import (
	"sort"
	"time"
)

// Object is one stored CRM record. Properties hold only values that are set,
// in their stored (normalised) form.
type Object struct {
	ID         int64
	TypeID     string
	Properties map[string]string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Archived   bool
	ArchivedAt time.Time
	// CreateHistory, on a record given to Tx.InsertObjects, is the history
	// of its first write, which the store keeps with the record: it is not
	// given to AppendHistory as well. Reads leave it empty.
	CreateHistory []HistoryEntry
	// Prepared, on a record given to Tx.InsertObjects, is the store's own
	// form of it, made before the write transaction by a Preparer; nil
	// otherwise. Reads leave it empty.
	Prepared any
}

// HistoryEntry is one recorded value of one property.
type HistoryEntry struct {
	ObjectID   int64
	Name       string
	Value      string
	Timestamp  time.Time
	SourceType string
	SourceID   string
}

// Source types recorded in property history.
const (
	SourceIntegration = "INTEGRATION"
	SourceCalculated  = "CALCULATED"
)

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
