package bench

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/internal/pgtest"
)

// BenchmarkNodes runs the same load (8 keep-alive clients, half reading a
// message by id, half creating messages) against one and against two spoke
// processes on one PostgreSQL database, the clients spread over the nodes.
func BenchmarkNodes(b *testing.B) {
	bin := spokeBinary(b)
	for _, nodes := range []int{1, 2} {
		b.Run(fmt.Sprintf("%d-nodes", nodes), func(b *testing.B) {
			url := pgtest.URL(b)
			var procs []*proc
			for range nodes {
				p, err := startSpoke(bin, url, "tok")
				if err != nil {
					b.Fatal(err)
				}
				defer p.stop()
				procs = append(procs, p)
			}
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}, Timeout: 30 * time.Second}
			status, created, err := post2(client, procs[0].url+"/crm/v3/objects/communications", "tok", createBody(0))
			if err != nil || status != 201 {
				b.Fatalf("seed: %d %s %v", status, created, err)
			}
			id := string(created[7:18]) // {"id":"NNNNNNNNNNN",...
			var next atomic.Int64
			var failed atomic.Value
			var wg sync.WaitGroup
			b.ResetTimer()
			for c := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					node := procs[c%nodes]
					for n := next.Add(1); n <= int64(b.N); n = next.Add(1) {
						var status int
						var err error
						if c%2 == 0 {
							status, _, err = get2(client, node.url+"/crm/v3/objects/communications/"+id, "tok")
						} else {
							status, _, err = post2(client, node.url+"/crm/v3/objects/communications", "tok", createBody(n))
							if status == 201 {
								status = 200
							}
						}
						if err == nil && status != 200 {
							err = fmt.Errorf("status %d", status)
						}
						if err != nil {
							failed.Store(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			if err, ok := failed.Load().(error); ok {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

func get2(c *http.Client, url, token string) (int, []byte, error) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return send(c, req)
}

func post2(c *http.Client, url, token string, body []byte) (int, []byte, error) {
	req, _ := http.NewRequest("POST", url, bytesReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	return send(c, req)
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

func send(c *http.Client, req *http.Request) (int, []byte, error) {
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}
