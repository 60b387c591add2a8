package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

func init() { pageNames = append(pageNames, "webhooks") }

// deliveriesShown is how many recent deliveries the page lists per app.
const deliveriesShown = 25

type webhooksData struct {
	base
	Pending int
	Oldest  *shownTime
	Apps    []appView
}

type shownTime struct{ ISO, Text string }

type appView struct {
	ID            int64
	Name          string
	TargetURL     string
	Subscriptions []subscriptionView
	Deliveries    []deliveryView
}

type subscriptionView struct {
	EventType string
	Detail    string
	Active    bool
}

type deliveryView struct {
	At        shownTime
	Events    int
	FirstID   int64
	Attempt   int
	Status    string
	OK        bool
	Latency   string
	NextRetry *shownTime
	Dropped   bool
}

func showTime(t time.Time) shownTime {
	return shownTime{ISO: t.UTC().Format(time.RFC3339Nano), Text: t.UTC().Format("Jan 2, 2006 15:04:05 UTC")}
}

// webhookRoutes serves the page of recent webhook deliveries per app, when
// the engine's store keeps webhooks. It needs Spoke's admin scope, as the
// delivery log under /_spoke/ does.
func (h *Handler) webhookRoutes() {
	ws, ok := h.engine.Store.(crm.WebhookStorer)
	if !ok {
		return
	}
	h.handle("GET /ui/webhooks", h.signedIn(func(c *call) error {
		if err := c.p.Require([]string{crm.ScopeAdmin}); err != nil {
			return err
		}
		return h.webhooksPage(c, ws.Webhooks())
	}))
}

func (h *Handler) webhooksPage(c *call, store crm.WebhookStore) error {
	ctx := ctxOf(c)
	data := &webhooksData{}
	h.fill(c, &data.base, "Webhooks", "webhooks")
	q, err := store.WebhookQueue(ctx)
	if err != nil {
		return err
	}
	data.Pending = q.Pending
	if !q.OldestUnsent.IsZero() {
		t := showTime(q.OldestUnsent)
		data.Oldest = &t
	}
	apps, err := store.ListApps(ctx)
	if err != nil {
		return err
	}
	subs, err := store.Subscriptions(ctx, 0)
	if err != nil {
		return err
	}
	settings, err := store.ListWebhookSettings(ctx)
	if err != nil {
		return err
	}
	targets := map[int64]string{}
	for _, st := range settings {
		targets[st.AppID] = st.TargetURL
	}
	for _, a := range apps {
		v := appView{ID: a.ID, Name: a.Name, TargetURL: targets[a.ID]}
		for _, s := range subs {
			if s.AppID != a.ID {
				continue
			}
			detail := s.PropertyName
			if s.ObjectTypeID != "" {
				detail = s.ObjectTypeID + " " + detail
			}
			v.Subscriptions = append(v.Subscriptions, subscriptionView{EventType: s.EventType, Detail: detail, Active: s.Active})
		}
		ds, err := store.WebhookDeliveries(ctx, a.ID, deliveriesShown)
		if err != nil {
			return err
		}
		for _, d := range ds {
			dv := deliveryView{At: showTime(d.At), Events: len(d.EventIDs), Attempt: d.Attempt, Dropped: d.Dropped,
				OK: d.Error == "" && d.Status >= 200 && d.Status < 300, Latency: fmt.Sprintf("%.1f ms", float64(d.Latency.Microseconds())/1000)}
			if len(d.EventIDs) > 0 {
				dv.FirstID = d.EventIDs[0]
			}
			switch {
			case d.Status != 0:
				dv.Status = strconv.Itoa(d.Status)
			default:
				dv.Status = d.Error
			}
			if !d.NextRetry.IsZero() {
				t := showTime(d.NextRetry)
				dv.NextRetry = &t
			}
			v.Deliveries = append(v.Deliveries, dv)
		}
		data.Apps = append(data.Apps, v)
	}
	h.render(c.w, c.r, http.StatusOK, "webhooks", data)
	return nil
}
