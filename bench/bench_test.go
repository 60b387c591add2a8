// Package bench holds Spoke's throughput, startup and memory benchmarks.
// Goals are recorded in docs/benchmarks.md; nothing here asserts timings.
//
//	go test -run '^$' -bench . ./bench/
package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// parallelism multiplies GOMAXPROCS to give the number of concurrent
// clients b.RunParallel uses (8 on a 2-core machine).
const parallelism = 4

// newClient returns a keep-alive client that keeps one idle connection per
// concurrent client, so no request pays for a new TCP connection.
func newClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 256
	return &http.Client{Transport: t, Timeout: 30 * time.Second}
}

// request sends one request and drains the body so the connection is reused.
func request(c *http.Client, method, url string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+spoketest.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

// createBody is a WhatsApp message as an integration logs it.
func createBody(n int64) []byte {
	return fmt.Appendf(nil, `{"properties":{"hs_communication_channel_type":"WHATS_APP",`+
		`"hs_communication_logged_from":"CRM",`+
		`"hs_communication_body":"Hi Ana, following up on order #%d: the replacement ships <b>tomorrow</b> by courier.",`+
		`"hs_timestamp":"2026-03-14T09:26:53.589Z"}}`, n)
}

// reportRate reports b.N operations over the elapsed time as unit/s.
func reportRate(b *testing.B, unit string) float64 {
	rate := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, unit+"/s")
	return rate
}

// runParallel runs op from parallelism×GOMAXPROCS goroutines, each with
// its own client, and fails the benchmark on the first error.
func runParallel(b *testing.B, op func(c *http.Client, i int64) error) {
	var seq atomic.Int64
	var failed atomic.Bool
	c := newClient()
	defer c.CloseIdleConnections()
	b.SetParallelism(parallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if failed.Load() {
				continue
			}
			if err := op(c, seq.Add(1)); err != nil && failed.CompareAndSwap(false, true) {
				b.Error(err)
			}
		}
	})
	b.StopTimer()
}

// BenchmarkGetByID compares reading one communication through Spoke (HTTP,
// auth, routing, SQLite read transaction, JSON) with a bare net/http handler
// that encodes the same JSON object, in the same run and with the same load.
// Goal: spoke reaches at least half of bare-nethttp's requests/s.
func BenchmarkGetByID(b *testing.B) {
	s := spoketest.Open(b)
	status, created, err := request(newClient(), "POST", s.URL+"/crm/v3/objects/communications", createBody(1))
	if err != nil || status != http.StatusCreated {
		b.Fatalf("seed: %d %s %v", status, created, err)
	}
	var obj struct{ ID string }
	if err := json.Unmarshal(created, &obj); err != nil {
		b.Fatal(err)
	}
	path := "/crm/v3/objects/communications/" + obj.ID
	status, want, err := request(newClient(), "GET", s.URL+path, nil)
	if err != nil || status != http.StatusOK {
		b.Fatalf("seed read: %d %s %v", status, want, err)
	}

	// The bare handler answers with Spoke's own response, decoded once and
	// encoded again on every request, under a route with the same pattern.
	var body map[string]any
	if err := json.Unmarshal(want, &body); err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /crm/v3/objects/{type}/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") != obj.ID {
			http.NotFound(w, r)
			return
		}
		data, err := json.Marshal(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		w.Write(data)
	})
	bare := httptest.NewServer(mux)
	defer bare.Close()

	get := func(base string) func(*http.Client, int64) error {
		return func(c *http.Client, _ int64) error {
			status, data, err := request(c, "GET", base+path, nil)
			if err != nil {
				return err
			}
			if status != http.StatusOK {
				return fmt.Errorf("GET %s: %d %s", path, status, data)
			}
			return nil
		}
	}
	var spokeRate, bareRate float64
	b.Run("spoke", func(b *testing.B) {
		runParallel(b, get(s.URL))
		spokeRate = reportRate(b, "req")
	})
	b.Run("bare-nethttp", func(b *testing.B) {
		runParallel(b, get(bare.URL))
		bareRate = reportRate(b, "req")
	})
	if spokeRate > 0 && bareRate > 0 {
		b.Logf("spoke/bare-nethttp throughput: %.2f (goal >= 0.50)", spokeRate/bareRate)
	}
}

// BenchmarkCreate posts WhatsApp communications through HTTP from parallel
// clients. Goal: at least 3,000 creates/s on SQLite.
func BenchmarkCreate(b *testing.B) {
	s := spoketest.Open(b)
	url := s.URL + "/crm/v3/objects/communications"
	runParallel(b, func(c *http.Client, i int64) error {
		status, data, err := request(c, "POST", url, createBody(i))
		if err != nil {
			return err
		}
		if status != http.StatusCreated {
			return fmt.Errorf("POST: %d %s", status, data)
		}
		return nil
	})
	reportRate(b, "creates")
}
