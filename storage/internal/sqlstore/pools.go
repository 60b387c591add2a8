package sqlstore

import "github.com/spoke-crm/spoke/crm"

// Pools is what the stores that work outside crm transactions (tokens,
// sessions, rate-limit counters) run on.
type Pools struct {
	// Read runs statements that only read, each on its own.
	Read Querier
	// Write runs statements that write, each on its own.
	Write Querier
	// WriteTx runs a short transaction that writes.
	WriteTx TxFunc
	Dialect Dialect
}

// Tokens returns the token store.
func (p *Pools) Tokens() crm.TokenStore { return tokens{p} }

// Sessions returns the web session store.
func (p *Pools) Sessions() crm.SessionStore { return sessions{p} }

// RateCounters returns rate-limit counters kept in the database, shared by
// every process on it. The schema has their tables on PostgreSQL only.
func (p *Pools) RateCounters() crm.RateCounters { return rateCounters{p} }
