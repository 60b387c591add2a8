package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/spoke-crm/spoke/crm"
)

// webhookSlot is the request slot a claim leases.
type webhookSlot struct {
	ok     bool  // a slot is free, or no slot is needed
	n      int64 // its number
	exists bool  // it has a row
	need   bool  // the claim leases a slot
}

// pickWebhookSlot finds a free request slot of the claim's app, in the
// claim's transaction, which holds the app's settings row: one claimer per
// app at a time reads and writes its slots, and other transactions only
// free them. A slot is free when its lease is not after the claim's now;
// slots numbered from c.Slots up (left by a higher maxConcurrentRequests)
// count while leased but are not reused. ok is false when as many slots as
// allowed are leased.
func pickWebhookSlot(ctx context.Context, q Querier, c crm.WebhookClaim) (webhookSlot, error) {
	if c.Slots <= 0 {
		return webhookSlot{ok: true}, nil
	}
	type row struct{ n, leaseUntil int64 }
	rows, err := query(ctx, q, func(r Row) (row, error) {
		var s row
		err := r.Scan(&s.n, &s.leaseUntil)
		return s, err
	}, `SELECT slot, lease_until FROM webhook_slots WHERE app_id = ? ORDER BY slot`, c.AppID)
	if err != nil {
		return webhookSlot{}, err
	}
	leased, free, seen := 0, int64(-1), map[int64]bool{}
	for _, r := range rows {
		seen[r.n] = true
		if r.leaseUntil > whMillis(c.Now) {
			leased++
		} else if free < 0 && r.n < int64(c.Slots) {
			free = r.n
		}
	}
	if leased >= c.Slots {
		return webhookSlot{}, nil
	}
	if free >= 0 {
		return webhookSlot{ok: true, need: true, n: free, exists: true}, nil
	}
	// Fewer than c.Slots are leased and none below c.Slots is free: a
	// number below c.Slots has no row yet.
	n := int64(0)
	for seen[n] {
		n++
	}
	return webhookSlot{ok: true, need: true, n: n}, nil
}

// lease leases the slot until c.LeaseUntil under c.Token.
func (s webhookSlot) lease(ctx context.Context, q Querier, c crm.WebhookClaim) error {
	if !s.need {
		return nil
	}
	var err error
	if s.exists {
		_, err = q.Exec(ctx, `UPDATE webhook_slots SET lease_until = ?, token = ? WHERE app_id = ? AND slot = ?`, whMillis(c.LeaseUntil), c.Token, c.AppID, s.n)
	} else {
		_, err = q.Exec(ctx, `INSERT INTO webhook_slots (app_id, slot, lease_until, token) VALUES (?, ?, ?, ?)`, c.AppID, s.n, whMillis(c.LeaseUntil), c.Token)
	}
	return err
}

// releaseWebhookSlot frees the slot leased under token, unless its lease
// lapsed and another claim has taken it since.
func releaseWebhookSlot(ctx context.Context, q Querier, appID int64, token string) error {
	if token == "" {
		return nil
	}
	_, err := q.Exec(ctx, `UPDATE webhook_slots SET lease_until = 0, token = '' WHERE app_id = ? AND token = ?`, appID, token)
	return err
}

// PruneWebhookDeliveries deletes log entries older than p.Before, then
// those beyond each app's newest p.MaxPerApp, at most p.Limit in all. Each
// DELETE is a statement of its own on at most p.Limit rows; on PostgreSQL
// the rows it deletes are locked skipping those another node's prune
// holds, so concurrent prunes divide the work instead of waiting.
func (s webhooks) PruneWebhookDeliveries(ctx context.Context, p crm.WebhookPrune) (int, error) {
	left := p.Limit
	if left <= 0 {
		return 0, nil
	}
	deleted := 0
	if !p.Before.IsZero() {
		n, err := s.p.Write.Exec(ctx, `DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries WHERE at < ? ORDER BY at LIMIT ?`+s.skipLocked()+`)`,
			whMillis(p.Before), left)
		if err != nil {
			return 0, err
		}
		deleted += int(n)
		left -= int(n)
	}
	if p.MaxPerApp <= 0 {
		return deleted, nil
	}
	apps, err := query(ctx, s.p.Read, scanInt64, `SELECT id FROM apps ORDER BY id`)
	if err != nil {
		return deleted, err
	}
	for _, app := range apps {
		if left <= 0 {
			break
		}
		// The newest entry past the cap: it and every older one go.
		var top int64
		err := s.p.Read.QueryRow(ctx, `SELECT id FROM webhook_deliveries WHERE app_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?`, app, p.MaxPerApp).Scan(&top)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return deleted, err
		}
		n, err := s.p.Write.Exec(ctx, `DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries WHERE app_id = ? AND id <= ? ORDER BY id LIMIT ?`+s.skipLocked()+`)`,
			app, top, left)
		if err != nil {
			return deleted, err
		}
		deleted += int(n)
		left -= int(n)
	}
	return deleted, nil
}
