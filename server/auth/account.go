package auth

import (
	"context"
	"fmt"
	"time"

	"zirkel/ent"
	"zirkel/ent/member"
	"zirkel/ent/schema/gid"
	"zirkel/server/apperr"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// invitationTTL is how long an invitation stays valid.
const invitationTTL = 14 * 24 * time.Hour

// Invite creates a local account without a password and returns its one-time token. Only
// admins invite (enforced by the member policy under the admin's own viewer).
func (s *Service) Invite(ctx context.Context, create *ent.MemberCreate) (*ent.Member, string, time.Time, error) {
	if !viewer.FromContext(ctx).IsAdmin() {
		return nil, "", time.Time{}, apperr.Forbidden("only admins invite members")
	}
	token := newToken()
	expires := s.now().Add(invitationTTL)
	m, err := create.SetInvitationHash(hashToken(token)).SetInvitationExpiresAt(expires).Save(ctx)
	if err != nil {
		return nil, "", time.Time{}, err
	}
	return m, token, expires, nil
}

// AcceptInvitation sets the password of an invited account and logs it in.
func (s *Service) AcceptInvitation(ctx context.Context, token, password string) (*Login, error) {
	if n := len([]rune(password)); n < MinPasswordLength || len(password) > MaxPasswordLength {
		return nil, apperr.Invalid("password", fmt.Sprintf("must have %d to %d characters", MinPasswordLength, MaxPasswordLength))
	}
	sys := policy.System(ctx)
	db := clientFor(ctx, s.client)
	m, err := db.Member.Query().
		Where(member.InvitationHash(hashToken(token)), member.InvitationExpiresAtGT(s.now()), member.StatusEQ(member.StatusACTIVE)).
		Only(sys)
	if ent.IsNotFound(err) {
		return nil, apperr.Invalid("token", "the invitation is unknown or has expired")
	}
	if err != nil {
		return nil, fmt.Errorf("finding invitation: %w", err)
	}
	if err := s.SetPassword(ctx, m.ID, password); err != nil {
		return nil, err
	}
	if err := db.Member.UpdateOne(m).ClearInvitationHash().ClearInvitationExpiresAt().Exec(sys); err != nil {
		return nil, fmt.Errorf("closing invitation: %w", err)
	}
	return s.startSession(ctx, m)
}

// SetPassword gives a local account a new password and ends its other sessions.
func (s *Service) SetPassword(ctx context.Context, memberID gid.ID, password string) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	if err := clientFor(ctx, s.client).Member.UpdateOneID(memberID).SetPasswordHash(hash).Exec(policy.System(ctx)); err != nil {
		return fmt.Errorf("setting password: %w", err)
	}
	_, err = s.sessions.revokeMember(ctx, memberID, "password changed")
	return err
}

// CompleteLogin sets the cookie for browser logins and hides the token from them.
func (s *Service) CompleteLogin(ctx context.Context, l *Login, cookie bool) *Login {
	if !cookie {
		return l
	}
	s.setCookie(ctx, l.Token, l.ExpiresAt)
	out := *l
	out.Token = ""
	return &out
}

// EndSession logs the current request's session out and clears its cookie.
func (s *Service) EndSession(ctx context.Context) error {
	id, v := SessionID(ctx), viewer.FromContext(ctx)
	if id == "" || v == nil {
		return &apperr.Error{Code: apperr.CodeUnauthenticated, Message: "not logged in"}
	}
	if w := requestOf(ctx).w; w != nil {
		s.clearCookie(w)
	}
	return s.sessions.revoke(ctx, id, v.MemberID, "logout")
}

// RenewCalendarFeed gives the member a new secret calendar feed path; the old one stops working.
func (s *Service) RenewCalendarFeed(ctx context.Context, memberID gid.ID) (string, error) {
	token := newToken()
	err := clientFor(ctx, s.client).Member.UpdateOneID(memberID).SetCalendarTokenHash(hashToken(token)).Exec(policy.System(ctx))
	if err != nil {
		return "", fmt.Errorf("renewing calendar feed: %w", err)
	}
	return "/calendar/" + token + ".ics", nil
}

// CalendarOwner returns the viewer whose calendar feed token this is.
func (s *Service) CalendarOwner(ctx context.Context, token string) (*viewer.Viewer, error) {
	m, err := s.client.Member.Query().
		Where(member.CalendarTokenHash(hashToken(token)), member.StatusEQ(member.StatusACTIVE)).
		Only(policy.System(ctx))
	if err != nil {
		return nil, ErrNoSession
	}
	return LoadViewer(ctx, s.client, m)
}
