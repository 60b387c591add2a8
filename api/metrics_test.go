package api_test

import (
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/api"
	"github.com/spoke-crm/spoke/internal/spoketest"
)

func TestMetrics(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t, func(st *spoketest.Settings) { st.API.Metrics = api.NewMetrics() })
	id := create(t, s, "communications", whatsApp("hi"))["id"].(string)
	mustStatus(t, s.Do("GET", "/crm/v3/objects/communications/"+id, nil), 200)
	mustStatus(t, s.Do("GET", "/crm/v3/objects/communications/999", nil), 404)
	s.Do("GET", "/nowhere", nil)
	r := s.DoToken("", "GET", "/metrics", nil)
	if r.Status != 200 {
		t.Fatalf("metrics %d", r.Status)
	}
	body := string(r.Body)
	for _, want := range []string{
		`spoke_http_requests_total{method="POST",route="POST /crm/v3/objects/{type}",status="201"} 1`,
		`spoke_http_requests_total{method="GET",route="GET /crm/v3/objects/{type}/{id}",status="200"} 1`,
		`spoke_http_requests_total{method="GET",route="GET /crm/v3/objects/{type}/{id}",status="404"} 1`,
		`spoke_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`spoke_http_request_duration_seconds_bucket{method="GET",route="GET /crm/v3/objects/{type}/{id}",le="+Inf"} 2`,
		`spoke_database_transaction_duration_seconds_count{kind="write"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
