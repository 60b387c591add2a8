package spoketest

import (
	"context"
	"io"
	"log/slog"

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

// WithoutWebhookDelivery starts no delivery worker: events stay in the
// outbox until POST /_spoke/webhooks/flush.
func WithoutWebhookDelivery() Option {
	return func(s *Settings) { s.NoWebhookDelivery = true }
}
