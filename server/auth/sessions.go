package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"entgo.io/ent/dialect/sql"

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
	kept        *viewerCache // nil: every request loads its session
	// ended, if set, is told (after commit) which sessions ended: one, or all of a member's
	// when sessionID is empty. The live hub closes their websockets.
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
	now := s.now()
	var generation uint64
	if s.kept != nil {
		generation = s.kept.generation()
		if v, ok := s.kept.get(token, generation, now); ok {
			return v, nil
		}
	}
	v, ends, err := s.load(ctx, token, now)
	if err == nil {
		s.kept.put(token, generation, now, v, ends)
	}
	return v, err
}

// sessionEnds is when a session ends unless it is used again (or written to) before: idle
// past IdleEnds, or at ExpiresAt, its absolute expiry.
type sessionEnds struct {
	IdleEnds  time.Time // the session is idle once the time is after this
	ExpiresAt time.Time // the session has expired once the time is not before this
}

// live tells whether a session that ends so is live at now, as load would find it.
func (e sessionEnds) live(now time.Time) bool {
	return !now.After(e.IdleEnds) && now.Before(e.ExpiresAt)
}

// load reads the viewer of a live session from the database, marking it as used, and says
// when the session ends if it is not used again.
func (s *Sessions) load(ctx context.Context, token string, now time.Time) (*viewer.Viewer, sessionEnds, error) {
	sys := policy.System(ctx)
	rows, err := s.lookup(sys, token, now)
	if err != nil {
		return nil, sessionEnds{}, fmt.Errorf("finding session: %w", err)
	}
	if len(rows) == 0 {
		return nil, sessionEnds{}, ErrNoSession
	}
	sess := rows[0]
	if now.Sub(sess.LastUsedAt) > s.idleTimeout || sess.Status != string(member.StatusACTIVE) {
		return nil, sessionEnds{}, ErrNoSession
	}
	lastUsed := sess.LastUsedAt
	if now.Sub(sess.LastUsedAt) > touchEvery {
		if err := s.client.Session.UpdateOneID(sess.SessionID).SetLastUsedAt(now).Exec(sys); err != nil {
			return nil, sessionEnds{}, fmt.Errorf("touching session: %w", err)
		}
		lastUsed = now
	}
	v := &viewer.Viewer{
		MemberID:       sess.MemberID,
		SessionID:      sess.SessionID,
		OrganisationID: gid.ID(sess.OrganisationID.String),
		CommunityRole:  sess.CommunityRole,
		PlatformRole:   sess.PlatformRole,
		Circles:        make(map[gid.ID]string, len(rows)),
	}
	for _, r := range rows {
		if r.CircleID.Valid {
			v.Circles[gid.ID(r.CircleID.String)] = r.CircleRole.String
		}
	}
	return withCircleMates(s.client, v), sessionEnds{IdleEnds: lastUsed.Add(s.idleTimeout), ExpiresAt: sess.ExpiresAt}, nil
}

// sessionRow is a live session with its member, their organisation and one of their circle
// memberships (none: the circle columns are null).
type sessionRow struct {
	SessionID      gid.ID         `sql:"session_id"`
	LastUsedAt     time.Time      `sql:"last_used_at"`
	ExpiresAt      time.Time      `sql:"expires_at"`
	MemberID       gid.ID         `sql:"member_id"`
	Status         string         `sql:"status"`
	CommunityRole  string         `sql:"community_role"`
	PlatformRole   string         `sql:"platform_role"`
	OrganisationID sql.NullString `sql:"organisation_id"`
	CircleID       sql.NullString `sql:"circle_id"`
	CircleRole     sql.NullString `sql:"circle_role"`
}

// lookup finds a session that is neither revoked nor past its absolute expiry, with what
// LoadViewer would load of its member, in one statement (one row per circle membership):
// it runs before every logged-in request.
func (s *Sessions) lookup(ctx context.Context, token string, now time.Time) ([]sessionRow, error) {
	var rows []sessionRow
	err := s.client.Session.Query().
		Where(session.TokenHash(hashToken(token)), liveSession(now)).
		Modify(func(q *sql.Selector) {
			m, cm := sql.Table(member.Table), sql.Table(circlemembership.Table)
			q.Join(m).On(q.C(session.MemberColumn), m.C(member.FieldID)).
				LeftJoin(cm).On(m.C(member.FieldID), cm.C(circlemembership.MemberColumn))
			q.Select(
				sql.As(q.C(session.FieldID), "session_id"), sql.As(q.C(session.FieldLastUsedAt), "last_used_at"),
				sql.As(q.C(session.FieldExpiresAt), "expires_at"),
				sql.As(m.C(member.FieldID), "member_id"), sql.As(m.C(member.FieldStatus), "status"),
				sql.As(m.C(member.FieldCommunityRole), "community_role"), sql.As(m.C(member.FieldPlatformRole), "platform_role"),
				sql.As(m.C(member.OrganisationColumn), "organisation_id"),
				sql.As(cm.C(circlemembership.CircleColumn), "circle_id"), sql.As(cm.C(circlemembership.FieldRole), "circle_role"),
			)
		}).
		Scan(ctx, &rows)
	return rows, err
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
	return withCircleMates(client, v), nil
}

// revoke ends one session of a member.
func (s *Sessions) revoke(ctx context.Context, id, memberID gid.ID, reason string) error {
	err := clientFor(ctx, s.client).Session.Update().
		Where(session.ID(id), session.RevokedAtIsNil()).
		SetRevokedAt(s.now()).SetRevokedReason(reason).
		Exec(policy.System(ctx))
	return err // the live hub learns of it from the event pipeline
}

// revokeMember ends every live session of a member and says how many ended.
func (s *Sessions) revokeMember(ctx context.Context, memberID gid.ID, reason string) (int, error) {
	n, err := clientFor(ctx, s.client).Session.Update().
		Where(session.HasMemberWith(member.ID(memberID)), session.RevokedAtIsNil(), session.ExpiresAtGT(s.now())).
		SetRevokedAt(s.now()).SetRevokedReason(reason).
		Save(policy.System(ctx))
	return n, err // the live hub learns of it from the event pipeline
}

// liveSession matches sessions that are neither revoked nor past their absolute expiry.
func liveSession(now time.Time) predicate.Session {
	return session.And(session.RevokedAtIsNil(), session.ExpiresAtGT(now))
}
