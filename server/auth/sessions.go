package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"zirkel/ent"
	"zirkel/ent/circlemembership"
	"zirkel/ent/member"
	"zirkel/ent/predicate"
	"zirkel/ent/schema/gid"
	"zirkel/ent/session"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// Sessions creates, finds and ends sessions. Tokens are random; the database keeps only their
// SHA-256, so reading the table does not let anyone log in.
type Sessions struct {
	client      *ent.Client
	idleTimeout time.Duration
	maxAge      time.Duration
	now         func() time.Time
	// ended, if set, is told (after commit) which sessions ended: one, or all of a member's
	// when sessionID is empty. The live hub closes their websockets.
	ended func(ctx context.Context, memberID, sessionID gid.ID)
}

// ErrNoSession says that a token names no live session.
var ErrNoSession = errors.New("no live session")

// clientFor is the request's transaction when a mutation runs in one (writing beside it
// would wait for its lock on SQLite), else the root client.
func clientFor(ctx context.Context, root *ent.Client) *ent.Client {
	if tx := ent.FromContext(ctx); tx != nil {
		return tx
	}
	return root
}

// touchEvery bounds how often a session's last use is written.
const touchEvery = time.Minute

// create starts a session for the member and returns its token and absolute expiry.
func (s *Sessions) create(ctx context.Context, memberID gid.ID) (string, time.Time, error) {
	token := newToken()
	expires := s.now().Add(s.maxAge)
	err := clientFor(ctx, s.client).Session.Create().
		SetTokenHash(hashToken(token)).
		SetMemberID(memberID).
		SetExpiresAt(expires).
		Exec(policy.System(ctx))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("creating session: %w", err)
	}
	return token, expires, nil
}

// viewer returns the viewer of a live session, marking it as used. Revoked, expired (absolute
// or idle) sessions and deactivated members give ErrNoSession.
func (s *Sessions) viewer(ctx context.Context, token string) (*viewer.Viewer, error) {
	sys := policy.System(ctx)
	now := s.now()
	sess, err := s.client.Session.Query().
		Where(session.TokenHash(hashToken(token)), session.RevokedAtIsNil(), session.ExpiresAtGT(now)).
		WithMember().
		Only(sys)
	if ent.IsNotFound(err) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("finding session: %w", err)
	}
	if now.Sub(sess.LastUsedAt) > s.idleTimeout || sess.Edges.Member.Status != member.StatusACTIVE {
		return nil, ErrNoSession
	}
	if now.Sub(sess.LastUsedAt) > touchEvery {
		if err := sess.Update().SetLastUsedAt(now).Exec(sys); err != nil {
			return nil, fmt.Errorf("touching session: %w", err)
		}
	}
	v, err := LoadViewer(ctx, s.client, sess.Edges.Member)
	if err != nil {
		return nil, err
	}
	v.SessionID = sess.ID
	return v, nil
}

// LoadViewer builds the viewer of a member: roles, organisation and circles.
func LoadViewer(ctx context.Context, client *ent.Client, m *ent.Member) (*viewer.Viewer, error) {
	sys := policy.System(ctx)
	orgID, err := m.QueryOrganisation().OnlyID(sys)
	if err != nil && !ent.IsNotFound(err) {
		return nil, fmt.Errorf("loading organisation: %w", err)
	}
	memberships, err := client.CircleMembership.Query().
		Where(circlemembership.HasMemberWith(member.ID(m.ID))).
		WithCircle().
		All(sys)
	if err != nil {
		return nil, fmt.Errorf("loading circles: %w", err)
	}
	v := &viewer.Viewer{
		MemberID:       m.ID,
		OrganisationID: orgID,
		CommunityRole:  string(m.CommunityRole),
		PlatformRole:   string(m.PlatformRole),
		Circles:        make(map[gid.ID]string, len(memberships)),
	}
	for _, ms := range memberships {
		v.Circles[ms.Edges.Circle.ID] = string(ms.Role)
	}
	return v, nil
}

// revoke ends one session of a member.
func (s *Sessions) revoke(ctx context.Context, id, memberID gid.ID, reason string) error {
	err := clientFor(ctx, s.client).Session.Update().
		Where(session.ID(id), session.RevokedAtIsNil()).
		SetRevokedAt(s.now()).SetRevokedReason(reason).
		Exec(policy.System(ctx))
	if err == nil && s.ended != nil {
		s.ended(ctx, memberID, id)
	}
	return err
}

// revokeMember ends every live session of a member and says how many ended.
func (s *Sessions) revokeMember(ctx context.Context, memberID gid.ID, reason string) (int, error) {
	n, err := clientFor(ctx, s.client).Session.Update().
		Where(session.HasMemberWith(member.ID(memberID)), session.RevokedAtIsNil(), session.ExpiresAtGT(s.now())).
		SetRevokedAt(s.now()).SetRevokedReason(reason).
		Save(policy.System(ctx))
	if err == nil && n > 0 && s.ended != nil {
		s.ended(ctx, memberID, "")
	}
	return n, err
}

// liveSession matches sessions that are neither revoked nor past their absolute expiry.
func liveSession(now time.Time) predicate.Session {
	return session.And(session.RevokedAtIsNil(), session.ExpiresAtGT(now))
}
