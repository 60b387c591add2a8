package api

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/spoke-crm/spoke/crm"
)

// Metrics are Spoke's Prometheus metrics. A nil *Metrics records nothing.
type Metrics struct {
	registry   *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	database   *prometheus.HistogramVec
	rejections *prometheus.CounterVec
	faults     *prometheus.CounterVec
}

// NewMetrics registers Spoke's metrics, and Go's runtime and process
// collectors, in a new registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "spoke_http_requests_total", Help: "HTTP requests by route template, method and status code.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "spoke_http_request_duration_seconds", Help: "HTTP request latency by route template and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
		database: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "spoke_database_transaction_duration_seconds", Help: "Time spent in database transactions, by kind (read or write).",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}, []string{"kind"}),
		rejections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "spoke_rate_limit_rejections_total", Help: "Requests answered 429 by the rate-limit emulation, by policy.",
		}, []string{"policy"}),
		faults: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "spoke_faults_fired_total", Help: "Injected faults that fired, by action.",
		}, []string{"action"}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.database, m.rejections, m.faults,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Register adds collectors of other packages (webhook delivery) to the
// registry.
func (m *Metrics) Register(cs ...prometheus.Collector) {
	if m != nil {
		m.registry.MustRegister(cs...)
	}
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// RateLimited counts a 429 of the rate-limit emulation.
func (m *Metrics) RateLimited(policy string) {
	if m != nil {
		m.rejections.WithLabelValues(policy).Inc()
	}
}

// FaultFired counts an injected fault.
func (m *Metrics) FaultFired(action string) {
	if m != nil {
		m.faults.WithLabelValues(action).Inc()
	}
}

func (m *Metrics) observe(route, method string, status int, d time.Duration) {
	if m == nil {
		return
	}
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(d.Seconds())
}

// Store wraps a store so that transaction times are recorded.
func (m *Metrics) Store(s crm.Store) crm.Store {
	if m == nil {
		return s
	}
	return timedStore{Store: s, hist: m.database}
}

type timedStore struct {
	crm.Store
	hist *prometheus.HistogramVec
}

func (t timedStore) Read(ctx context.Context, fn func(crm.ReadTx) error) error {
	start := time.Now()
	defer func() { t.hist.WithLabelValues("read").Observe(time.Since(start).Seconds()) }()
	return t.Store.Read(ctx, fn)
}

func (t timedStore) Write(ctx context.Context, fn func(crm.Tx) error) error {
	start := time.Now()
	defer func() { t.hist.WithLabelValues("write").Observe(time.Since(start).Seconds()) }()
	return t.Store.Write(ctx, fn)
}

// statusWriter remembers the status code written. It passes hijacking and
// flushing through to the connection.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}
