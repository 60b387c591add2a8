package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// Webhooks returns the store of apps, webhook settings, subscriptions and
// the event outbox.
func (p *Pools) Webhooks() crm.WebhookStore { return webhooks{p} }

type webhooks struct{ p *Pools }

var _ crm.WebhookOutbox = (*Tx)(nil)

// AppendWebhookEvents stores events in the outbox of the write
// transaction. Ids come from the table's sequence in the order of the
// rows, after the locks the transaction took on the records, so per record
// they follow the order of commits.
func (t *Tx) AppendWebhookEvents(ctx context.Context, events []*crm.WebhookEvent) error {
	return t.insertRows(ctx, len(events), 5, `INSERT INTO webhook_events (app_id, subscription_id, object_id, occurred_at, payload) VALUES `,
		`(?, ?, ?, ?, ?)`, ``, func(i int) []any {
			e := events[i]
			return []any{e.AppID, e.SubscriptionID, e.ObjectID, e.OccurredAt.UnixMilli(), string(e.Payload)}
		})
}

var _ crm.WebhookResetter = (*Tx)(nil)

// ResetWebhooks empties the outbox and the delivery log, and with apps the
// apps, their settings, subscriptions and request slots (without apps,
// the slots of deliveries in flight stay until those end). Ids go on from
// where they were, so that an event id or app id is never given twice. The outbox comes
// before the log, in the order a delivery's outcome writes them.
func (t *Tx) ResetWebhooks(ctx context.Context, apps bool) error {
	tables := []string{"webhook_events", "webhook_deliveries"}
	if apps {
		tables = append(tables, "webhook_slots", "webhook_subscriptions", "webhook_settings", "apps")
	}
	return t.exec(ctx, t.d.Truncate(tables...)...)
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return crm.ErrNotFound
	}
	return err
}

func whMillis(t time.Time) int64 { return t.UnixMilli() }

func whTime(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func (s webhooks) CreateApp(ctx context.Context, a *crm.App) error {
	return s.p.Write.QueryRow(ctx, `INSERT INTO apps (name, client_secret, key_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		a.Name, a.ClientSecret, a.KeyHash, whMillis(a.CreatedAt)).Scan(&a.ID)
}

const appColumns = `id, name, client_secret, key_hash, created_at`

func scanApp(r Row) (*crm.App, error) {
	var a crm.App
	var created int64
	if err := r.Scan(&a.ID, &a.Name, &a.ClientSecret, &a.KeyHash, &created); err != nil {
		return nil, err
	}
	a.CreatedAt = whTime(created)
	return &a, nil
}

func (s webhooks) App(ctx context.Context, id int64) (*crm.App, error) {
	a, err := scanApp(s.p.Read.QueryRow(ctx, `SELECT `+appColumns+` FROM apps WHERE id = ?`, id))
	return a, notFound(err)
}

func (s webhooks) AppByKeyHash(ctx context.Context, hash string) (*crm.App, error) {
	a, err := scanApp(s.p.Read.QueryRow(ctx, `SELECT `+appColumns+` FROM apps WHERE key_hash = ?`, hash))
	return a, notFound(err)
}

func (s webhooks) ListApps(ctx context.Context) ([]*crm.App, error) {
	return query(ctx, s.p.Read, scanApp, `SELECT `+appColumns+` FROM apps ORDER BY id`)
}

func (s webhooks) DeleteApp(ctx context.Context, id int64) error {
	return s.p.WriteTx(ctx, func(q Querier) error {
		for _, stmt := range []string{
			`DELETE FROM webhook_events WHERE app_id = ?`,
			`DELETE FROM webhook_deliveries WHERE app_id = ?`,
			`DELETE FROM webhook_slots WHERE app_id = ?`,
			`DELETE FROM webhook_subscriptions WHERE app_id = ?`,
			`DELETE FROM webhook_settings WHERE app_id = ?`,
		} {
			if _, err := q.Exec(ctx, stmt, id); err != nil {
				return err
			}
		}
		n, err := q.Exec(ctx, `DELETE FROM apps WHERE id = ?`, id)
		if err == nil && n == 0 {
			return crm.ErrNotFound
		}
		return err
	})
}

const settingsColumns = `app_id, target_url, max_concurrent, created_at, updated_at`

func scanSettings(r Row) (*crm.WebhookSettings, error) {
	var st crm.WebhookSettings
	var created, updated int64
	if err := r.Scan(&st.AppID, &st.TargetURL, &st.MaxConcurrentRequests, &created, &updated); err != nil {
		return nil, err
	}
	st.CreatedAt, st.UpdatedAt = whTime(created), whTime(updated)
	return &st, nil
}

func (s webhooks) WebhookSettings(ctx context.Context, appID int64) (*crm.WebhookSettings, error) {
	st, err := scanSettings(s.p.Read.QueryRow(ctx, `SELECT `+settingsColumns+` FROM webhook_settings WHERE app_id = ?`, appID))
	return st, notFound(err)
}

func (s webhooks) ListWebhookSettings(ctx context.Context) ([]*crm.WebhookSettings, error) {
	return query(ctx, s.p.Read, scanSettings, `SELECT `+settingsColumns+` FROM webhook_settings ORDER BY app_id`)
}

func (s webhooks) PutWebhookSettings(ctx context.Context, st *crm.WebhookSettings) error {
	var created int64
	err := s.p.Write.QueryRow(ctx, `INSERT INTO webhook_settings (`+settingsColumns+`) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (app_id) DO UPDATE SET target_url = excluded.target_url, max_concurrent = excluded.max_concurrent, updated_at = excluded.updated_at
		RETURNING created_at`, st.AppID, st.TargetURL, st.MaxConcurrentRequests, whMillis(st.CreatedAt), whMillis(st.UpdatedAt)).Scan(&created)
	st.CreatedAt = whTime(created)
	return err
}

func (s webhooks) DeleteWebhookSettings(ctx context.Context, appID int64) error {
	n, err := s.p.Write.Exec(ctx, `DELETE FROM webhook_settings WHERE app_id = ?`, appID)
	if err == nil && n == 0 {
		return crm.ErrNotFound
	}
	return err
}

const subscriptionColumns = `id, app_id, event_type, property_name, object_type_id, active, created_at, updated_at`

func scanSubscription(r Row) (*crm.Subscription, error) {
	var sub crm.Subscription
	var active, created, updated int64
	if err := r.Scan(&sub.ID, &sub.AppID, &sub.EventType, &sub.PropertyName, &sub.ObjectTypeID, &active, &created, &updated); err != nil {
		return nil, err
	}
	sub.Active = active != 0
	sub.CreatedAt, sub.UpdatedAt = whTime(created), whTime(updated)
	return &sub, nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (s webhooks) Subscriptions(ctx context.Context, appID int64) ([]*crm.Subscription, error) {
	if appID == 0 {
		return query(ctx, s.p.Read, scanSubscription, `SELECT `+subscriptionColumns+` FROM webhook_subscriptions ORDER BY id`)
	}
	return query(ctx, s.p.Read, scanSubscription, `SELECT `+subscriptionColumns+` FROM webhook_subscriptions WHERE app_id = ? ORDER BY id`, appID)
}

func (s webhooks) CreateSubscription(ctx context.Context, sub *crm.Subscription) error {
	return s.p.Write.QueryRow(ctx, `INSERT INTO webhook_subscriptions (app_id, event_type, property_name, object_type_id, active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, sub.AppID, sub.EventType, sub.PropertyName, sub.ObjectTypeID, boolInt(sub.Active),
		whMillis(sub.CreatedAt), whMillis(sub.UpdatedAt)).Scan(&sub.ID)
}

func (s webhooks) UpdateSubscriptions(ctx context.Context, subs []*crm.Subscription) error {
	return s.p.WriteTx(ctx, func(q Querier) error {
		for _, sub := range subs {
			if _, err := q.Exec(ctx, `UPDATE webhook_subscriptions SET active = ?, updated_at = ? WHERE id = ? AND app_id = ?`,
				boolInt(sub.Active), whMillis(sub.UpdatedAt), sub.ID, sub.AppID); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s webhooks) DeleteSubscription(ctx context.Context, appID, id int64) error {
	return s.p.WriteTx(ctx, func(q Querier) error {
		n, err := q.Exec(ctx, `DELETE FROM webhook_subscriptions WHERE id = ? AND app_id = ?`, id, appID)
		if err == nil && n == 0 {
			return crm.ErrNotFound
		}
		if err != nil {
			return err
		}
		// Its events waiting in the outbox are not delivered; those of a
		// request in flight (leased: lease_until is reset only by a failed
		// attempt) are delivered and recorded as usual. The lock
		// of the app's settings row, which claims hold, keeps a claim from
		// leasing the events while they are deleted (and the two from
		// locking them in different orders).
		if f := s.p.Dialect.ForUpdate(); f != "" {
			if _, err := query(ctx, q, scanInt64, `SELECT app_id FROM webhook_settings WHERE app_id = ?`+f, appID); err != nil {
				return err
			}
		}
		_, err = q.Exec(ctx, `DELETE FROM webhook_events WHERE subscription_id = ? AND app_id = ? AND lease_until = 0`, id, appID)
		return err
	})
}

// skipLocked is the suffix that locks rows read for a claim and skips rows
// another transaction holds, or "" where one writer runs at a time.
func (s webhooks) skipLocked() string {
	if f := s.p.Dialect.ForUpdate(); f != "" {
		return f + " SKIP LOCKED"
	}
	return ""
}

func scanWebhookEvent(r Row) (*crm.WebhookEvent, error) {
	var e crm.WebhookEvent
	var occurred int64
	var payload string
	if err := r.Scan(&e.ID, &e.AppID, &e.SubscriptionID, &e.ObjectID, &occurred, &payload, &e.Attempts); err != nil {
		return nil, err
	}
	e.OccurredAt, e.Payload = whTime(occurred), []byte(payload)
	return &e, nil
}

func (s webhooks) ClaimWebhookEvents(ctx context.Context, c crm.WebhookClaim) ([]*crm.WebhookEvent, error) {
	var out []*crm.WebhookEvent
	now := whMillis(c.Now)
	err := s.p.WriteTx(ctx, func(q Querier) error {
		out = nil
		// One claimer per app at a time: a node that finds the app's
		// settings row locked leaves the app to the node holding it.
		var appID int64
		err := q.QueryRow(ctx, `SELECT app_id FROM webhook_settings WHERE app_id = ?`+s.skipLocked(), c.AppID).Scan(&appID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		// A request slot of the app, when its requests in flight are
		// limited: none free, nothing is claimed.
		slot, err := pickWebhookSlot(ctx, q, c)
		if err != nil || !slot.ok {
			return err
		}
		// Records with an event in flight or waiting for a retry: their
		// other events wait too, so that each record's go out in order.
		held := map[int64]bool{}
		objs, err := query(ctx, q, scanInt64, `SELECT DISTINCT object_id FROM webhook_events WHERE hold_until > ? AND state = 0 AND app_id = ?`, now, c.AppID)
		if err != nil {
			return err
		}
		for _, o := range objs {
			held[o] = true
		}
		// The query leaves the held records out itself when they are few
		// enough to name; otherwise the loop skips their events page by
		// page. The unary + keeps planners on the primary key, in id order,
		// rather than on the index of held events, which every event is in.
		skip, skipArgs := "", []any(nil)
		if len(objs) > 0 && len(objs) <= min(1000, s.p.Dialect.MaxParams()-4) {
			cond, args := s.p.Dialect.In("object_id", objs)
			skip, skipArgs = ` AND NOT (`+cond+`)`, args
		}
		var events []*crm.WebhookEvent
		for after := int64(0); len(events) < c.Limit; {
			page, err := query(ctx, q, scanWebhookEvent, `SELECT id, app_id, subscription_id, object_id, occurred_at, payload, attempts FROM webhook_events
				WHERE app_id = ? AND state = 0 AND +hold_until <= ? AND id > ?`+skip+` ORDER BY id LIMIT ?`,
				append(append([]any{c.AppID, now, after}, skipArgs...), c.Limit)...)
			if err != nil {
				return err
			}
			if len(page) == 0 {
				break
			}
			for _, e := range page {
				after = e.ID
				if !held[e.ObjectID] && len(events) < c.Limit {
					events = append(events, e)
				}
			}
		}
		if len(events) == 0 {
			return nil
		}
		ids := make([]int64, len(events))
		for i, e := range events {
			ids[i] = e.ID
		}
		if err := forIDs(s.p.Dialect, "id", ids, func(cond string, args []any) error {
			_, err := q.Exec(ctx, `UPDATE webhook_events SET lease_until = ?, hold_until = ? WHERE `+cond, append([]any{whMillis(c.LeaseUntil), whMillis(c.LeaseUntil)}, args...)...)
			return err
		}); err != nil {
			return err
		}
		// The slot row is written after the events, in the order a
		// delivery's outcome writes them.
		if err := slot.lease(ctx, q, c); err != nil {
			return err
		}
		out = events
		return nil
	})
	return out, err
}

func (s webhooks) FinishWebhookEvents(ctx context.Context, o crm.WebhookOutcome) error {
	d := o.Delivery
	ids := make([]string, len(d.EventIDs))
	for i, id := range d.EventIDs {
		ids[i] = strconv.FormatInt(id, 10)
	}
	var next any
	if !d.NextRetry.IsZero() {
		next = whMillis(d.NextRetry)
	}
	return s.p.WriteTx(ctx, func(q Querier) error {
		found := int64(0)
		if err := forIDs(s.p.Dialect, "id", d.EventIDs, func(cond string, args []any) error {
			var n int64
			var err error
			defer func() { found += n }()
			// Events another claim leased since this one's lease lapsed
			// are that claim's to finish.
			if !o.LeaseUntil.IsZero() {
				cond += ` AND lease_until = ?`
				args = append(args, whMillis(o.LeaseUntil))
			}
			switch {
			case o.Delivered || d.Dropped:
				// Done: the outbox keeps only what is pending, so that
				// claims read no finished rows; the delivery log keeps
				// the ids.
				n, err = q.Exec(ctx, `DELETE FROM webhook_events WHERE `+cond, args...)
			default:
				n, err = q.Exec(ctx, `UPDATE webhook_events SET attempts = attempts + 1, lease_until = 0, next_at = ?, hold_until = ? WHERE `+cond,
					append([]any{whMillis(d.NextRetry), whMillis(d.NextRetry)}, args...)...)
			}
			return err
		}); err != nil {
			return err
		}
		if err := releaseWebhookSlot(ctx, q, d.AppID, o.Token); err != nil {
			return err
		}
		// An app deleted while its request was in flight keeps no log,
		// nor does the request of a claim (with a token) whose events are
		// no longer in the outbox: a reset emptied it meanwhile, or
		// another node finished them after this request's lease lapsed.
		if found == 0 && o.Token != "" {
			return nil
		}
		_, err := q.Exec(ctx, `INSERT INTO webhook_deliveries (app_id, at, url, event_ids, attempt, status, error, latency_us, response, next_retry, dropped)
			SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM apps WHERE id = ?)`, d.AppID, whMillis(d.At), d.URL, strings.Join(ids, ","), d.Attempt, d.Status, d.Error,
			d.Latency.Microseconds(), d.Response, next, boolInt(d.Dropped), d.AppID)
		return err
	})
}

func (s webhooks) ExpediteWebhookEvents(ctx context.Context, now time.Time) (int64, error) {
	var top sql.NullInt64
	err := s.p.WriteTx(ctx, func(q Querier) error {
		if _, err := q.Exec(ctx, `UPDATE webhook_events SET next_at = ?, hold_until = ? WHERE state = 0 AND next_at > ? AND lease_until <= ?`,
			whMillis(now), whMillis(now), whMillis(now), whMillis(now)); err != nil {
			return err
		}
		return q.QueryRow(ctx, `SELECT max(id) FROM webhook_events WHERE state = 0`).Scan(&top)
	})
	return top.Int64, err
}

func (s webhooks) WebhookDeliveries(ctx context.Context, appID int64, limit int) ([]*crm.WebhookDelivery, error) {
	scan := func(r Row) (*crm.WebhookDelivery, error) {
		var d crm.WebhookDelivery
		var at, latency, dropped int64
		var ids string
		var next sql.NullInt64
		if err := r.Scan(&d.ID, &d.AppID, &at, &d.URL, &ids, &d.Attempt, &d.Status, &d.Error, &latency, &d.Response, &next, &dropped); err != nil {
			return nil, err
		}
		d.At, d.Latency, d.Dropped = whTime(at), time.Duration(latency)*time.Microsecond, dropped != 0
		if next.Valid {
			d.NextRetry = whTime(next.Int64)
		}
		for _, f := range strings.Split(ids, ",") {
			if id, err := strconv.ParseInt(f, 10, 64); err == nil {
				d.EventIDs = append(d.EventIDs, id)
			}
		}
		return &d, nil
	}
	const cols = `SELECT id, app_id, at, url, event_ids, attempt, status, error, latency_us, response, next_retry, dropped FROM webhook_deliveries`
	if appID == 0 {
		return query(ctx, s.p.Read, scan, cols+` ORDER BY id DESC LIMIT ?`, limit)
	}
	return query(ctx, s.p.Read, scan, cols+` WHERE app_id = ? ORDER BY id DESC LIMIT ?`, appID, limit)
}

func (s webhooks) WebhookQueue(ctx context.Context) (crm.WebhookQueue, error) {
	var q crm.WebhookQueue
	var oldest sql.NullInt64
	err := s.p.Read.QueryRow(ctx, `SELECT count(*), min(occurred_at) FROM webhook_events WHERE state = 0`).Scan(&q.Pending, &oldest)
	if oldest.Valid {
		q.OldestUnsent = whTime(oldest.Int64)
	}
	return q, err
}

// serialAdvancer is a dialect whose serial columns keep a sequence that
// rows inserted with their own ids do not move (PostgreSQL's bigserial;
// SQLite's AUTOINCREMENT moves by itself).
type serialAdvancer interface {
	AdvanceSerial(table, column string) string
}

var _ crm.WebhookFixtureTx = (*Tx)(nil)

// WebhookFixture reads every app with its settings and subscriptions.
func (t *Tx) WebhookFixture(ctx context.Context) ([]*crm.App, []*crm.WebhookSettings, []*crm.Subscription, error) {
	apps, err := query(ctx, t.q, scanApp, `SELECT `+appColumns+` FROM apps ORDER BY id`)
	if err != nil {
		return nil, nil, nil, err
	}
	settings, err := query(ctx, t.q, scanSettings, `SELECT `+settingsColumns+` FROM webhook_settings ORDER BY app_id`)
	if err != nil {
		return nil, nil, nil, err
	}
	subs, err := query(ctx, t.q, scanSubscription, `SELECT `+subscriptionColumns+` FROM webhook_subscriptions ORDER BY id`)
	return apps, settings, subs, err
}

// SeedApp inserts an app with its id, or replaces the name (and, when
// given, the secrets) of the stored app with that id.
func (t *Tx) SeedApp(ctx context.Context, a *crm.App, exists bool) error {
	var err error
	switch {
	case !exists:
		_, err = t.q.Exec(ctx, `INSERT INTO apps (`+appColumns+`) VALUES (?, ?, ?, ?, ?)`, a.ID, a.Name, a.ClientSecret, a.KeyHash, whMillis(a.CreatedAt))
	case a.ClientSecret != "":
		_, err = t.q.Exec(ctx, `UPDATE apps SET name = ?, client_secret = ?, key_hash = ? WHERE id = ?`, a.Name, a.ClientSecret, a.KeyHash, a.ID)
	default:
		_, err = t.q.Exec(ctx, `UPDATE apps SET name = ? WHERE id = ?`, a.Name, a.ID)
	}
	return err
}

// SeedWebhookSettings replaces an app's settings (nil removes them).
func (t *Tx) SeedWebhookSettings(ctx context.Context, appID int64, st *crm.WebhookSettings) error {
	if st == nil {
		_, err := t.q.Exec(ctx, `DELETE FROM webhook_settings WHERE app_id = ?`, appID)
		return err
	}
	_, err := t.q.Exec(ctx, `INSERT INTO webhook_settings (`+settingsColumns+`) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (app_id) DO UPDATE SET target_url = excluded.target_url, max_concurrent = excluded.max_concurrent, updated_at = excluded.updated_at`,
		st.AppID, st.TargetURL, st.MaxConcurrentRequests, whMillis(st.CreatedAt), whMillis(st.UpdatedAt))
	return err
}

// SeedSubscription inserts a subscription with its id, or replaces the
// stored one with that id.
func (t *Tx) SeedSubscription(ctx context.Context, s *crm.Subscription, exists bool) error {
	var err error
	if exists {
		_, err = t.q.Exec(ctx, `UPDATE webhook_subscriptions SET event_type = ?, property_name = ?, object_type_id = ?, active = ?, updated_at = ? WHERE id = ?`,
			s.EventType, s.PropertyName, s.ObjectTypeID, boolInt(s.Active), whMillis(s.UpdatedAt), s.ID)
	} else {
		_, err = t.q.Exec(ctx, `INSERT INTO webhook_subscriptions (`+subscriptionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			s.ID, s.AppID, s.EventType, s.PropertyName, s.ObjectTypeID, boolInt(s.Active), whMillis(s.CreatedAt), whMillis(s.UpdatedAt))
	}
	return err
}

// SyncWebhookIDs moves the id sequences of apps and subscriptions past the
// ids a seed stored.
func (t *Tx) SyncWebhookIDs(ctx context.Context) error {
	a, ok := t.d.(serialAdvancer)
	if !ok {
		return nil
	}
	for _, table := range []string{"apps", "webhook_subscriptions"} {
		if _, err := t.q.Exec(ctx, a.AdvanceSerial(table, "id")); err != nil {
			return err
		}
	}
	return nil
}
