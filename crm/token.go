package crm

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Token is an access token. The secret itself is never stored: only its hash.
type Token struct {
	ID         int64
	Name       string
	Hash       string
	Scopes     []string
	CreatedAt  time.Time
	LastUsedAt time.Time
	RevokedAt  time.Time
}

// ScopeAdmin is Spoke's own scope for its test controls under /_spoke/.
const ScopeAdmin = "spoke.admin"

// Scopes Spoke knows: HubSpot's, named as HubSpot names them, and ScopeAdmin.
var AllScopes = []string{
	ScopeAdmin,
	"crm.objects.contacts.read", "crm.objects.contacts.write",
	"crm.objects.companies.read", "crm.objects.companies.write",
	"crm.objects.deals.read", "crm.objects.deals.write",
	"crm.objects.tickets.read", "crm.objects.tickets.write", "tickets",
	"crm.objects.owners.read", "automation",
	"crm.schemas.contacts.read", "crm.schemas.contacts.write",
	"crm.schemas.companies.read", "crm.schemas.companies.write",
	"crm.schemas.deals.read", "crm.schemas.deals.write",
	"crm.schemas.tickets.read", "crm.schemas.tickets.write",
	"crm.objects.users.read", "crm.objects.users.write", "sales-email-read",
	"crm.schemas.custom.read", "crm.schemas.custom.write",
	"crm.objects.custom.read", "crm.objects.custom.write",
}

// OwnerReadScopes are the scopes, one of which reads owners: HubSpot's owners
// spec lists the legacy "automation" beside crm.objects.owners.read.
var OwnerReadScopes = []string{"crm.objects.owners.read", "automation"}

// NewTokenSecret returns a fresh secret shaped like a HubSpot private-app token.
func NewTokenSecret() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	h := hex.EncodeToString(b[:])
	return "pat-na1-" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// HashToken is the stored form of a secret. Secrets are 128 random bits, so a
// fast hash is enough; no password stretching is needed.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
