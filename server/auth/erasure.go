package auth

import (
	"context"
	"errors"
	"strings"

	"zirkel/ent"
	"zirkel/ent/member"
	"zirkel/ent/predicate"
	"zirkel/ent/schema/gid"
	"zirkel/server/auth/directory"
)

// AccountThrottleKeys are the keys of a member's failed-login counters that the server can
// name: their e-mail address as a local account and in each directory (logins by directory
// user name are counted under that name, which is not stored; such counters are forgotten an
// hour after the last failure anyway). Used when an account is erased (server/privacy).
func (s *Service) AccountThrottleKeys(m *ent.Member) []string {
	mail := strings.ToLower(m.Email)
	keys := []string{s.accounts.key(LocalDirectory + ":" + mail)}
	for id := range s.directories {
		keys = append(keys, s.accounts.key(id+":"+mail))
	}
	if m.DirectoryID != nil {
		keys = append(keys, s.accounts.key(*m.DirectoryID+":"+mail))
	}
	return keys
}

// CheckDirectoryMembers asks each directory about every one of its members who has not been
// erased, whether or not they have a session, and tells present for each it could answer:
// found false when the directory no longer knows the entry, or it is disabled or no longer in
// an allowed group (the same answer as for a login). A directory that is unavailable is skipped
// until the next run, so an outage never counts as a removal. It runs periodically (see
// server/app) and is the base of deleting removed members after the grace period.
func (s *Service) CheckDirectoryMembers(ctx context.Context, present func(ctx context.Context, memberID gid.ID, found bool) error) error {
	_, err := s.eachDirectory(ctx, []predicate.Member{member.DirectoryEntryIDNotNil(), member.StatusNEQ(member.StatusDELETED)},
		func(dirID string, ms []*ent.Member) (int, error) { return 0, s.checkDirectory(ctx, dirID, ms, present) })
	return err
}

// checkDirectory looks up one directory's members.
func (s *Service) checkDirectory(ctx context.Context, dirID string, members []*ent.Member, present func(context.Context, gid.ID, bool) error) error {
	byEntry := make(map[string]gid.ID, len(members))
	ids := make([]string, 0, len(members))
	for _, m := range members {
		byEntry[*m.DirectoryEntryID] = m.ID
		ids = append(ids, *m.DirectoryEntryID)
	}
	err := s.directories[dirID].LookupEach(ctx, ids, func(entryID string, _ *directory.Identity, err error) error {
		switch {
		case errors.Is(err, directory.ErrRejected):
			return present(ctx, byEntry[entryID], false)
		case err != nil:
			return err
		default:
			return present(ctx, byEntry[entryID], true)
		}
	})
	if errors.Is(err, directory.ErrUnavailable) {
		s.logger.WarnContext(ctx, "directory check skipped a directory", "directory", dirID, "err", err)
		return nil
	}
	return err
}
