package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// --webhook-log-retention and --webhook-log-max-per-app (and their
// environment variables) set the delivery worker's pruning; without them
// it keeps a week and 10,000 attempts per app.
func TestWebhookLogFlags(t *testing.T) {
	t.Parallel()
	start := func(t *testing.T, args ...string) *Main {
		t.Helper()
		m := NewMain(io.Discard, io.Discard)
		m.EnvToken = "tok"
		if err := m.ParseFlags(append([]string{"--addr", "127.0.0.1:0", "--db", ":memory:"}, args...)); err != nil {
			t.Fatal(err)
		}
		if err := m.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m
	}
	if w := start(t).worker; w.LogRetention != 168*time.Hour || w.LogMaxPerApp != 10000 {
		t.Errorf("defaults: retention %v, max per app %d", w.LogRetention, w.LogMaxPerApp)
	}
	if w := start(t, "--webhook-log-retention", "90m", "--webhook-log-max-per-app", "0").worker; w.LogRetention != 90*time.Minute || w.LogMaxPerApp != 0 {
		t.Errorf("flags: retention %v, max per app %d", w.LogRetention, w.LogMaxPerApp)
	}
	for _, c := range []struct {
		args []string
		env  []string
		want string
	}{
		{[]string{"serve", "--webhook-log-retention", "7"}, nil, "use a duration such as 3s"},
		{[]string{"serve"}, []string{"SPOKE_WEBHOOK_LOG_RETENTION=7"}, "use a duration such as 3s"},
		{[]string{"serve", "--webhook-log-max-per-app", "-1"}, nil, "must not be negative"},
		{[]string{"serve"}, []string{"SPOKE_WEBHOOK_LOG_MAX_PER_APP=-1"}, "must not be negative"},
	} {
		if _, errOut, code := runSpoke(t, c.env, c.args...); code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("spoke %s %v: exit %d, %q; want %q", strings.Join(c.args, " "), c.env, code, errOut, c.want)
		}
	}
}
