package faults_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/faults"
)

func TestInterceptAnswers(t *testing.T) {
	t.Parallel()
	cfg, err := faults.Parse([]byte(`[
		{"path":"/crm/v3/objects/deals","status":502,"times":1},
		{"path":"/crm/v3/objects/tickets","status":429,"policyName":"DAILY"},
		{"token":"ci","path":"/crm/v3/objects/contacts","status":503}]`))
	if err != nil {
		t.Fatal(err)
	}
	f := faults.New()
	if err := f.Add(cfg); err != nil {
		t.Fatal(err)
	}
	ci := faults.Call{Principal: &crm.Principal{TokenID: 4, Name: "ci"}}
	ran := 0
	next := func(http.ResponseWriter, *http.Request) error { ran++; return nil }
	call := func(path string, c faults.Call) error {
		return f.Intercept(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil), c, next)
	}

	var fail *faults.Failure
	if err := call("/crm/v3/objects/deals", ci); !errors.As(err, &fail) || fail.Status != 502 || fail.Message == "" {
		t.Errorf("502 rule: %v", err)
	}
	if err := call("/crm/v3/objects/deals", ci); err != nil || ran != 1 {
		t.Errorf("a rule of one time fired twice: %v, handler ran %d times", err, ran)
	}
	if e := crm.AsError(call("/crm/v3/objects/tickets", ci)); e.Kind != crm.KindRateLimited || e.Limit != crm.RateDaily {
		t.Errorf("429 rule: %+v", e)
	}
	if err := call("/crm/v3/objects/contacts", faults.Call{Principal: &crm.Principal{Name: "other"}}); err != nil {
		t.Errorf("rule of another token fired: %v", err)
	}
	if err := call("/crm/v3/objects/contacts", ci); !errors.As(err, &fail) || fail.Status != 503 {
		t.Errorf("token rule: %v", err)
	}
}

func TestRestorePutsBackTheStartupRules(t *testing.T) {
	t.Parallel()
	f := faults.New()
	if err := f.Add(faults.Config{Rules: []faults.Rule{{Path: "/a", Status: 500}}}); err != nil {
		t.Fatal(err)
	}
	f.KeepAsStartup()
	if err := f.Add(faults.Config{Rules: []faults.Rule{{Path: "/b", Status: 503}}}); err != nil {
		t.Fatal(err)
	}
	f.Intercept(httptest.NewRecorder(), httptest.NewRequest("GET", "/a", nil), faults.Call{},
		func(http.ResponseWriter, *http.Request) error { return nil })
	f.Restore()
	rules := f.Rules()
	if len(rules) != 1 || rules[0].ID != 1 || rules[0].Path != "/a" || rules[0].Matched != 0 || rules[0].Fired != 0 {
		t.Fatalf("rules after restore: %+v", rules)
	}
	if err := f.Add(faults.Config{Rules: []faults.Rule{{Status: 502}}}); err != nil || f.Rules()[1].ID != 2 {
		t.Errorf("rule added after restore: %v %+v", err, f.Rules())
	}
}

func TestAddRefusesInvalidRules(t *testing.T) {
	t.Parallel()
	for _, rules := range []string{
		`[{"path":"/a"}]`,
		`[{"status":418}]`,
		`[{"status":500,"drop":true}]`,
		`[{"status":500,"policyName":"DAILY"}]`,
		`[{"status":429,"policyName":"HOURLY"}]`,
		`[{"path":"a","status":500}]`,
		`[{"when":"during","status":500}]`,
		`[{"latency":"2s","latencyMax":"1s"}]`,
		`[{"status":500,"probability":2}]`,
	} {
		cfg, err := faults.Parse([]byte(rules))
		if err == nil {
			err = faults.New().Add(cfg)
		}
		if err == nil {
			t.Errorf("%s was accepted", rules)
		}
	}
	if _, err := faults.Parse([]byte(`{"rules":[{"stauts":500}]}`)); err == nil {
		t.Error("a misspelt field was accepted")
	}
}
