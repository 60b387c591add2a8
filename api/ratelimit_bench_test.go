package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/api"
	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/spoketest"
	"github.com/spoke-crm/spoke/ratelimit"
	"github.com/spoke-crm/spoke/storage/sqlite"
)

// BenchmarkGetByIDRateLimit measures what the rate limiter (accounting and
// headers, enforcement off as by default) adds to GET-by-id, in process
// (no network), sequentially and from parallel clients:
//
//	go test -run '^$' -bench GetByIDRateLimit -count 10 ./api/ | benchstat -col /limiter -
func BenchmarkGetByIDRateLimit(b *testing.B) {
	for _, mode := range []string{"serial", "parallel"} {
		for _, limited := range []bool{false, true} {
			name := "mode=" + mode + "/limiter=off"
			if limited {
				name = "mode=" + mode + "/limiter=on"
			}
			b.Run(name, func(b *testing.B) {
				h, path := benchServer(b, limited)
				get := func() {
					req := httptest.NewRequest("GET", path, nil)
					req.Header.Set("Authorization", "Bearer "+spoketest.Token)
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Fatalf("status %d: %s", w.Code, w.Body)
					}
				}
				b.ReportAllocs()
				defer reportCPU(b)()
				if mode == "serial" {
					for b.Loop() {
						get()
					}
					return
				}
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						get()
					}
				})
			})
		}
	}
}

// reportCPU starts measuring the process's CPU time (user and system) and
// returns a function that reports it per operation as cpu-ns/op. On a shared
// machine wall time mostly measures the neighbours; CPU time is what the
// server spends, which is what the limiter adds to.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchServer builds a server on a new SQLite file with one message and
// returns it with the message's path.
func benchServer(b *testing.B, limited bool) (http.Handler, string) {
	b.Helper()
	variant := "off"
	if limited {
		variant = "on"
	}
	h, path, closeStore, err := newBenchHandler(b.TempDir(), variant)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(closeStore)
	return h, path
}

// newBenchHandler builds a server on a new SQLite file in dir holding one
// message, and returns it with the message's path. variant is "off" (no
// limiter), "headers" (HubSpot's seven headers with fixed values, nothing
// counted) or "on" (the limiter, enforcement off as by default).
func newBenchHandler(dir, variant string) (http.Handler, string, func(), error) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "spoke.db"))
	if err != nil {
		return nil, "", nil, err
	}
	engine := crm.NewEngine(store, time.Now, spoketest.PortalID)
	if err := engine.LoadSchemas(ctx); err != nil {
		store.Close()
		return nil, "", nil, err
	}
	auth := &crm.Authenticator{EnvToken: spoketest.Token, Tokens: store.Tokens(), Now: time.Now}
	var opts api.Options
	switch variant {
	case "off":
	case "headers":
		opts.Interceptors = append(opts.Interceptors, fixedRateHeaders)
	case "on":
		l, err := ratelimit.New(ratelimit.Config{})
		if err != nil {
			store.Close()
			return nil, "", nil, err
		}
		opts.AddRateLimiter(l)
	default:
		store.Close()
		return nil, "", nil, fmt.Errorf("unknown variant %q", variant)
	}
	h := api.NewServer(engine, auth, slog.New(slog.NewTextHandler(io.Discard, nil)), opts)
	req := httptest.NewRequest("POST", "/crm/v3/objects/communications",
		strings.NewReader(`{"properties":{"hs_communication_channel_type":"WHATS_APP","hs_communication_body":"hi","hs_timestamp":1700000000000}}`))
	req.Header.Set("Authorization", "Bearer "+spoketest.Token)
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var created struct{ ID string }
	if w.Code != http.StatusCreated || json.Unmarshal(w.Body.Bytes(), &created) != nil {
		store.Close()
		return nil, "", nil, fmt.Errorf("create: %d %s", w.Code, w.Body)
	}
	return h, "/crm/v3/objects/communications/" + created.ID, func() { store.Close() }, nil
}

// BenchmarkGetByIDRateLimitHTTP is the same through a loopback HTTP server
// with parallel keep-alive clients: the throughput users see.
func BenchmarkGetByIDRateLimitHTTP(b *testing.B) {
	// limiter=headers sets the same seven headers with fixed values and
	// counts nothing: the share of the cost that is net/http's (and the
	// client's) handling of HubSpot's headers rather than the limiter's.
	variants := []struct {
		name string
		opts []spoketest.Option
	}{
		{"limiter=off", nil},
		{"limiter=headers", []spoketest.Option{func(s *spoketest.Settings) {
			s.API.Interceptors = append(s.API.Interceptors, fixedRateHeaders)
		}}},
		{"limiter=on", []spoketest.Option{spoketest.WithRateLimit(ratelimit.Config{})}},
	}
	for _, v := range variants {
		opts := v.opts
		b.Run(v.name, func(b *testing.B) {
			s := spoketest.Open(b, opts...)
			r := s.Do("POST", "/crm/v3/objects/communications",
				`{"properties":{"hs_communication_channel_type":"WHATS_APP","hs_communication_body":"hi","hs_timestamp":1700000000000}}`)
			var created struct{ ID string }
			if err := json.Unmarshal(r.Body, &created); err != nil || r.Status != http.StatusCreated {
				b.Fatalf("create: %d %s", r.Status, r.Body)
			}
			url := s.URL + "/crm/v3/objects/communications/" + created.ID
			tr := http.DefaultTransport.(*http.Transport).Clone()
			tr.MaxIdleConnsPerHost = 64
			client := &http.Client{Transport: tr}
			b.SetParallelism(4)
			b.ReportAllocs()
			b.ResetTimer()
			defer reportCPU(b)()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					getOK(b, client, url)
				}
			})
		})
	}
}

func fixedRateHeaders(w http.ResponseWriter, r *http.Request, c *api.Call, next func(http.ResponseWriter, *http.Request) error) error {
	h := w.Header()
	h["X-Hubspot-Ratelimit-Daily"] = []string{"625000"}
	h["X-Hubspot-Ratelimit-Daily-Remaining"] = []string{"624999"}
	h["X-Hubspot-Ratelimit-Interval-Milliseconds"] = []string{"10000"}
	h["X-Hubspot-Ratelimit-Max"] = []string{"190"}
	h["X-Hubspot-Ratelimit-Remaining"] = []string{"189"}
	h["X-Hubspot-Ratelimit-Secondly"] = []string{"19"}
	h["X-Hubspot-Ratelimit-Secondly-Remaining"] = []string{"18"}
	return next(w, r)
}
