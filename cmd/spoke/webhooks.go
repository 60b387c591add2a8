package main

import (
	"fmt"
	"time"

	"github.com/spoke-crm/spoke/api"
	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/webhooks"
)

// webhookRefreshInterval is how often a server reads the subscriptions
// again, for changes made elsewhere (HubSpot itself takes up to five
// minutes).
const webhookRefreshInterval = 2 * time.Second

// webhooks sets up the event source over store and the delivery worker.
func (m *Main) webhooks(store crm.Store, metrics *api.Metrics) (*crm.Webhooks, error) {
	ws, ok := store.(crm.WebhookStorer)
	if !ok {
		return nil, fmt.Errorf("the database keeps no webhooks")
	}
	if m.WebhookRetryScale <= 0 {
		return nil, fmt.Errorf("--webhook-retry-scale must be above 0, got %v", m.WebhookRetryScale)
	}
	hooks := crm.NewWebhooks(ws.Webhooks(), DefaultPortalID, m.Now)
	hooks.AllowHosts = m.WebhookAllowHosts
	m.worker = webhooks.New(hooks, m.WebhookRetryScale, m.logger)
	m.worker.Now = m.Now
	m.worker.LogRetention, m.worker.LogMaxPerApp = m.WebhookLogRetention, m.WebhookLogMaxPerApp
	metrics.Register(m.worker.Collectors()...)
	return hooks, nil
}
