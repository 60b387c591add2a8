package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	_ "github.com/ncruces/go-sqlite3/driver"
)

// floorMessage is the stored JSON of message i of a batch, as Spoke stores
// the properties of one of BenchmarkBatchCreate's messages (with a record id
// of the same length).
func floorMessage(id int64, i int) []byte {
	body := fmt.Sprintf("History import message %d: order shipped, courier tomorrow.", i)
	props := map[string]string{
		"hs_communication_channel_type": "WHATS_APP", "hs_communication_logged_from": "CRM",
		"hs_communication_body": body, "hs_timestamp": fmt.Sprintf("2026-03-14T09:26:%02d.589Z", i%60),
		"hs_object_id": strconv.FormatInt(id, 10), "hs_createdate": "2026-11-29T23:50:26.490Z", "hs_lastmodifieddate": "2026-11-29T23:50:26.490Z",
		"hs_object_source": "INTEGRATION", "hs_object_source_id": "1", "hs_object_source_label": "INTEGRATION",
		"hs_body_preview": body, "hs_body_preview_html": "<html>\n <head></head>\n <body>\n " + body + "\n </body>\n</html>",
		"hs_body_preview_is_truncated": "false",
	}
	data, _ := json.Marshal(props)
	return data
}

// sqliteFloor stores the floor of a batch create with batchClients
// concurrent clients: per message one JSON row and one association row,
// 100 messages per transaction, through the SQLite driver Spoke uses
// (github.com/ncruces/go-sqlite3 under database/sql), with Spoke's pragmas
// (WAL, synchronous=NORMAL) and one writer connection. No HTTP, no JSON
// encoding, no history, no index: what no layout of Spoke's can beat.
func sqliteFloor(b *testing.B) {
	pragmas := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(wal)", "synchronous(normal)", "foreign_keys(on)", "temp_store(memory)", "cache_size(-32000)"} {
		pragmas.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(b.TempDir(), "floor.db")+"?_txlock=immediate&"+pragmas.Encode())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	for _, s := range []string{
		`CREATE TABLE objects (id INTEGER PRIMARY KEY, properties TEXT NOT NULL)`,
		`CREATE TABLE associations (from_id INTEGER NOT NULL, to_id INTEGER NOT NULL, PRIMARY KEY (from_id, to_id)) WITHOUT ROWID`,
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	rows := strings.TrimSuffix(strings.Repeat("(?, ?), ", 100), ", ")
	insertObjects, err := db.PrepareContext(ctx, `INSERT INTO objects (id, properties) VALUES `+rows)
	if err != nil {
		b.Fatal(err)
	}
	insertAssociations, err := db.PrepareContext(ctx, `INSERT INTO associations (from_id, to_id) VALUES `+rows)
	if err != nil {
		b.Fatal(err)
	}
	const contact = 10000000000
	var lastID atomic.Int64
	lastID.Store(contact)
	// The rows' JSON is written once: the floor is the storing alone.
	var messages [100][]byte
	for i := range messages {
		messages[i] = floorMessage(contact+1+int64(i), i)
	}
	batch := func() error {
		first := lastID.Add(100) - 99
		objs := make([]any, 0, 200)
		assocs := make([]any, 0, 200)
		for i := range 100 {
			id := first + int64(i)
			objs = append(objs, id, messages[i])
			assocs = append(assocs, id, contact)
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if _, err := tx.StmtContext(ctx, insertObjects).ExecContext(ctx, objs...); err != nil {
			return err
		}
		if _, err := tx.StmtContext(ctx, insertAssociations).ExecContext(ctx, assocs...); err != nil {
			return err
		}
		return tx.Commit()
	}
	runClients(b, batch)
}

// runClients calls batch b.N times from batchClients goroutines and reports
// objects/s and the process's processor time per object (100 objects a
// call).
func runClients(b *testing.B, batch func() error) {
	var next atomic.Int64
	var failed atomic.Value
	cpu0 := cpuTime()
	b.ResetTimer()
	var wg sync.WaitGroup
	for range batchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				if err := batch(); err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	if err, ok := failed.Load().(error); ok {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "objects/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N*100), "cpu-µs/object")
}
