package webhooks_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/storage/sqlite"
	"github.com/spoke-crm/spoke/webhooks"
)

// observedStore tells when a prune has run on the real store.
type observedStore struct {
	crm.WebhookStore
	pruned chan int
}

func (s observedStore) PruneWebhookDeliveries(ctx context.Context, p crm.WebhookPrune) (int, error) {
	n, err := s.WebhookStore.PruneWebhookDeliveries(ctx, p)
	if err == nil {
		s.pruned <- n
	}
	return n, err
}

// A running worker prunes the delivery log when it starts, in batches of
// PruneBatch, without a flush.
func TestRunPrunesTheDeliveryLog(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "spoke.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ws := store.Webhooks()
	app := &crm.App{Name: "a", ClientSecret: "s", KeyHash: "h", CreatedAt: time.Now()}
	if err := ws.CreateApp(ctx, app); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 2, 18, 5, 51, 18, 0, time.UTC)
	for i := range webhooks.PruneBatch + 3 {
		at := now.Add(-2 * time.Hour) // older than the retention
		if i == webhooks.PruneBatch+2 {
			at = now.Add(-time.Minute) // kept
		}
		if err := ws.FinishWebhookEvents(ctx, crm.WebhookOutcome{Delivered: true, Delivery: crm.WebhookDelivery{AppID: app.ID, At: at, URL: "https://x", EventIDs: []int64{int64(i + 1)}, Status: 204}}); err != nil {
			t.Fatal(err)
		}
	}
	observed := observedStore{WebhookStore: ws, pruned: make(chan int, 10)}
	w := webhooks.New(crm.NewWebhooks(observed, 1, func() time.Time { return now }), 1, slog.New(slog.NewTextHandler(io.Discard, nil)))
	w.Now = func() time.Time { return now }
	w.LogRetention = time.Hour
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(runCtx)
	}()
	var batches []int
	for len(batches) == 0 || batches[len(batches)-1] == webhooks.PruneBatch {
		select {
		case n := <-observed.pruned:
			batches = append(batches, n)
		case <-time.After(time.Minute):
			t.Fatalf("no prune; batches so far %v", batches)
		}
	}
	cancel()
	<-done
	if len(batches) != 2 || batches[1] != 2 {
		t.Fatalf("batches %v, want [%d 2]", batches, webhooks.PruneBatch)
	}
	ds, err := ws.WebhookDeliveries(ctx, 0, 1000)
	if err != nil || len(ds) != 1 || !ds[0].At.Equal(now.Add(-time.Minute)) {
		t.Fatalf("log after the prune: %d entries (%v)", len(ds), err)
	}
}
