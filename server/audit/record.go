package audit

import (
	"context"
	"fmt"
	"strings"

	"zirkel/ent"
	"zirkel/ent/authorshipinvitation"
	"zirkel/ent/circlejoinrequest"
	"zirkel/ent/circlemembership"
	"zirkel/ent/member"
	"zirkel/ent/practice"
	"zirkel/ent/schema/gid"
	"zirkel/ent/session"
	"zirkel/server/events"
)

// Record is the audit log's consumer of the event pipeline (InTx: the entries are written in
// the transaction of the changes they record). It records
//   - every change whose writer named an action (events.WithAction: moderation, privacy, ...),
//     with the writer's reason, under that action and nothing else;
//   - members' role, status and organisation changes ("member.role", "member.status",
//     "member.organisation"), members created by someone ("member.create"), and other changes
//     of a member's profile by someone other than the member ("member.update");
//   - circle memberships added, re-roled and removed ("circle.membership.add", ".role",
//     ".remove");
//   - decisions on requests to join circles ("circle.joinrequest.accept" or ".decline", with
//     the decider's reason);
//   - co-author invitations and their outcome ("authorship.invitation", and
//     "authorship.invitation.accept", ".decline", ".withdraw");
//   - sessions ended by someone other than their member: an admin, the directory check, the
//     system ("session.revoke", with the revocation's reason); a member's own logouts are not
//     recorded;
//   - circles and organisations created, changed or deleted by someone ("circle.create", ...).
func Record(ctx context.Context, tx *ent.Client, changes []events.Change) error {
	ctx = trusted(ctx)
	var entries []Entry
	for _, c := range changes {
		if isAuditType(c.Type) {
			continue
		}
		es, err := entriesFor(ctx, tx, c)
		if err != nil {
			return fmt.Errorf("auditing %s %s: %w", c.Op, c.Type, err)
		}
		entries = append(entries, es...)
	}
	if len(entries) == 0 {
		return nil
	}
	if err := fillOrganisations(ctx, tx, entries); err != nil {
		return err
	}
	return Append(ctx, tx, entries...)
}

// entriesFor maps one change onto its entries (none for changes the log does not keep).
func entriesFor(ctx context.Context, tx *ent.Client, c events.Change) ([]Entry, error) {
	base := Entry{Actor: c.Actor, TargetType: c.Type, TargetID: c.ID, Subject: c.Refs["member"], Circle: c.Refs["circle"]}
	switch c.Type {
	case "Member":
		base.Subject = c.ID
	case "Circle":
		base.Circle = c.ID
	case "Organisation":
		base.Organisation = c.ID
	}
	with := func(action, reason string) []Entry {
		e := base
		e.Action, e.Reason = action, reason
		return []Entry{e}
	}
	if c.Action != "" {
		return with(c.Action, c.Reason), nil
	}
	switch c.Type {
	case "Member":
		return memberEntries(base, c), nil
	case "CircleMembership":
		return membershipEntries(ctx, tx, base, c)
	case "CircleJoinRequest":
		if c.Op != events.Updated || !c.Has(circlejoinrequest.FieldStatus) {
			return nil, nil
		}
		r, err := tx.CircleJoinRequest.Query().Where(circlejoinrequest.ID(c.ID)).WithMember().WithCircle().Only(ctx)
		if err != nil || r.Status == circlejoinrequest.StatusPENDING {
			return nil, err
		}
		base.Subject, base.Circle = r.Edges.Member.ID, r.Edges.Circle.ID
		return with("circle.joinrequest."+decision(r.Status.String()), r.Reason), nil
	case "AuthorshipInvitation":
		return invitationEntries(ctx, tx, base, c)
	case "Session":
		return sessionEntries(ctx, tx, base, c)
	case "Circle", "Organisation":
		if c.Actor == "" { // seeding and provisioning, not an admin's action
			return nil, nil
		}
		return with(lower(c.Type)+"."+string(c.Op), ""), nil
	}
	return nil, nil
}

// memberEntries: role, status and organisation changes; members created by someone; other
// profile changes by someone else.
func memberEntries(base Entry, c events.Change) []Entry {
	var out []Entry
	add := func(action string) {
		e := base
		e.Action = action
		out = append(out, e)
	}
	switch c.Op {
	case events.Created:
		if c.Actor != "" {
			add("member.create")
		}
		return out
	case events.Deleted:
		add("member.delete")
		return out
	}
	if c.Has(member.FieldPlatformRole) {
		add(ActionMemberRole)
	}
	if c.Has(member.FieldStatus) {
		add(ActionMemberStatus)
	}
	if c.Has(member.EdgeOrganisation) {
		add(ActionMemberOrganisation)
	}
	if len(out) == 0 && c.Actor != "" && c.Actor != c.ID && profileChanged(c) {
		add("member.update")
	}
	return out
}

// profileChanged tells whether a member's change touches more than login bookkeeping.
func profileChanged(c events.Change) bool {
	for _, f := range append(append([]string(nil), c.Fields...), c.Edges...) {
		switch f {
		case member.FieldUpdatedAt, member.FieldLastLoginAt:
		default:
			return true
		}
	}
	return false
}

// membershipEntries: memberships added, re-roled and removed.
func membershipEntries(ctx context.Context, tx *ent.Client, base Entry, c events.Change) ([]Entry, error) {
	switch c.Op {
	case events.Created:
		base.Action = ActionMembershipAdd
	case events.Deleted:
		base.Action = ActionMembershipRemove
	default:
		if !c.Has(circlemembership.FieldRole) {
			return nil, nil
		}
		m, err := tx.CircleMembership.Query().Where(circlemembership.ID(c.ID)).WithMember().WithCircle().Only(ctx)
		if err != nil {
			return nil, err
		}
		base.Action, base.Subject, base.Circle = ActionMembershipRole, m.Edges.Member.ID, m.Edges.Circle.ID
	}
	return []Entry{base}, nil
}

// invitationEntries: co-author invitations sent, and their outcome.
func invitationEntries(ctx context.Context, tx *ent.Client, base Entry, c events.Change) ([]Entry, error) {
	if c.Op == events.Deleted || c.Op == events.Updated && !c.Has(authorshipinvitation.FieldStatus) {
		return nil, nil
	}
	inv, err := tx.AuthorshipInvitation.Query().Where(authorshipinvitation.ID(c.ID)).
		WithInvitee().WithPractice().Only(ctx)
	if err != nil {
		return nil, err
	}
	base.Subject = inv.Edges.Invitee.ID
	base.Action = ActionAuthorshipInvite
	if c.Op == events.Updated {
		if inv.Status == authorshipinvitation.StatusPENDING {
			return nil, nil
		}
		base.Action += "." + decision(inv.Status.String())
	}
	return []Entry{base}, nil
}

// sessionEntries: sessions ended by someone other than their member.
func sessionEntries(ctx context.Context, tx *ent.Client, base Entry, c events.Change) ([]Entry, error) {
	base.Action = ActionSessionRevoke
	switch {
	case c.Op == events.Deleted:
		if base.Subject == c.Actor {
			return nil, nil
		}
		return []Entry{base}, nil
	case c.Op != events.Updated || !c.Has(session.FieldRevokedAt):
		return nil, nil
	}
	s, err := tx.Session.Query().Where(session.ID(c.ID)).WithMember().Only(ctx)
	if err != nil {
		return nil, err
	}
	base.Subject, base.Reason = s.Edges.Member.ID, s.RevokedReason
	if base.Subject == c.Actor { // the member's own logout
		return nil, nil
	}
	return []Entry{base}, nil
}

// fillOrganisations sets each entry's organisation where it is not set: the organisation of
// the member it is about, else of the practice it targets, else of the actor.
func fillOrganisations(ctx context.Context, tx *ent.Client, entries []Entry) error {
	var members, practices []gid.ID
	for _, e := range entries {
		if e.Organisation != "" {
			continue
		}
		members = append(members, e.Subject, e.Actor)
		if e.TargetType == "Practice" {
			practices = append(practices, e.TargetID)
		}
	}
	orgs := map[gid.ID]gid.ID{}
	if len(members) > 0 {
		ms, err := tx.Member.Query().Where(member.IDIn(members...)).
			WithOrganisation(func(q *ent.OrganisationQuery) { q.Select("id") }).All(ctx)
		if err != nil {
			return fmt.Errorf("reading members' organisations: %w", err)
		}
		for _, m := range ms {
			if m.Edges.Organisation != nil {
				orgs[m.ID] = m.Edges.Organisation.ID
			}
		}
	}
	if len(practices) > 0 {
		ps, err := tx.Practice.Query().Where(practice.IDIn(practices...)).
			WithOrganisation(func(q *ent.OrganisationQuery) { q.Select("id") }).All(ctx)
		if err != nil {
			return fmt.Errorf("reading practices' organisations: %w", err)
		}
		for _, p := range ps {
			if p.Edges.Organisation != nil {
				orgs[p.ID] = p.Edges.Organisation.ID
			}
		}
	}
	for i, e := range entries {
		if e.Organisation != "" {
			continue
		}
		for _, id := range []gid.ID{e.Subject, e.TargetID, e.Actor} {
			if org := orgs[id]; id != "" && org != "" {
				entries[i].Organisation = org
				break
			}
		}
	}
	return nil
}

func lower(s string) string { return strings.ToLower(s) }

// decision names a decided status as a verb: ACCEPTED accept, DECLINED decline, WITHDRAWN
// withdraw.
func decision(status string) string {
	switch status {
	case "ACCEPTED":
		return "accept"
	case "DECLINED":
		return "decline"
	case "WITHDRAWN":
		return "withdraw"
	}
	return lower(status)
}
