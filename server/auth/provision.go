package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"zirkel/ent"
	"zirkel/ent/member"
	"zirkel/ent/organisation"
	"zirkel/ent/schema/gid"
	"zirkel/server/apperr"
	"zirkel/server/auth/directory"
	"zirkel/server/policy"
)

// loginDirectory authenticates against a directory and provisions or refreshes the member.
func (s *Service) loginDirectory(ctx context.Context, dirID, username, password string) (*ent.Member, error) {
	d, ok := s.directories[dirID]
	if !ok {
		return nil, ErrUnauthenticated // an unknown directory looks like a wrong password
	}
	id, err := d.Authenticate(ctx, username, password)
	switch {
	case errors.Is(err, directory.ErrRejected):
		s.logger.DebugContext(ctx, "directory rejected login", "directory", dirID, "reason", err)
		return nil, ErrUnauthenticated
	case err != nil:
		s.logger.WarnContext(ctx, "directory unavailable", "directory", dirID, "err", err)
		return nil, ErrUnavailable
	}
	return s.provision(ctx, dirID, id)
}

// provision creates the member of a directory identity on first login and refreshes name,
// mail, title, roles and organisation on later ones. Members are matched on the directory's
// stable entry id, never on e-mail. Directory groups are the source of platform roles.
func (s *Service) provision(ctx context.Context, dirID string, id *directory.Identity) (*ent.Member, error) {
	id = cleanIdentity(id)
	sys := policy.System(ctx)
	db := clientFor(ctx, s.client)
	orgID, err := db.Organisation.Query().Where(organisation.Ags(id.OrganisationAGS)).OnlyID(sys)
	if err != nil && !ent.IsNotFound(err) {
		return nil, fmt.Errorf("finding organisation: %w", err)
	}
	existing, err := db.Member.Query().
		Where(member.DirectoryID(dirID), member.DirectoryEntryID(id.EntryID)).
		WithOrganisation().Only(sys)
	switch {
	case ent.IsNotFound(err):
		create := db.Member.Create().
			SetDirectoryID(dirID).SetDirectoryEntryID(id.EntryID).
			SetDisplayName(id.DisplayName).SetEmail(id.Mail).SetJobTitle(id.Title).
			SetCommunityRole(member.CommunityRole(id.CommunityRole)).
			SetPlatformRole(member.PlatformRole(id.PlatformRole))
		if orgID != "" {
			create.SetOrganisationID(orgID)
		}
		m, err := create.Save(sys)
		if e, ok := apperr.As(err); ok && e.Field == "email" {
			return nil, apperr.Conflict("an account with this e-mail address exists already; ask an admin to link it")
		}
		return m, err
	case err != nil:
		return nil, fmt.Errorf("finding member: %w", err)
	case existing.Status != member.StatusACTIVE:
		return nil, ErrUnauthenticated
	}
	if unchanged(existing, id, orgID) { // the usual case: no write, no re-indexing
		return existing, nil
	}
	update := db.Member.UpdateOne(existing).
		SetDisplayName(id.DisplayName).SetEmail(id.Mail).SetJobTitle(id.Title).
		SetCommunityRole(member.CommunityRole(id.CommunityRole)).
		SetPlatformRole(member.PlatformRole(id.PlatformRole))
	if orgID != "" {
		update.SetOrganisationID(orgID)
	}
	return update.Save(sys)
}

// cleanIdentity is the identity with its names as single lines of valid UTF-8: a directory
// may hold what Zirkel refuses to store (server/integrity), and one odd entry must neither
// lock its member out nor stop a revalidation round.
func cleanIdentity(id *directory.Identity) *directory.Identity {
	clean := *id
	clean.DisplayName, clean.Title = cleanLine(id.DisplayName), cleanLine(id.Title)
	return &clean
}

// cleanLine replaces invalid UTF-8 and control characters with spaces and trims the result.
func cleanLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r >= 0x7f && r <= 0x9f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return strings.TrimSpace(s)
}

// unchanged tells whether a member already has what the directory says of them.
func unchanged(m *ent.Member, id *directory.Identity, orgID gid.ID) bool {
	org := m.Edges.Organisation
	return m.DisplayName == id.DisplayName && strings.EqualFold(m.Email, id.Mail) && m.JobTitle == id.Title &&
		string(m.CommunityRole) == id.CommunityRole && string(m.PlatformRole) == id.PlatformRole &&
		(orgID == "" || org != nil && org.ID == orgID)
}

// Revalidate asks each directory whether its members with live sessions may still log in,
// and ends the sessions of those who are gone, disabled or no longer in an allowed group. It
// runs periodically; a directory that is unavailable is skipped until the next run.
func (s *Service) Revalidate(ctx context.Context) (ended int, err error) {
	sys := policy.System(ctx)
	members, err := s.client.Member.Query().
		Where(member.DirectoryIDNotNil(), member.HasSessionsWith(liveSession(s.now()))).
		All(sys)
	if err != nil {
		return 0, fmt.Errorf("listing directory members: %w", err)
	}
	// One connection per directory for all its members.
	entries := map[string][]string{}
	byEntry := map[[2]string]*ent.Member{}
	for _, m := range members {
		if s.directories[*m.DirectoryID] != nil {
			entries[*m.DirectoryID] = append(entries[*m.DirectoryID], *m.DirectoryEntryID)
			byEntry[[2]string{*m.DirectoryID, *m.DirectoryEntryID}] = m
		}
	}
	for dirID, ids := range entries {
		err := s.directories[dirID].LookupEach(ctx, ids, func(entryID string, id *directory.Identity, err error) error {
			switch {
			case errors.Is(err, directory.ErrRejected):
				n, err := s.sessions.revokeMember(ctx, byEntry[[2]string{dirID, entryID}].ID, "directory no longer allows login")
				ended += n
				return err
			case err != nil:
				return err // unavailable: skip the rest of this directory
			default:
				_, err := s.provision(ctx, dirID, id)
				return err
			}
		})
		switch {
		case errors.Is(err, directory.ErrUnavailable):
			s.logger.WarnContext(ctx, "revalidation skipped a directory", "directory", dirID, "err", err)
		case err != nil:
			return ended, err
		}
	}
	return ended, nil
}
