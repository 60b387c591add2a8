package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// TestConcurrentWrites runs concurrent writes that succeed, fail, panic or
// come with a cancelled context. Writes share transactions under load, so
// this checks that each one still commits or rolls back on its own, and that
// a successful Write is visible to readers as soon as it returns.
func TestConcurrentWrites(t *testing.T) {
	ctx := context.Background()
	db := OpenForTest(t, filepath.Join(t.TempDir(), "spoke.db"))

	errFail := errors.New("fail")
	const workers, perWorker = 8, 40
	var (
		mu   sync.Mutex
		want []int64
		wg   sync.WaitGroup
	)
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				kind := (w + i) % 5
				wctx := ctx
				if kind == 3 {
					c, cancel := context.WithCancel(ctx)
					cancel()
					wctx = c
				}
				var id int64
				err := func() (err error) {
					defer func() {
						if v := recover(); v != nil {
							err = fmt.Errorf("panic: %v", v)
						}
					}()
					return db.Write(wctx, func(tx crm.Tx) error {
						ids, err := tx.NextIDs(ctx, 1)
						if err != nil {
							return err
						}
						id = ids[0]
						now := time.UnixMilli(1_700_000_000_000).UTC()
						obj := &crm.Object{ID: id, TypeID: "0-18", Properties: map[string]string{"n": fmt.Sprint(w, i)}, CreatedAt: now, UpdatedAt: now}
						if err := tx.InsertObjects(ctx, []*crm.Object{obj}); err != nil {
							return err
						}
						if err := tx.AppendHistory(ctx, []crm.HistoryEntry{{ObjectID: id, Name: "n", Value: "v", Timestamp: now, SourceType: "INTEGRATION"}}); err != nil {
							return err
						}
						time.Sleep(100 * time.Microsecond) // let other writers queue up
						switch kind {
						case 1:
							return errFail
						case 2:
							panic("boom")
						}
						return nil
					})
				}()
				switch {
				case kind == 0 || kind == 4:
					if err != nil {
						t.Errorf("write %d/%d: %v", w, i, err)
						continue
					}
					if err := db.Read(ctx, func(tx crm.ReadTx) error {
						_, err := tx.Object(ctx, "0-18", id)
						return err
					}); err != nil {
						t.Errorf("write %d/%d returned before being visible: %v", w, i, err)
					}
					mu.Lock()
					want = append(want, id)
					mu.Unlock()
				case kind == 1 && !errors.Is(err, errFail),
					kind == 2 && (err == nil || err.Error() != "panic: boom"),
					kind == 3 && !errors.Is(err, context.Canceled):
					t.Errorf("write %d/%d (kind %d): got %v", w, i, kind, err)
				}
			}
		})
	}
	wg.Wait()

	var got []int64
	err := db.Read(ctx, func(tx crm.ReadTx) error {
		objs, err := tx.ListObjects(ctx, crm.ListQuery{TypeID: "0-18", Limit: workers * perWorker})
		for _, o := range objs {
			got = append(got, o.ID)
		}
		if err != nil {
			return err
		}
		h, err := tx.History(ctx, got, []string{"n"})
		if err == nil && len(h) != len(got) {
			err = fmt.Errorf("%d history rows for %d objects", len(h), len(got))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("stored ids differ from successful writes:\n got %v\nwant %v", got, want)
	}
}

// TestGroupedWritesFreeText checks the free text of writes sharing one
// transaction, which is written just before the commit: a write that fails
// leaves none of its changes, later writes replace or remove the text of
// earlier ones, and emptying the index removes the text written before it
// in the same transaction.
func TestGroupedWritesFreeText(t *testing.T) {
	ctx := context.Background()
	db := OpenForTest(t, filepath.Join(t.TempDir(), "spoke.db"))
	now := time.UnixMilli(1_700_000_000_000).UTC()
	create := func(tx crm.Tx, text string) (int64, error) {
		ids, err := tx.NextIDs(ctx, 1)
		if err != nil {
			return 0, err
		}
		obj := &crm.Object{ID: ids[0], TypeID: "0-18", Properties: map[string]string{}, CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertObjects(ctx, []*crm.Object{obj}); err != nil {
			return 0, err
		}
		return ids[0], tx.IndexObjects(ctx, []crm.SearchDoc{{ObjectID: ids[0], TypeID: "0-18", Text: text, New: true}})
	}
	reindex := func(tx crm.Tx, id int64, text string) error {
		return tx.IndexObjects(ctx, []crm.SearchDoc{{ObjectID: id, TypeID: "0-18", Text: text}})
	}
	// group runs the writes in one transaction: each starts once the one
	// before runs, and waits until the next one is queued behind it before
	// it returns, so that the commit waits for that one.
	group := func(writes ...func(tx crm.Tx) error) []error {
		errs := make([]error, len(writes))
		groups := make([]*group, len(writes))
		var wg sync.WaitGroup
		for i, w := range writes {
			running := make(chan struct{})
			wg.Go(func() {
				errs[i] = db.Write(ctx, func(tx crm.Tx) error {
					groups[i] = db.w.cur
					close(running)
					err := w(tx)
					for i+1 < len(writes) && db.w.waiting.Load() == 0 {
						runtime.Gosched()
					}
					return err
				})
			})
			<-running
		}
		wg.Wait()
		for i := range groups {
			if groups[i] != groups[0] {
				t.Fatalf("write %d ran in a transaction of its own", i)
			}
		}
		return errs
	}
	// find reads the free-text index itself: rows without a record, which
	// searches leave out, count.
	find := func(word string) []int64 {
		t.Helper()
		rows, err := db.reader.Query(`SELECT rowid FROM search_words WHERE search_words MATCH ? ORDER BY rowid`, word)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return ids
	}

	var b int64
	if err := db.Write(ctx, func(tx crm.Tx) (err error) { b, err = create(tx, "bravo"); return err }); err != nil {
		t.Fatal(err)
	}
	var a, c, h int64
	errFail := errors.New("fail")
	errs := group(
		func(tx crm.Tx) (err error) { a, err = create(tx, "alpha"); return err },
		func(tx crm.Tx) error {
			if err := tx.UnindexObjects(ctx, []int64{a}); err != nil {
				return err
			}
			var err error
			if c, err = create(tx, "charlie"); err != nil {
				return err
			}
			return errFail
		},
		func(tx crm.Tx) error { return reindex(tx, b, "delta") },
		func(tx crm.Tx) (err error) { h, err = create(tx, "hotel"); return err },
		func(tx crm.Tx) error { return reindex(tx, h, "india") },
	)
	if errs[0] != nil || !errors.Is(errs[1], errFail) || errs[2] != nil || errs[3] != nil || errs[4] != nil {
		t.Fatalf("writes: %v", errs)
	}
	for word, want := range map[string][]int64{"alpha": {a}, "charlie": nil, "bravo": nil, "delta": {b}, "hotel": nil, "india": {h}} {
		if got := find(word); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %v, want %v (a %d, b %d, c %d, h %d)", word, got, want, a, b, c, h)
		}
	}

	errs = group(
		func(tx crm.Tx) (err error) { _, err = create(tx, "foxtrot"); return err },
		func(tx crm.Tx) error { return tx.Reset(ctx, crm.ResetScope{}) },
		func(tx crm.Tx) (err error) { _, err = create(tx, "golf"); return err },
	)
	if errs[0] != nil || errs[1] != nil || errs[2] != nil {
		t.Fatalf("writes: %v", errs)
	}
	for _, word := range []string{"foxtrot", "alpha", "delta", "india"} {
		if got := find(word); len(got) != 0 {
			t.Errorf("%s after the reset: %v", word, got)
		}
	}
	if got := find("golf"); len(got) != 1 {
		t.Errorf("golf: %v", got)
	}
}

// A group takes no more calls once its calls wrote maxGroupRecords records
// (or it holds maxGroup calls): concurrent writes of 120 records each join
// at most one other, and every one of them is stored.
func TestGroupRecordBound(t *testing.T) {
	for _, tc := range []struct {
		g    group
		open bool
	}{
		{group{members: 1, records: 1}, true},
		{group{members: maxGroup - 1, records: maxGroupRecords - 1}, true},
		{group{members: 1, records: maxGroupRecords}, false},
		{group{members: maxGroup, records: 1}, false},
	} {
		if tc.g.open() != tc.open {
			t.Errorf("group of %d calls and %d records: open %v, want %v", tc.g.members, tc.g.records, !tc.open, tc.open)
		}
	}

	ctx := context.Background()
	db := OpenForTest(t, filepath.Join(t.TempDir(), "spoke.db"))
	const workers, calls, per = 6, 3, 120
	var mu sync.Mutex
	var joined []int // records of the group when each call started in it
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range calls {
				err := db.Write(ctx, func(tx crm.Tx) error {
					mu.Lock()
					joined = append(joined, db.w.cur.records)
					mu.Unlock()
					ids, err := tx.NextIDs(ctx, per)
					if err != nil {
						return err
					}
					now := time.UnixMilli(1_700_000_000_000).UTC()
					objs := make([]*crm.Object, per)
					for i, id := range ids {
						objs[i] = &crm.Object{ID: id, TypeID: "0-18", Properties: map[string]string{"n": "1"}, CreatedAt: now, UpdatedAt: now}
					}
					runtime.Gosched() // let other writers queue up
					return tx.InsertObjects(ctx, objs)
				})
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	// 120 < maxGroupRecords <= 240: a call starts a group or joins one
	// other call's.
	if maxGroupRecords <= per || maxGroupRecords > 2*per {
		t.Fatalf("the test assumes %d < maxGroupRecords <= %d", per, 2*per)
	}
	for i, r := range joined {
		if r != 0 && r != per {
			t.Errorf("call %d joined a group holding %d records", i, r)
		}
	}
	err := db.Read(ctx, func(tx crm.ReadTx) error {
		objs, err := tx.ListObjects(ctx, crm.ListQuery{TypeID: "0-18", Limit: workers * calls * per})
		if err == nil && len(objs) != workers*calls*per {
			err = fmt.Errorf("%d records stored, want %d", len(objs), workers*calls*per)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
