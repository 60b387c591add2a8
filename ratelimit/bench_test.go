package ratelimit_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/spoke-crm/spoke/ratelimit"
)

// benchCall returns a call of the default limiter, around a call that does
// nothing, writing to w.
func benchCall(b *testing.B) func(w http.ResponseWriter) error {
	l, err := ratelimit.New(ratelimit.Config{})
	if err != nil {
		b.Fatal(err)
	}
	next := func(http.ResponseWriter, *http.Request) error { return nil }
	req := httptest.NewRequest("GET", "/", nil)
	return func(w http.ResponseWriter) error { return l.Intercept(w, req, ratelimit.Call{}, next) }
}

// BenchmarkRateLimitIntercept is the interceptor alone around a call that
// does nothing: the limiter's own cost per request, from one goroutine and
// from parallel ones (one token: they contend for the same mutex).
func BenchmarkRateLimitIntercept(b *testing.B) {
	call := benchCall(b)
	b.Run("mode=serial", func(b *testing.B) {
		b.ReportAllocs()
		w := &headerOnly{h: http.Header{}}
		for b.Loop() {
			clear(w.h)
			if err := call(w); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("mode=parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			w := &headerOnly{h: http.Header{}}
			for pb.Next() {
				clear(w.h)
				if err := call(w); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// BenchmarkRateLimitResponseHeaders is what the seven headers cost a
// response beyond the limiter: a bigger header map, and more to sort and
// write (net/http writes a response's headers sorted), compared with a
// response with the two headers Spoke always sets (net/http adds Date and
// Content-Length outside the map).
func BenchmarkRateLimitResponseHeaders(b *testing.B) {
	call := benchCall(b)
	for _, limited := range []bool{false, true} {
		name := "limiter=off"
		if limited {
			name = "limiter=on"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w := &headerOnly{h: make(http.Header)}
				w.h.Set("X-HubSpot-Correlation-Id", "0d3b8a0e-8a3c-4a8e-9d9b-2f6f0e6c1a7d")
				if limited {
					call(w)
				}
				w.h.Set("Content-Type", "application/json;charset=utf-8")
				w.h.WriteSubset(io.Discard, nil)
			}
		})
	}
}

type headerOnly struct{ h http.Header }

func (w *headerOnly) Header() http.Header         { return w.h }
func (w *headerOnly) Write(p []byte) (int, error) { return len(p), nil }
func (w *headerOnly) WriteHeader(int)             {}
