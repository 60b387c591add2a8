package crm

import (
	"context"
	"time"
)

// WebSession is a browser signed in to the web pages. It is stored, so that
// every node of a cluster (and a restarted server) knows it.
type WebSession struct {
	// IDHash is HashToken of the session cookie's value; the value itself
	// is not stored.
	IDHash string
	// TokenHash is HashToken of the access token the person signed in with,
	// checked again on every request.
	TokenHash string
	CSRF      string
	// Flash is a one-time notice for the next page (JSON), or "".
	Flash  string
	SeenAt time.Time
}

// SessionStore keeps web sessions.
type SessionStore interface {
	CreateSession(ctx context.Context, s *WebSession) error
	// Session returns the session with that id hash, or ErrNotFound.
	Session(ctx context.Context, idHash string) (*WebSession, error)
	// TouchSession records a use of the session.
	TouchSession(ctx context.Context, idHash string, at time.Time) error
	// SwapSessionFlash sets the session's flash and returns the one it held.
	SwapSessionFlash(ctx context.Context, idHash, flash string) (string, error)
	DeleteSession(ctx context.Context, idHash string) error
	// DeleteSessionsSeenBefore removes sessions last used before t.
	DeleteSessionsSeenBefore(ctx context.Context, t time.Time) error
}
