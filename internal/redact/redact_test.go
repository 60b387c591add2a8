package redact

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"postgres://spoke:SECRET@db:5432/spoke?sslmode=disable", "postgres://spoke:xxxxx@db:5432/spoke?sslmode=disable"},
		{"postgresql://spoke:S%40CR%2FET@db/spoke", "postgresql://spoke:xxxxx@db/spoke"},
		{"postgres://spoke@db/spoke?password=SECRET&sslmode=require", "postgres://spoke@db/spoke?password=xxxxx&sslmode=require"},
		{"postgres://db/spoke?sslpassword=SECRET", "postgres://db/spoke?sslpassword=xxxxx"},
		{"postgres://spoke@db/spoke", "postgres://spoke@db/spoke"},
		{"spoke.db", "spoke.db"},
		{":memory:", ":memory:"},
		// Does not parse as a URL (bad port, bad escape): still hidden.
		{"postgres://spoke:SECRET@db:port/spoke", "postgres://spoke:xxxxx@db:port/spoke"},
		{"postgres://spoke:SE%zzCRET@db/spoke?password=SECRET2", "postgres://spoke:xxxxx@db/spoke?password=xxxxx"},
	} {
		if got := URL(c.in); got != c.want {
			t.Errorf("URL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestError(t *testing.T) {
	t.Parallel()
	base := errors.New("dial failed")
	for _, u := range []string{
		"postgres://spoke:SECRET@db/spoke",
		"postgres://spoke:SE%43RET@db/spoke",
		"postgres://spoke@db/spoke?password=SECRET",
		"postgres://spoke:SECRET@db:port/spoke",
	} {
		err := Error(fmt.Errorf("open %s: %w (password SECRET)", u, base), u)
		if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "SE%43RET") {
			t.Errorf("%s: error shows the password: %v", u, err)
		}
		if !errors.Is(err, base) {
			t.Errorf("%s: the wrapped error is lost", u)
		}
	}
	if err := Error(base, "spoke.db"); err != base {
		t.Errorf("a SQLite path changed the error: %v", err)
	}
	if Error(nil, "postgres://a:b@c/d") != nil {
		t.Error("nil error wrapped")
	}
}
