package auth

import (
	"sync"
	"time"
)

// limiter slows down guessing: after a few failed logins for one account or from one client
// address, further attempts are refused for a delay that doubles with every failure (capped),
// and a success for the account clears its count. It is per process; behind several replicas
// each replica counts on its own, which still bounds the guessing rate by the replica count.
type limiter struct {
	mu       sync.Mutex
	entries  map[string]*failures
	free     int           // failures allowed before delays start
	base     time.Duration // first delay
	maxDelay time.Duration
	forget   time.Duration // a key without failures for this long is forgotten
	now      func() time.Time
}

type failures struct {
	count int
	last  time.Time
	until time.Time
}

// newLimiter allows free failures per key before delays start.
func newLimiter(free int, now func() time.Time) *limiter {
	return &limiter{
		entries: map[string]*failures{}, free: free, base: time.Second,
		maxDelay: 15 * time.Minute, forget: time.Hour, now: now,
	}
}

// wait returns how long the key must still wait; zero when it may try now.
func (l *limiter) wait(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f, ok := l.entries[key]; ok && f.until.After(l.now()) {
		return f.until.Sub(l.now())
	}
	return 0
}

// fail counts a failure for the key.
func (l *limiter) fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweep(now)
	f := l.entries[key]
	if f == nil {
		f = &failures{}
		l.entries[key] = f
	}
	f.count++
	f.last = now
	if f.count > l.free {
		delay := l.base << min(f.count-l.free-1, 20)
		f.until = now.Add(min(delay, l.maxDelay))
	}
}

// succeed clears a key's failures.
func (l *limiter) succeed(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.entries, key)
}

// sweep forgets old keys so the map stays small; callers hold the lock.
func (l *limiter) sweep(now time.Time) {
	if len(l.entries) < 10_000 {
		return
	}
	for k, f := range l.entries {
		if now.Sub(f.last) > l.forget {
			delete(l.entries, k)
		}
	}
}
