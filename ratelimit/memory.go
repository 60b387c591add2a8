package ratelimit

import (
	"context"
	"sync"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// NewMemoryCounters returns in-process counters: one mutex, a ring of
// call times per token and one for search, and a daily count.
func NewMemoryCounters() crm.RateCounters {
	return &memoryCounters{windows: map[int64]*callLog{}}
}

type memoryCounters struct {
	mu      sync.Mutex
	windows map[int64]*callLog // per token, last 10 seconds
	search  callLog            // per account, last second
	day     int64
	daily   int
}

func (m *memoryCounters) Take(_ context.Context, t crm.RateTake, l crm.RateLimits) (crm.RateDecision, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t.Day != m.day {
		m.day, m.daily = t.Day, 0
	}
	var (
		log    *callLog
		limit  int
		policy crm.RatePolicy
	)
	if t.Search {
		log, limit, policy = &m.search, l.SearchPerSecond, crm.RateSecondly
		log.expire(t.Now - int64(time.Second))
	} else {
		log = m.windows[t.Token]
		if log == nil {
			log = &callLog{}
			m.windows[t.Token] = log
		}
		limit, policy = l.TenSecondly, crm.RateTenSecondly
		log.expire(t.Now - int64(interval))
	}
	var d crm.RateDecision
	switch {
	case l.Enforce && m.daily >= l.Daily:
		d.Policy = crm.RateDaily
	case l.Enforce && log.n >= limit:
		d.Policy = policy
	default:
		m.daily++
		log.add(t.Now, limit)
	}
	d.Remaining = limit - log.n
	d.DailyRemaining = l.Daily - m.daily
	return d, nil
}

func (m *memoryCounters) DailyUsed(_ context.Context, day int64) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if day != m.day {
		return 0, nil
	}
	return m.daily, nil
}

func (m *memoryCounters) Reset(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.windows = map[int64]*callLog{}
	m.search = callLog{}
	m.daily = 0
	return nil
}

// callLog is a ring of the times of the latest calls in a window, oldest
// first, holding at most as many as the window allows: a rolling window is
// exact and costs O(1) a call. When limits are not enforced a full log drops
// its oldest time, since Remaining cannot go below zero anyway.
type callLog struct {
	times   []int64
	head, n int
}

// expire drops the calls at or before cutoff.
func (c *callLog) expire(cutoff int64) {
	for c.n > 0 && c.times[c.head] <= cutoff {
		c.head++
		if c.head == len(c.times) {
			c.head = 0
		}
		c.n--
	}
}

// add records a call at now in a window that allows size calls.
func (c *callLog) add(now int64, size int) {
	if len(c.times) != size {
		c.resize(size)
	}
	if size == 0 {
		return
	}
	if c.n == size { // not enforced: forget the oldest
		c.head++
		if c.head == size {
			c.head = 0
		}
		c.n--
	}
	i := c.head + c.n
	if i >= size {
		i -= size
	}
	c.times[i] = now
	c.n++
}

// resize keeps the newest calls in a ring of the new size.
func (c *callLog) resize(size int) {
	keep := min(c.n, size)
	times := make([]int64, size)
	for i := range keep {
		times[i] = c.times[(c.head+c.n-keep+i)%len(c.times)]
	}
	c.times, c.head, c.n = times, 0, keep
}
