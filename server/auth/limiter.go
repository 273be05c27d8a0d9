package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"zirkel/ent"
	"zirkel/ent/loginthrottle"
	"zirkel/server/policy"
)

// limiter slows down guessing: after a few failed logins for one account or from one client
// address, further attempts are refused for a delay that doubles with every failure (capped),
// and a success for the account clears its count. The counts live in the database, so every
// replica sees the failures made through the others.
type limiter struct {
	client   *ent.Client
	scope    string        // "account" or "address": part of the key
	free     int           // failures allowed before delays start
	base     time.Duration // first delay
	maxDelay time.Duration
	forget   time.Duration // failures older than this no longer count
	now      func() time.Time
}

// newLimiter allows free failures per key before delays start.
func newLimiter(client *ent.Client, scope string, free int, now func() time.Time) *limiter {
	return &limiter{client: client, scope: scope, free: free, base: time.Second, maxDelay: 15 * time.Minute, forget: time.Hour, now: now}
}

// key names an account or address without storing it.
func (l *limiter) key(name string) string {
	sum := sha256.Sum256([]byte(l.scope + "\x00" + name))
	return hex.EncodeToString(sum[:])
}

// delay is how long a key waits after its last failure, having failed count times.
func (l *limiter) delay(count int) time.Duration {
	if count <= l.free {
		return 0
	}
	return min(l.base<<min(count-l.free-1, 20), l.maxDelay)
}

// waitBeforeLogin reads the counts of an account and a client address in one query and
// returns how long the login must still wait (zero: it may try now), and whether the account
// has failures on record (only then does a success need to clear them).
func waitBeforeLogin(ctx context.Context, account, address *limiter, accountName, addressName string) (wait time.Duration, accountFailed bool, err error) {
	accountKey, addressKey := account.key(accountName), address.key(addressName)
	rows, err := account.client.LoginThrottle.Query().Where(loginthrottle.KeyIn(accountKey, addressKey)).All(policy.System(ctx))
	if err != nil {
		return 0, false, err
	}
	for _, t := range rows {
		switch t.Key {
		case accountKey:
			wait, accountFailed = max(wait, account.waitAfter(t)), true
		case addressKey:
			wait = max(wait, address.waitAfter(t))
		}
	}
	return wait, accountFailed, nil
}

// waitAfter is how long a key with this record must still wait; zero when it may try now.
func (l *limiter) waitAfter(t *ent.LoginThrottle) time.Duration {
	now := l.now()
	if now.Sub(t.LastFailureAt) > l.forget {
		return 0
	}
	return max(t.LastFailureAt.Add(l.delay(t.Failures)).Sub(now), 0)
}

// fail counts a failure for the name. Replicas failing at once each count: the increment is
// done by the database. Failures long past are deleted on the way, for every key.
func (l *limiter) fail(ctx context.Context, name string) error {
	ctx = policy.System(ctx)
	key, now := l.key(name), l.now()
	if _, err := l.client.LoginThrottle.Delete().Where(loginthrottle.LastFailureAtLT(now.Add(-l.forget))).Exec(ctx); err != nil {
		return err
	}
	var err error
	for range 2 {
		var n int
		if n, err = l.client.LoginThrottle.Update().Where(loginthrottle.Key(key)).AddFailures(1).SetLastFailureAt(now).Save(ctx); err != nil || n > 0 {
			return err
		}
		if err = l.client.LoginThrottle.Create().SetKey(key).SetFailures(1).SetLastFailureAt(now).Exec(ctx); err == nil {
			return nil
		}
		// Another replica created the row meanwhile: count on it.
	}
	return err
}

// succeed clears the name's failures.
func (l *limiter) succeed(ctx context.Context, name string) error {
	_, err := l.client.LoginThrottle.Delete().Where(loginthrottle.Key(l.key(name))).Exec(policy.System(ctx))
	return err
}
