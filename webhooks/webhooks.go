// Package webhooks delivers the webhook events the CRM engine writes to its
// outbox: it claims batches of at most 100 events per app (exclusively
// between nodes sharing a database), each with one of the app's
// maxConcurrentRequests request slots (shared by the nodes too), POSTs them
// to the app's target URL signed as HubSpot signs them, and records each
// attempt, retrying failures on HubSpot's schedule. It prunes the log of
// attempts. It uses crm and its WebhookStore only; cmd/spoke
// starts it and api serves its flush control.
package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/spoke-crm/spoke/crm"
)

// MaxBatch is the most events one POST carries.
const MaxBatch = 100

// Timeout is how long HubSpot waits for an answer.
const Timeout = 5 * time.Second

// Lease is how long a claimed batch stays with its node; a node that dies
// mid-delivery leaves its batch to the others after that long.
const Lease = Timeout + 25*time.Second

// DefaultLogRetention is how long the delivery log keeps an attempt.
const DefaultLogRetention = 7 * 24 * time.Hour

// DefaultLogMaxPerApp is how many attempts of each app the log keeps.
const DefaultLogMaxPerApp = 10000

// PruneBatch is the most log entries one prune statement deletes.
const PruneBatch = 500

// Retries are HubSpot's retries: ten, within 24 hours. Each delay follows
// the failed attempt of the same index, and is lengthened by up to a
// tenth at random (jitter), so that the last retry comes before 24 hours.
var Retries = []time.Duration{
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 4 * time.Hour, 6 * time.Hour, 8 * time.Hour,
}

// Worker delivers events.
type Worker struct {
	Hooks *crm.Webhooks
	// Client sends the POSTs; it should not follow redirects: a 3xx
	// answer is a failed attempt.
	Client *http.Client
	// Timeout is how long a POST may take, answer included; 0 means
	// Timeout (tests shorten it).
	Timeout time.Duration
	// RetryScale multiplies the retry delays (tests use 0.001); 0 means 1.
	RetryScale float64
	// Poll is how often the outbox is read when no local write signals
	// new events (writes of other nodes); 0 means a second.
	Poll   time.Duration
	Now    func() time.Time
	Logger *slog.Logger
	// Node names this process in the logs.
	Node string
	// LogRetention is how long the delivery log keeps an attempt (0: no
	// limit by age); LogMaxPerApp how many attempts of each app it keeps
	// at most (0: no cap). PruneEvery is how often Run prunes it (0 means
	// a minute); Flush prunes too.
	LogRetention time.Duration
	LogMaxPerApp int
	PruneEvery   time.Duration

	mu       sync.Mutex
	idle     *sync.Cond
	inflight map[int64]int // requests in flight per app
	// claiming serialises this node's claims of an app: a claim skips an
	// app whose settings row another transaction holds (that is, another
	// node claiming it), and must not skip it for the node's own worker
	// and a flush claiming at once.
	claiming map[int64]*sync.Mutex
	total    int
	flushes  []*crm.WebhookFlushResult // flushes under way, counting what they see
	wake     chan struct{}             // a retry of this node fell due
	events   int64                     // deliveries started and ended (activity)
	tokens   int64                     // claims made, for their tokens
	tokenID  string                    // this worker's part of claim tokens

	sent, failed, retried, dropped prometheus.Counter
	requests                       *prometheus.CounterVec
}

// New returns a worker for hooks.
func New(hooks *crm.Webhooks, retryScale float64, logger *slog.Logger) *Worker {
	w := &Worker{Hooks: hooks, RetryScale: retryScale, Logger: logger, Now: time.Now, inflight: map[int64]int{}, claiming: map[int64]*sync.Mutex{}, wake: make(chan struct{}, 1),
		LogRetention: DefaultLogRetention, LogMaxPerApp: DefaultLogMaxPerApp, tokenID: crm.NewAppSecret()}
	w.idle = sync.NewCond(&w.mu)
	w.sent = prometheus.NewCounter(prometheus.CounterOpts{Name: "spoke_webhook_events_sent_total", Help: "Webhook events delivered (answered 2xx)."})
	w.failed = prometheus.NewCounter(prometheus.CounterOpts{Name: "spoke_webhook_events_failed_total", Help: "Webhook event deliveries that failed (any attempt)."})
	w.retried = prometheus.NewCounter(prometheus.CounterOpts{Name: "spoke_webhook_events_retried_total", Help: "Webhook events scheduled for another attempt."})
	w.dropped = prometheus.NewCounter(prometheus.CounterOpts{Name: "spoke_webhook_events_dropped_total", Help: "Webhook events given up after the last retry."})
	w.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "spoke_webhook_requests_total", Help: "Webhook POSTs by outcome (HTTP status, or error)."}, []string{"status"})
	return w
}

// Collectors are the worker's Prometheus metrics: counters, and the queue
// depth and age of the oldest pending event, read from the store.
func (w *Worker) Collectors() []prometheus.Collector {
	queue := func() crm.WebhookQueue {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		q, _ := w.Hooks.Store.WebhookQueue(ctx)
		return q
	}
	depth := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "spoke_webhook_queue_depth", Help: "Webhook events not yet delivered nor given up."},
		func() float64 { return float64(queue().Pending) })
	age := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "spoke_webhook_oldest_pending_age_seconds", Help: "Age of the oldest webhook event not yet delivered (0 when none)."},
		func() float64 {
			q := queue()
			if q.OldestUnsent.IsZero() {
				return 0
			}
			return w.Now().Sub(q.OldestUnsent).Seconds()
		})
	return []prometheus.Collector{w.sent, w.failed, w.retried, w.dropped, w.requests, depth, age}
}

func (w *Worker) client() *http.Client {
	if w.Client != nil {
		return w.Client
	}
	return defaultClient
}

// defaultClient sends the POSTs: a redirect is the receiver's answer, a
// failure retried like any other outside 2xx, never followed (a 301, 302
// or 303 would turn the POST into a GET without the events, and any
// redirect would send them, signed for the target URL, to another). The
// request's context bounds each POST to the worker's timeout.
var defaultClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
	return http.ErrUseLastResponse
}}

// Run delivers until ctx ends: after local writes that stored events, and
// every Poll for the writes of other nodes and retries that fall due.
// Beside, it prunes the delivery log when it starts and every PruneEvery.
func (w *Worker) Run(ctx context.Context) {
	pruned := make(chan struct{})
	go func() {
		defer close(pruned)
		w.pruneEvery(ctx)
	}()
	defer func() { <-pruned }()
	poll := w.Poll
	if poll == 0 {
		poll = time.Second
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		for {
			n, err := w.round(ctx, time.Time{})
			if err != nil && ctx.Err() == nil {
				w.Logger.Error("webhook delivery", slog.Any("err", err))
			}
			if n == 0 || err != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			w.waitIdle()
			return
		case <-w.Hooks.Notify():
		case <-w.wake:
		case <-tick.C:
		}
	}
}

// Flush delivers every pending event this node can claim now, retry waits
// skipped, and returns once each was tried once and no delivery of this
// node is in flight. Then it prunes the delivery log.
func (w *Worker) Flush(ctx context.Context) (crm.WebhookFlushResult, error) {
	var res crm.WebhookFlushResult
	start := w.Now()
	if _, err := w.Hooks.Store.ExpediteWebhookEvents(ctx, start); err != nil {
		return res, err
	}
	w.mu.Lock()
	w.flushes = append(w.flushes, &res)
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		for i, r := range w.flushes {
			if r == &res {
				w.flushes = append(w.flushes[:i], w.flushes[i+1:]...)
				break
			}
		}
		w.mu.Unlock()
	}()
	for {
		// Claims see the flush's start as now: a batch that fails here is
		// due again only after that, so each event is tried once. A round
		// that finds nothing is final only when no other delivery of this
		// node (whose batch may hold back later events of its records)
		// started or ended meanwhile.
		before := w.activity()
		n, err := w.round(ctx, start)
		if err != nil {
			return res, err
		}
		w.waitIdle()
		if n == 0 && w.activity() == before {
			break
		}
	}
	if _, err := w.Prune(ctx); err != nil {
		return res, err
	}
	q, err := w.Hooks.Store.WebhookQueue(ctx)
	res.Pending = q.Pending
	return res, err
}

// Prune deletes the delivery log's attempts older than LogRetention and
// those beyond each app's newest LogMaxPerApp, PruneBatch at a time (each
// batch a short statement of its own), and returns how many it deleted.
func (w *Worker) Prune(ctx context.Context) (int, error) {
	p := crm.WebhookPrune{MaxPerApp: w.LogMaxPerApp, Limit: PruneBatch}
	if w.LogRetention > 0 {
		p.Before = w.Now().Add(-w.LogRetention)
	}
	if p.Before.IsZero() && p.MaxPerApp <= 0 {
		return 0, nil
	}
	total := 0
	for {
		n, err := w.Hooks.Store.PruneWebhookDeliveries(ctx, p)
		total += n
		if err != nil || n < p.Limit || ctx.Err() != nil {
			return total, err
		}
	}
}

// pruneEvery prunes the delivery log now and every PruneEvery until ctx
// ends, logging errors, so that a long prune never holds deliveries back.
func (w *Worker) pruneEvery(ctx context.Context) {
	every := w.PruneEvery
	if every == 0 {
		every = time.Minute
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		n, err := w.Prune(ctx)
		if err != nil && ctx.Err() == nil {
			w.Logger.Error("webhook delivery log: prune", slog.Any("err", err))
		} else if n > 0 {
			w.Logger.Debug("webhook delivery log: pruned", slog.Int("deleted", n))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// activity counts the deliveries of this node started and ended.
func (w *Worker) activity() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.events
}

func (w *Worker) waitIdle() {
	w.mu.Lock()
	for w.total > 0 {
		w.idle.Wait()
	}
	w.mu.Unlock()
}

// round claims one batch for each app with room under its
// maxConcurrentRequests and starts delivering it; it returns how many
// batches it started. claimNow, when set, is the time claims compare with.
func (w *Worker) round(ctx context.Context, claimNow time.Time) (int, error) {
	settings, err := w.Hooks.Store.ListWebhookSettings(ctx)
	if err != nil {
		return 0, err
	}
	started := 0
	for _, st := range settings {
		if st.TargetURL == "" {
			continue
		}
		app, err := w.Hooks.Store.App(ctx, st.AppID)
		if errors.Is(err, crm.ErrNotFound) {
			continue
		}
		if err != nil {
			return started, err
		}
		for {
			w.mu.Lock()
			room := w.inflight[st.AppID] < max(1, st.MaxConcurrentRequests)
			if room {
				w.inflight[st.AppID]++
				w.total++
			}
			w.mu.Unlock()
			if !room {
				break
			}
			now := w.Now()
			at := claimNow
			if at.IsZero() {
				at = now
			}
			// The claim leases one of the app's request slots, shared with
			// the other nodes: at most maxConcurrentRequests POSTs of the
			// app are in flight on all of them together.
			token, lease := w.token(), now.Add(Lease)
			claimMu := w.claimLock(st.AppID)
			claimMu.Lock()
			events, err := w.Hooks.Store.ClaimWebhookEvents(ctx, crm.WebhookClaim{AppID: st.AppID, Now: at, LeaseUntil: lease, Limit: MaxBatch, Owner: w.Node,
				Slots: max(1, st.MaxConcurrentRequests), Token: token})
			claimMu.Unlock()
			if err != nil || len(events) == 0 {
				w.done(st.AppID, false)
				if err != nil {
					return started, err
				}
				break
			}
			started++
			w.mu.Lock()
			w.events++
			w.mu.Unlock()
			go func() {
				defer w.done(st.AppID, true)
				w.deliver(context.WithoutCancel(ctx), app, st, events, claimed{token, lease})
			}()
		}
	}
	return started, nil
}

// claimLock is the lock of this node's claims of an app.
func (w *Worker) claimLock(appID int64) *sync.Mutex {
	w.mu.Lock()
	defer w.mu.Unlock()
	m := w.claiming[appID]
	if m == nil {
		m = &sync.Mutex{}
		w.claiming[appID] = m
	}
	return m
}

// token names a claim: unique between nodes and claims.
func (w *Worker) token() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.tokens++
	return w.tokenID + "-" + strconv.FormatInt(w.tokens, 10)
}

func (w *Worker) done(appID int64, delivered bool) {
	w.mu.Lock()
	w.inflight[appID]--
	w.total--
	if delivered {
		w.events++
	}
	if w.total == 0 {
		w.idle.Broadcast()
	}
	w.mu.Unlock()
}

// Body is the JSON array HubSpot POSTs: each stored event with its eventId
// and attemptNumber.
func Body(events []*crm.WebhookEvent) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, e := range events {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"eventId":`)
		b.WriteString(strconv.FormatInt(e.ID, 10))
		b.WriteByte(',')
		b.Write(e.Payload[1 : len(e.Payload)-1])
		b.WriteString(`,"attemptNumber":`)
		b.WriteString(strconv.Itoa(e.Attempts))
		b.WriteByte('}')
	}
	b.WriteByte(']')
	return b.Bytes()
}

// SignatureV1 is X-HubSpot-Signature of version v1: the hex SHA-256 of the
// client secret followed by the body.
func SignatureV1(secret string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(secret))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// SignatureV2 is the v2 signature: the hex SHA-256 of secret, method, URI
// and body.
func SignatureV2(secret, method, uri string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(secret + method + uri))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// SignatureV3 is X-HubSpot-Signature-v3: the base64 HMAC-SHA256, keyed
// with the client secret, of method, URI, body and timestamp.
func SignatureV3(secret, method, uri string, body []byte, timestamp string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(method + uri))
	m.Write(body)
	m.Write([]byte(timestamp))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// SignedURI is the form of the target URL that v3 signs: the URL as the
// receiver sees it (without a fragment or user information, which the
// request does not carry in its URL) with the percent-escapes HubSpot
// decodes before hashing decoded.
func SignedURI(target string) string {
	target, _, _ = strings.Cut(target, "#")
	if scheme, rest, ok := strings.Cut(target, "://"); ok {
		end := strings.IndexAny(rest, "/?")
		if end < 0 {
			end = len(rest)
		}
		if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
			target = scheme + "://" + rest[at+1:]
		}
	}
	r := strings.NewReplacer("%3A", ":", "%2F", "/", "%3F", "?", "%40", "@", "%21", "!", "%24", "$", "%27", "'",
		"%28", "(", "%29", ")", "%2A", "*", "%2C", ",", "%3B", ";",
		"%3a", ":", "%2f", "/", "%3f", "?", "%2a", "*", "%2c", ",", "%3b", ";")
	return r.Replace(target)
}

// claimed names a claim: its token and the end of its lease.
type claimed struct {
	token string
	lease time.Time
}

// deliver POSTs one batch and records the outcome.
func (w *Worker) deliver(ctx context.Context, app *crm.App, st *crm.WebhookSettings, events []*crm.WebhookEvent, c claimed) {
	body := Body(events)
	attempt := 0
	ids := make([]int64, len(events))
	for i, e := range events {
		ids[i] = e.ID
		attempt = max(attempt, e.Attempts)
	}
	start := w.Now()
	ts := strconv.FormatInt(start.UnixMilli(), 10)
	d := crm.WebhookDelivery{AppID: app.ID, At: start, URL: st.TargetURL, EventIDs: ids, Attempt: attempt}
	status, excerpt, err := w.post(ctx, app, st.TargetURL, body, ts)
	d.Latency = w.Now().Sub(start)
	d.Status, d.Response = status, excerpt
	ok := err == nil && status >= 200 && status < 300
	label := strconv.Itoa(status)
	if err != nil {
		d.Error, label = err.Error(), "error"
	} else if !ok {
		d.Error = fmt.Sprintf("answered %d", status)
	}
	w.requests.WithLabelValues(label).Inc()
	// A failed batch may carry events at different attempts (a retry
	// falling due is claimed with newer events): each goes on its own
	// schedule, and only those on their last attempt are given up. The
	// log records one entry per attempt number.
	outcomes := []crm.WebhookDelivery{d}
	if ok {
		w.sent.Add(float64(len(events)))
	} else {
		w.failed.Add(float64(len(events)))
		outcomes = w.retries(d, events)
	}
	w.mu.Lock()
	for _, f := range w.flushes {
		f.Requests++
		if ok {
			f.Delivered += len(events)
		} else {
			f.Failed += len(events)
		}
	}
	w.mu.Unlock()
	for _, o := range outcomes {
		// The first outcome releases the request slot; the events of the
		// others stay leased until theirs is recorded.
		if err := w.Hooks.Store.FinishWebhookEvents(ctx, crm.WebhookOutcome{Delivery: o, Delivered: ok, Token: c.token, LeaseUntil: c.lease}); err != nil {
			// The lease lapses and another attempt delivers the events
			// again: at least once. The request slot comes back then too.
			w.Logger.Error("webhook delivery: record outcome", slog.Int64("appId", app.ID), slog.Any("err", err))
		}
	}
}

// retries splits the failed attempt d of events by attempt number, oldest
// attempts first: each part is retried after its own delay, or given up
// after the last retry.
func (w *Worker) retries(d crm.WebhookDelivery, events []*crm.WebhookEvent) []crm.WebhookDelivery {
	byAttempt := map[int][]int64{}
	attempts := []int{}
	for _, e := range events {
		if _, ok := byAttempt[e.Attempts]; !ok {
			attempts = append(attempts, e.Attempts)
		}
		byAttempt[e.Attempts] = append(byAttempt[e.Attempts], e.ID)
	}
	slices.Sort(attempts)
	out := make([]crm.WebhookDelivery, 0, len(attempts))
	for _, n := range attempts {
		o := d
		o.EventIDs, o.Attempt = byAttempt[n], n
		if n < len(Retries) {
			delay := w.delay(n)
			o.NextRetry = w.Now().Add(delay)
			w.retried.Add(float64(len(o.EventIDs)))
			time.AfterFunc(delay, func() {
				select {
				case w.wake <- struct{}{}:
				default:
				}
			})
		} else {
			o.Dropped = true
			w.dropped.Add(float64(len(o.EventIDs)))
		}
		out = append(out, o)
	}
	return out
}

// delay is the wait after failed attempt n, scaled and with jitter.
func (w *Worker) delay(n int) time.Duration {
	scale := w.RetryScale
	if scale == 0 {
		scale = 1
	}
	d := float64(Retries[n]) * scale
	return time.Duration(d + d*0.1*rand.Float64())
}

// post sends one signed request and returns the status and the start of
// the answer.
func (w *Worker) post(ctx context.Context, app *crm.App, target string, body []byte, ts string) (int, string, error) {
	timeout := w.Timeout
	if timeout <= 0 {
		timeout = Timeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	uri := SignedURI(target)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "HubSpot Connect 2.0 (http://dev.hubspot.com/) (Spoke)")
	req.Header.Set("X-HubSpot-Signature", SignatureV1(app.ClientSecret, body))
	req.Header.Set("X-HubSpot-Signature-Version", "v1")
	req.Header.Set("X-HubSpot-Signature-v3", SignatureV3(app.ClientSecret, http.MethodPost, uri, body, ts))
	req.Header.Set("X-HubSpot-Request-Timestamp", ts)
	resp, err := w.client().Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return 0, "", err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, excerptLen))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, excerpt(data), nil
}

// excerptLen is how much of an answer the delivery log keeps.
const excerptLen = 512

// excerpt is the start of an answer as text the log can store (PostgreSQL
// refuses invalid UTF-8 and NUL, and the outcome would not be recorded):
// a character cut by the length limit is left out, other invalid bytes
// and NUL become U+FFFD.
func excerpt(b []byte) string {
	if n := len(b); n == excerptLen {
		for i := 1; i <= min(utf8.UTFMax-1, n); i++ {
			if utf8.RuneStart(b[n-i]) {
				if !utf8.FullRune(b[n-i:]) {
					b = b[:n-i]
				}
				break
			}
		}
	}
	return strings.ReplaceAll(strings.ToValidUTF8(string(b), "\uFFFD"), "\x00", "\uFFFD")
}
