package api_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/api"
	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/spoketest"
)

// BenchmarkAuthenticate is the token check every request pays: a cached
// lookup of the secret's hash (the database is asked once per 2 s per token).
func BenchmarkAuthenticate(b *testing.B) {
	s := spoketest.Open(b)
	secret := s.NewToken("crm.objects.contacts.read")
	auth := &crm.Authenticator{Tokens: s.Store.Tokens(), Now: time.Now}
	req := httptest.NewRequest("GET", "/crm/v3/objects/contacts", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	if _, err := api.Authenticate(auth, req); err != nil {
		b.Fatal(err)
	}
	b.Run("stored-token-cached", func(b *testing.B) {
		for b.Loop() {
			if _, err := api.Authenticate(auth, req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stored-token-uncached", func(b *testing.B) {
		ctx := context.Background()
		hash := crm.HashToken(secret)
		for b.Loop() {
			if _, err := s.Store.Tokens().TokenByHash(ctx, hash); err != nil {
				b.Fatal(err)
			}
		}
	})
}
