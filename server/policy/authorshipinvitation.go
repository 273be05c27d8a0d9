package policy

import (
	"context"
	"slices"

	"zirkel/ent"
	"zirkel/ent/authorshipinvitation"
	"zirkel/ent/hook"
	"zirkel/ent/member"
	"zirkel/ent/organisation"
	"zirkel/ent/practice"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/ent/schema/gid"
	"zirkel/server/apperr"
	"zirkel/server/viewer"
)

// Authorship and consent. A practice's authors are the members who agreed to be named: the
// viewer who writes it, and co-authors once they accept an invitation. Naming anyone else on a
// practice creates an AuthorshipInvitation instead of an author; rights that come from
// authorship (reading and editing a draft) therefore belong to confirmed authors only. A
// practice speaks for its organisation, so the organisation must be one of its authors'
// (admins excepted).

// isSystem tells whether ctx is trusted server code (see System).
func isSystem(ctx context.Context) bool {
	d, ok := privacy.DecisionFromContext(ctx)
	return ok && d == nil
}

// InviteCoAuthors turns the members a viewer names as authors of a practice, other than the
// viewer, into invitations: the practice keeps only the viewer as a new author, and after it is
// written each other named member gets a PENDING invitation (unless they are an author or
// invited already). Trusted server code (System: demo data, acceptances) adds authors directly.
func InviteCoAuthors(next ent.Mutator) ent.Mutator {
	return hook.PracticeFunc(func(ctx context.Context, m *ent.PracticeMutation) (ent.Value, error) {
		v := viewerOf(ctx)
		named := m.AuthorsIDs()
		if v == nil || isSystem(ctx) || len(named) == 0 || !(m.Op().Is(ent.OpCreate) || m.Op().Is(ent.OpUpdateOne)) {
			return next.Mutate(ctx, m)
		}
		invitees := keepOnlyViewer(m, v.MemberID, named)
		if err := refuseVendors(ctx, m, invitees); err != nil {
			return nil, err
		}
		value, err := next.Mutate(ctx, m)
		if err != nil || len(invitees) == 0 {
			return value, err
		}
		p, ok := value.(*ent.Practice)
		if !ok {
			return value, nil
		}
		return value, invite(ctx, m.Client(), p.ID, v.MemberID, invitees)
	})
}

// keepOnlyViewer leaves the viewer as the only author the mutation adds and returns the other
// named members; removals stay as they were.
func keepOnlyViewer(m *ent.PracticeMutation, self gid.ID, named []gid.ID) []gid.ID {
	removed, cleared := m.RemovedAuthorsIDs(), m.AuthorsCleared()
	m.ResetAuthors()
	if cleared {
		m.ClearAuthors()
	}
	m.RemoveAuthorIDs(removed...)
	var others []gid.ID
	for _, id := range named {
		switch {
		case id == self:
			m.AddAuthorIDs(self)
		case !slices.Contains(others, id):
			others = append(others, id)
		}
	}
	return others
}

// refuseVendors refuses naming vendors as co-authors: vendors write no practices ("no sales
// show"), and a vendor author would let a practice speak for a vendor's organisation.
func refuseVendors(ctx context.Context, m *ent.PracticeMutation, invitees []gid.ID) error {
	if len(invitees) == 0 {
		return nil
	}
	vendors, err := m.Client().Member.Query().
		Where(member.IDIn(invitees...), member.CommunityRoleEQ(member.CommunityRoleVENDOR)).Exist(System(ctx))
	switch {
	case err != nil:
		return err
	case !vendors:
		return nil
	case m.Op().Is(ent.OpCreate):
		return apperr.Invalid("authorIDs", "vendors cannot be authors of practices")
	}
	return apperr.Invalid("addAuthorIDs", "vendors cannot be authors of practices")
}

// invite creates PENDING invitations to a practice, as the viewer, for the members who are
// neither its authors nor invited already.
func invite(ctx context.Context, c *ent.Client, practiceID, inviter gid.ID, invitees []gid.ID) error {
	sys := System(ctx)
	authors, err := c.Practice.Query().Where(practice.ID(practiceID)).QueryAuthors().IDs(sys)
	if err != nil {
		return err
	}
	pending, err := c.AuthorshipInvitation.Query().Where(
		authorshipinvitation.HasPracticeWith(practice.ID(practiceID)),
		authorshipinvitation.StatusEQ(authorshipinvitation.StatusPENDING),
	).QueryInvitee().IDs(sys)
	if err != nil {
		return err
	}
	for _, id := range invitees {
		if slices.Contains(authors, id) || slices.Contains(pending, id) {
			continue
		}
		err := c.AuthorshipInvitation.Create().
			SetPracticeID(practiceID).SetInviteeID(id).SetInviterID(inviter).Exec(ctx)
		if ent.IsConstraintError(err) { // invited by another author at the same moment
			return apperr.Conflict("the member was invited at the same moment; try again")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// OrganisationOfAnAuthor refuses a practice whose organisation is not the organisation of one
// of its confirmed authors: on creation, when the organisation changes, and when authors are
// removed. Admins (and trusted server code) are excepted. It runs after InviteCoAuthors, so
// invited co-authors do not count until they accept.
func OrganisationOfAnAuthor(next ent.Mutator) ent.Mutator {
	return hook.PracticeFunc(func(ctx context.Context, m *ent.PracticeMutation) (ent.Value, error) {
		if v := viewerOf(ctx); v == nil || v.IsAdmin() || isSystem(ctx) {
			return next.Mutate(ctx, m)
		}
		if err := checkOrganisationOfAnAuthor(ctx, m); err != nil {
			return nil, err
		}
		return next.Mutate(ctx, m)
	})
}

func checkOrganisationOfAnAuthor(ctx context.Context, m *ent.PracticeMutation) error {
	orgID, setsOrg := m.OrganisationID()
	removes := m.AuthorsCleared() || len(m.RemovedAuthorsIDs()) > 0
	authors := m.AuthorsIDs()
	switch {
	case m.Op().Is(ent.OpCreate) && setsOrg:
	case m.Op().Is(ent.OpUpdateOne) && (setsOrg || removes):
		id, _ := m.ID()
		old, err := m.Client().Practice.Query().Where(practice.ID(id)).
			WithOrganisation().WithAuthors().Only(System(ctx))
		if err != nil {
			return err
		}
		if !setsOrg {
			orgID = old.Edges.Organisation.ID
		}
		for _, a := range old.Edges.Authors {
			if !m.AuthorsCleared() && !slices.Contains(m.RemovedAuthorsIDs(), a.ID) {
				authors = append(authors, a.ID)
			}
		}
	default:
		return nil
	}
	ok, err := m.Client().Member.Query().
		Where(member.IDIn(authors...), member.CommunityRoleNEQ(member.CommunityRoleVENDOR),
			member.HasOrganisationWith(organisation.ID(orgID))).Exist(System(ctx))
	switch {
	case err != nil:
		return err
	case ok:
		return nil
	case setsOrg:
		return apperr.Invalid("organisationID", "must be the organisation of one of the practice's authors (a practice speaks for its authors' organisation)")
	case m.AuthorsCleared():
		return apperr.Invalid("clearAuthors", "would leave the practice without an author from its organisation")
	}
	return apperr.Invalid("removeAuthorIDs", "would leave the practice without an author from its organisation")
}

// InvitationVisible matches the invitations a viewer may read: those they received or sent,
// and those to practices they are a confirmed author of.
func InvitationVisible(v *viewer.Viewer) predicate.AuthorshipInvitation {
	if v == nil {
		return authorshipinvitation.IDIn()
	}
	me := member.ID(v.MemberID)
	return authorshipinvitation.Or(
		authorshipinvitation.HasInviteeWith(me),
		authorshipinvitation.HasInviterWith(me),
		authorshipinvitation.HasPracticeWith(practice.HasAuthorsWith(me)),
	)
}

// AuthorshipInvitation: see InvitationVisible. A practice's authors (and admins) invite, as
// themselves; only the invitee accepts or declines (nobody, admins included, consents for
// them); the inviter, the practice's authors and admins withdraw. Invitations are never deleted.
func AuthorshipInvitation() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{queryRows[*ent.AuthorshipInvitationQuery](InvitationVisible)},
		Mutation: privacy.MutationPolicy{denyAnonymous, privacy.AuthorshipInvitationMutationRuleFunc(invitationMutation)},
	}
}

func invitationMutation(ctx context.Context, m *ent.AuthorshipInvitationMutation) error {
	v := viewerOf(ctx)
	if m.Op().Is(ent.OpCreate) {
		inviter, _ := m.InviterID()
		practiceID, _ := m.PracticeID()
		if inviter != v.MemberID {
			return privacy.Denyf("the inviter must be the viewer")
		}
		return allowAuthor(ctx, m.Client(), v, practiceID, "only the practice's authors invite co-authors")
	}
	id, ok := m.ID()
	if !ok || !m.Op().Is(ent.OpUpdateOne) {
		return privacy.Denyf("invitations are answered one at a time and never deleted")
	}
	inv, err := m.Client().AuthorshipInvitation.Query().Where(authorshipinvitation.ID(id)).
		WithInvitee().WithInviter().WithPractice().Only(System(ctx))
	if err != nil {
		return err
	}
	switch status, _ := m.Status(); status {
	case authorshipinvitation.StatusACCEPTED, authorshipinvitation.StatusDECLINED:
		if inv.Edges.Invitee.ID == v.MemberID {
			return privacy.Allow
		}
		return privacy.Denyf("only the invited member accepts or declines an invitation")
	case authorshipinvitation.StatusWITHDRAWN:
		if inv.Edges.Inviter.ID == v.MemberID {
			return privacy.Allow
		}
		return allowAuthor(ctx, m.Client(), v, inv.Edges.Practice.ID, "only the practice's authors withdraw an invitation")
	}
	return privacy.Denyf("an invitation is only accepted, declined or withdrawn")
}

// allowAuthor allows admins and the practice's confirmed authors, and denies everyone else.
func allowAuthor(ctx context.Context, c *ent.Client, v *viewer.Viewer, practiceID gid.ID, reason string) error {
	if v.IsAdmin() {
		return privacy.Allow
	}
	author, err := c.Practice.Query().
		Where(practice.ID(practiceID), practice.HasAuthorsWith(member.ID(v.MemberID))).Exist(System(ctx))
	if err != nil {
		return err
	}
	if author {
		return privacy.Allow
	}
	return privacy.Denyf("%s", reason)
}

// DecideInvitation records who answered an invitation and when (for the notifications to
// come), refuses answering one that is no longer open (CONFLICT), and makes the invitee an
// author when they accept.
func DecideInvitation(next ent.Mutator) ent.Mutator {
	return hook.AuthorshipInvitationFunc(func(ctx context.Context, m *ent.AuthorshipInvitationMutation) (ent.Value, error) {
		status, sets := m.Status()
		return decide(ctx, next, m, sets, status == authorshipinvitation.StatusACCEPTED, func(id gid.ID) (request, error) {
			old, err := m.Client().AuthorshipInvitation.Query().Where(authorshipinvitation.ID(id)).
				WithPractice().WithInvitee().Only(System(ctx))
			if err != nil {
				return request{}, err
			}
			return request{what: "invitation", status: string(old.Status), pending: old.Status == authorshipinvitation.StatusPENDING,
				accept: func() error { return addAuthor(ctx, m.Client(), old.Edges.Practice.ID, old.Edges.Invitee.ID) }}, nil
		})
	})
}

// addAuthor makes a member a confirmed author of a practice (as trusted code: the consent was
// just given), unless they are one already.
func addAuthor(ctx context.Context, c *ent.Client, practiceID, memberID gid.ID) error {
	sys := System(ctx)
	already, err := c.Practice.Query().
		Where(practice.ID(practiceID), practice.HasAuthorsWith(member.ID(memberID))).Exist(sys)
	if err != nil || already {
		return err
	}
	return c.Practice.UpdateOneID(practiceID).AddAuthorIDs(memberID).Exec(sys)
}
