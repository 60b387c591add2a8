package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// BenchmarkStoreBatch measures the store alone on the writes of a batch
// create of 100 WhatsApp messages, each associated with one contact: the
// same rows the engine writes (records, one history row each, both
// directions of the association, and the search index), without HTTP,
// JSON or validation, one transaction at a time. "records" leaves out the
// search index, to show what the rest of a create costs.
func BenchmarkStoreBatch(b *testing.B) {
	for _, index := range []bool{false, true} {
		name := "records"
		if index {
			name = "records+index"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			db := open(b, filepath.Join(b.TempDir(), "spoke.db"))
			t := crm.Communications()
			now := time.Date(2026, 3, 14, 9, 26, 53, 589_000_000, time.UTC)
			const contact = 42
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				err := db.Write(ctx, func(tx crm.Tx) error {
					ids, err := tx.NextIDs(ctx, 100)
					if err != nil {
						return err
					}
					objs := make([]*crm.Object, len(ids))
					var history []crm.HistoryEntry
					var rows []crm.AssociationRow
					for k, id := range ids {
						body := fmt.Sprintf("History import message %d: order shipped, courier tomorrow.", k)
						ts := crm.FormatTime(now)
						props := map[string]string{
							"hs_communication_channel_type": "WHATS_APP", "hs_communication_logged_from": "CRM",
							"hs_communication_body": body, "hs_timestamp": crm.FormatTime(now.Add(time.Duration(k) * time.Second)),
							"hs_object_id": strconv.FormatInt(id, 10), "hs_createdate": ts, "hs_lastmodifieddate": ts,
							"hs_object_source": "INTEGRATION", "hs_object_source_id": "1", "hs_object_source_label": "INTEGRATION",
							"hs_body_preview": body, "hs_body_preview_html": "<html>\n <head></head>\n <body>\n " + body + "\n </body>\n</html>",
							"hs_body_preview_is_truncated": "false",
						}
						objs[k] = &crm.Object{ID: id, TypeID: t.ID, Properties: props, CreatedAt: now, UpdatedAt: now}
						for name, v := range props {
							history = append(history, crm.HistoryEntry{ObjectID: id, Name: name, Value: v, Timestamp: now, SourceType: "INTEGRATION", SourceID: "1"})
						}
						rows = append(rows,
							crm.AssociationRow{FromID: id, FromType: t.ID, ToID: contact, ToType: "0-1", TypeID: 81, Category: "HUBSPOT_DEFINED"},
							crm.AssociationRow{FromID: contact, FromType: "0-1", ToID: id, ToType: t.ID, TypeID: 82, Category: "HUBSPOT_DEFINED"})
					}
					if err := tx.InsertObjects(ctx, objs); err != nil {
						return err
					}
					if err := tx.AppendHistory(ctx, history); err != nil {
						return err
					}
					if err := tx.AddAssociations(ctx, rows); err != nil {
						return err
					}
					if !index {
						return nil
					}
					docs := make([]crm.SearchDoc, len(objs))
					for k, o := range objs {
						docs[k] = t.SearchDoc(o)
						docs[k].New = true
					}
					return tx.IndexObjects(ctx, docs)
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "objects/s")
		})
	}
}
