package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
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
	db, err := Open(ctx, filepath.Join(t.TempDir(), "spoke.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

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
	err = db.Read(ctx, func(tx crm.ReadTx) error {
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
