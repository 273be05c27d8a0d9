package auth

import (
	"context"
	"fmt"
	"time"

	"zirkel/ent/loginthrottle"
	"zirkel/ent/session"
	"zirkel/server/policy"
)

// Purged counts what one purge deleted.
type Purged struct {
	Sessions, FailureCounters int
}

// Purge deletes what is past its retention (data minimisation): sessions that ended (revoked,
// past their absolute expiry, or idle) more than Config.SessionRetention ago, and failed-login
// counters whose last failure is older than Config.FailureRetention. Run it on a schedule
// (server/main.go); it is safe on several replicas at once.
func (s *Service) Purge(ctx context.Context) (Purged, error) { return s.PurgeAt(ctx, s.now()) }

// PurgeAt is Purge as if it were now.
func (s *Service) PurgeAt(ctx context.Context, now time.Time) (Purged, error) {
	sys := policy.System(ctx)
	cutoff := now.Add(-s.cfg.SessionRetention)
	var p Purged
	var err error
	p.Sessions, err = s.client.Session.Delete().Where(session.Or(
		session.RevokedAtLT(cutoff),
		session.ExpiresAtLT(cutoff),
		session.LastUsedAtLT(cutoff.Add(-s.cfg.IdleTimeout)),
	)).Exec(sys)
	if err != nil {
		return p, fmt.Errorf("purging sessions: %w", err)
	}
	p.FailureCounters, err = s.client.LoginThrottle.Delete().
		Where(loginthrottle.LastFailureAtLT(now.Add(-s.accounts.forget))).Exec(sys)
	if err != nil {
		return p, fmt.Errorf("purging failed-login counters: %w", err)
	}
	return p, nil
}
