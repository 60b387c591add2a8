package spoketest

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/webhooks"
)

// startWebhooks sets up a test server's webhook events and starts its
// delivery worker, as spoke serve does; stop ends the worker.
func startWebhooks(store crm.Store, settings *Settings) (*crm.Webhooks, *webhooks.Worker, func()) {
	ws := store.(crm.WebhookStorer)
	hooks := crm.NewWebhooks(ws.Webhooks(), PortalID, settings.Clock.Now)
	scale := settings.WebhookRetryScale
	if scale == 0 {
		scale = 1
	}
	worker := webhooks.New(hooks, scale, slog.New(slog.NewTextHandler(io.Discard, nil)))
	// The worker reads the server's clock, as spoke serve's does.
	worker.Now = settings.Clock.Now
	if settings.WebhookLog != nil {
		worker.LogRetention, worker.LogMaxPerApp = settings.WebhookLog.Retention, settings.WebhookLog.MaxPerApp
	}
	settings.API.Webhooks, settings.API.WebhookDelivery = hooks, worker
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	if settings.NoWebhookDelivery {
		close(done)
	} else {
		go func() {
			defer close(done)
			worker.Run(ctx)
		}()
	}
	return hooks, worker, func() {
		cancel()
		<-done
	}
}

// WebhookRetryScale multiplies the server's webhook retry delays.
func WebhookRetryScale(f float64) Option {
	return func(s *Settings) { s.WebhookRetryScale = f }
}

// WebhookLog sets how long the delivery log keeps an attempt and how many
// of each app's it keeps (0: no limit), as serve's --webhook-log-retention
// and --webhook-log-max-per-app do.
func WebhookLog(retention time.Duration, maxPerApp int) Option {
	return func(s *Settings) { s.WebhookLog = &WebhookLogSettings{Retention: retention, MaxPerApp: maxPerApp} }
}

// WebhookLogSettings are the delivery log's limits.
type WebhookLogSettings struct {
	Retention time.Duration
	MaxPerApp int
}

// WithoutWebhookDelivery starts no delivery worker: events stay in the
// outbox until POST /_spoke/webhooks/flush.
func WithoutWebhookDelivery() Option {
	return func(s *Settings) { s.NoWebhookDelivery = true }
}
