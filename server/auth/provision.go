package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"entgo.io/ent/dialect/sql"

	"zirkel/ent"
	"zirkel/ent/member"
	"zirkel/ent/organisation"
	"zirkel/ent/predicate"
	"zirkel/ent/schema/gid"
	"zirkel/server/apperr"
	"zirkel/server/auth/directory"
	"zirkel/server/policy"
)

// loginDirectory authenticates against a directory and provisions or refreshes the member.
// admit (the failure counts) is checked while the directory searches the user, and the
// password is tried only when it allows; the member as stored is loaded while the directory
// checks the password.
func (s *Service) loginDirectory(ctx context.Context, dirID, username, password string, admit func() error) (*ent.Member, error) {
	d, ok := s.directories[dirID]
	if !ok {
		return nil, ErrUnauthenticated // an unknown directory looks like a wrong password
	}
	var (
		existing *storedMember
		findErr  error
	)
	id, err := d.Authenticate(ctx, username, password, directory.Hooks{
		Admit: admit,
		Found: func(entryID string) { existing, findErr = s.findMember(ctx, dirID, entryID) },
	})
	switch {
	case errors.Is(err, directory.ErrRejected):
		s.logger.DebugContext(ctx, "directory rejected login", "directory", dirID, "reason", err)
		return nil, ErrUnauthenticated
	case errors.Is(err, directory.ErrUnavailable):
		s.logger.WarnContext(ctx, "directory unavailable", "directory", dirID, "err", err)
		return nil, ErrUnavailable
	case err != nil: // not admitted
		return nil, err
	case findErr != nil:
		return nil, findErr
	}
	return s.provisionAs(ctx, dirID, id, existing)
}

// storedMember is a member as stored, with the id and official key of their organisation
// (empty when they have none), read in the same statement.
type storedMember struct {
	*ent.Member
	orgID  gid.ID
	orgAGS string
}

// Columns findMember adds to the member's: their organisation's id and official key.
const (
	storedOrgID  = "stored_organisation_id"
	storedOrgAGS = "stored_organisation_ags"
)

// findMember loads the member of a directory entry with their organisation's id and official
// key, in one statement (it runs on every login); nil when there is none yet.
func (s *Service) findMember(ctx context.Context, dirID, entryID string) (*storedMember, error) {
	q := clientFor(ctx, s.client).Member.Query().
		Where(member.DirectoryID(dirID), member.DirectoryEntryID(entryID))
	q.Modify(func(sel *sql.Selector) {
		o := sql.Table(organisation.Table)
		sel.LeftJoin(o).On(sel.C(member.OrganisationColumn), o.C(organisation.FieldID)).
			AppendSelect(sql.As(o.C(organisation.FieldID), storedOrgID), sql.As(o.C(organisation.FieldAgs), storedOrgAGS))
	})
	m, err := q.Only(policy.System(ctx))
	switch {
	case ent.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("finding member: %w", err)
	}
	return &storedMember{Member: m, orgID: gid.ID(selectedText(m, storedOrgID)), orgAGS: selectedText(m, storedOrgAGS)}, nil
}

// selectedText is a text column a query added to an entity's (empty when null).
func selectedText(m *ent.Member, column string) string {
	v, _ := m.Value(column)
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	return ""
}

// provision creates the member of a directory identity on first login and refreshes name,
// mail, title, roles and organisation on later ones. Members are matched on the directory's
// stable entry id, never on e-mail. Directory groups are the source of platform roles.
func (s *Service) provision(ctx context.Context, dirID string, id *directory.Identity) (*ent.Member, error) {
	existing, err := s.findMember(ctx, dirID, id.EntryID)
	if err != nil {
		return nil, err
	}
	return s.provisionAs(ctx, dirID, id, existing)
}

// provisionAs provisions the identity whose member as stored is existing (nil: none yet).
func (s *Service) provisionAs(ctx context.Context, dirID string, id *directory.Identity, existing *storedMember) (*ent.Member, error) {
	id = cleanIdentity(id)
	sys := policy.System(ctx)
	db := clientFor(ctx, s.client)
	orgID, err := s.organisationOf(ctx, existing, id.OrganisationAGS)
	if err != nil {
		return nil, err
	}
	switch {
	case existing == nil:
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
	case existing.Status != member.StatusACTIVE:
		return nil, ErrUnauthenticated
	}
	if unchanged(existing, id, orgID) { // the usual case: no write, no re-indexing
		return existing.Member, nil
	}
	update := db.Member.UpdateOne(existing.Member).
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

// organisationOf finds the organisation with the official key; empty when there is none. The
// member's own organisation is used without a query when it has that key (the usual case).
func (s *Service) organisationOf(ctx context.Context, existing *storedMember, ags string) (gid.ID, error) {
	if ags == "" {
		return "", nil
	}
	if existing != nil && existing.orgID != "" && existing.orgAGS == ags {
		return existing.orgID, nil
	}
	orgID, err := clientFor(ctx, s.client).Organisation.Query().Where(organisation.Ags(ags)).OnlyID(policy.System(ctx))
	if err != nil && !ent.IsNotFound(err) {
		return "", fmt.Errorf("finding organisation: %w", err)
	}
	return orgID, nil
}

// unchanged tells whether a member already has what the directory says of them.
func unchanged(m *storedMember, id *directory.Identity, orgID gid.ID) bool {
	return m.DisplayName == id.DisplayName && strings.EqualFold(m.Email, id.Mail) && m.JobTitle == id.Title &&
		string(m.CommunityRole) == id.CommunityRole && string(m.PlatformRole) == id.PlatformRole &&
		(orgID == "" || m.orgID == orgID)
}

// Revalidate asks each directory whether its members with live sessions may still log in,
// and ends the sessions of those who are gone, disabled or no longer in an allowed group. It
// runs periodically. The directories are asked at once, each on its own: every member's lookup
// has the directory's own deadline, and a directory that is unavailable (down, or stuck) is
// skipped until the next run without holding up the others.
func (s *Service) Revalidate(ctx context.Context) (ended int, err error) {
	return s.eachDirectory(ctx, []predicate.Member{member.HasSessionsWith(liveSession(s.now()))},
		func(dirID string, ms []*ent.Member) (int, error) { return s.revalidateDirectory(ctx, dirID, ms) })
}

// eachDirectory lists the directory members matching where, groups them by their configured
// directory and runs f for each directory at once; it adds up f's counts and joins its errors.
func (s *Service) eachDirectory(ctx context.Context, where []predicate.Member, f func(dirID string, members []*ent.Member) (int, error)) (int, error) {
	members, err := s.client.Member.Query().
		Where(append(where, member.DirectoryIDNotNil())...).
		All(policy.System(ctx))
	if err != nil {
		return 0, fmt.Errorf("listing directory members: %w", err)
	}
	byDirectory := map[string][]*ent.Member{}
	for _, m := range members {
		if s.directories[*m.DirectoryID] != nil {
			byDirectory[*m.DirectoryID] = append(byDirectory[*m.DirectoryID], m)
		}
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
		errs  []error
	)
	for dirID, ms := range byDirectory {
		wg.Go(func() {
			n, err := f(dirID, ms)
			mu.Lock()
			defer mu.Unlock()
			total += n
			errs = append(errs, err)
		})
	}
	wg.Wait()
	return total, errors.Join(errs...)
}

// revalidateDirectory checks one directory's members with live sessions.
func (s *Service) revalidateDirectory(ctx context.Context, dirID string, members []*ent.Member) (ended int, err error) {
	byEntry := make(map[string]*ent.Member, len(members))
	ids := make([]string, 0, len(members))
	for _, m := range members {
		byEntry[*m.DirectoryEntryID] = m
		ids = append(ids, *m.DirectoryEntryID)
	}
	err = s.directories[dirID].LookupEach(ctx, ids, func(entryID string, id *directory.Identity, err error) error {
		switch {
		case errors.Is(err, directory.ErrRejected):
			n, err := s.sessions.revokeMember(ctx, byEntry[entryID].ID, "directory no longer allows login")
			ended += n
			return err
		case err != nil:
			return err
		default:
			_, err := s.provision(ctx, dirID, id)
			return err
		}
	})
	if errors.Is(err, directory.ErrUnavailable) {
		s.logger.WarnContext(ctx, "revalidation skipped a directory", "directory", dirID, "err", err)
		return ended, nil
	}
	return ended, err
}
