package notify

import (
	"context"
	sqlstd "database/sql"
	"fmt"
	"slices"
	"strings"

	"zirkel/ent"
	"zirkel/ent/circlemembership"
	"zirkel/ent/discussion"
	"zirkel/ent/event"
	"zirkel/ent/member"
	"zirkel/ent/message"
	"zirkel/ent/practice"
	"zirkel/ent/schema/gid"
	"zirkel/ent/survey"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// Visibility at delivery. Each recipient must be able to read the subject by the subject
// type's own rules (policy.Readable, the type's privacy query rule with the recipient as
// viewer). Asking once per recipient would cost a query each; instead recipients are grouped
// by what those rules can tell apart for this one subject — platform and community role,
// organisation, and their role in the subject's circle (their other circles do not matter) —
// and each group is asked once, as a viewer with just those traits. For 5,000 followers that
// is a handful of groups. Recipients whose own id matters (a practice's authors, and every
// recipient of a subject whose rules are personal, such as a registration) are asked one by
// one; there are few of them.

// circleBound are the subject types whose rules depend, beyond roles, only on membership of
// the subject's own circle.
var circleBound = map[string]bool{"Discussion": true, "Message": true, "Event": true, "Survey": true, "Practice": true}

// visibleTo returns the recipients (active members) who may read the subject.
func visibleTo(ctx context.Context, tx *ent.Client, subjectType string, subjectID gid.ID, recipients, linked []gid.ID) ([]gid.ID, error) {
	sys := policy.System(ctx)
	viewers, err := loadViewers(sys, tx, recipients)
	if err != nil {
		return nil, err
	}
	if !circleBound[subjectType] {
		return eachAlone(ctx, tx, subjectType, subjectID, recipients, viewers)
	}
	circleID, err := circleOf(sys, tx, subjectType, subjectID)
	if err != nil {
		return nil, err
	}
	classes := map[string][]gid.ID{}
	reps := map[string]*viewer.Viewer{}
	var alone []gid.ID
	for _, id := range recipients {
		v := viewers[id]
		if v == nil {
			continue // not an active member
		}
		if slices.Contains(linked, id) {
			alone = append(alone, id)
			continue
		}
		role, inCircle := v.Circles[circleID]
		key := strings.Join([]string{v.PlatformRole, v.CommunityRole, string(v.OrganisationID), fmt.Sprint(inCircle), role}, "|")
		if _, ok := reps[key]; !ok {
			rep := &viewer.Viewer{MemberID: "", OrganisationID: v.OrganisationID, CommunityRole: v.CommunityRole, PlatformRole: v.PlatformRole, Circles: map[gid.ID]string{}}
			if inCircle {
				rep.Circles[circleID] = role
			}
			reps[key] = rep
		}
		classes[key] = append(classes[key], id)
	}
	var out []gid.ID
	keys := make([]string, 0, len(classes))
	for k := range classes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		ok, err := readableAs(ctx, tx, reps[k], subjectType, subjectID)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, classes[k]...)
		}
	}
	more, err := eachAlone(ctx, tx, subjectType, subjectID, alone, viewers)
	if err != nil {
		return nil, err
	}
	return append(out, more...), nil
}

// eachAlone asks for each recipient with their whole viewer.
func eachAlone(ctx context.Context, tx *ent.Client, subjectType string, subjectID gid.ID, recipients []gid.ID, viewers map[gid.ID]*viewer.Viewer) ([]gid.ID, error) {
	var out []gid.ID
	for _, id := range recipients {
		v := viewers[id]
		if v == nil {
			continue
		}
		ok, err := readableAs(ctx, tx, v, subjectType, subjectID)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, id)
		}
	}
	return out, nil
}

// readableAs tells whether the viewer may read the subject, by its type's privacy rule.
func readableAs(ctx context.Context, tx *ent.Client, v *viewer.Viewer, subjectType string, subjectID gid.ID) (bool, error) {
	as, cancel := asViewer(ctx, v)
	defer cancel()
	seen, err := policy.Readable(as, tx, subjectType, []gid.ID{subjectID})
	return seen[subjectID], err
}

// asViewer is a context of the viewer alone, without the consumer's System decision, that
// ends with ctx.
func asViewer(ctx context.Context, v *viewer.Viewer) (context.Context, context.CancelFunc) {
	base, cancel := context.WithCancel(viewer.NewContext(context.Background(), v))
	stop := context.AfterFunc(ctx, cancel)
	return base, func() { stop(); cancel() }
}

// loadViewers builds the viewers of the active members among ids (roles, organisation,
// circles), two queries per thousand.
func loadViewers(ctx context.Context, tx *ent.Client, ids []gid.ID) (map[gid.ID]*viewer.Viewer, error) {
	out := make(map[gid.ID]*viewer.Viewer, len(ids))
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		var members []struct {
			ID            gid.ID    `sql:"id"`
			PlatformRole  string    `sql:"platform_role"`
			CommunityRole string    `sql:"community_role"`
			Org           sqlNullID `sql:"organisation_members"`
		}
		err := tx.Member.Query().Where(member.IDIn(part...), member.StatusEQ(member.StatusACTIVE)).
			Select(member.FieldID, member.FieldPlatformRole, member.FieldCommunityRole, member.OrganisationColumn).Scan(ctx, &members)
		if err != nil {
			return nil, fmt.Errorf("loading recipients: %w", err)
		}
		for _, m := range members {
			v := &viewer.Viewer{MemberID: m.ID, PlatformRole: m.PlatformRole, CommunityRole: m.CommunityRole, Circles: map[gid.ID]string{}}
			v.OrganisationID = gid.ID(m.Org.String)
			out[m.ID] = v
		}
		var ms []struct {
			Member gid.ID `sql:"member_circle_memberships"`
			Circle gid.ID `sql:"circle_memberships"`
			Role   string `sql:"role"`
		}
		err = tx.CircleMembership.Query().Where(circlemembership.HasMemberWith(member.IDIn(part...))).
			Select(circlemembership.MemberColumn, circlemembership.CircleColumn, circlemembership.FieldRole).Scan(ctx, &ms)
		if err != nil {
			return nil, fmt.Errorf("loading recipients' circles: %w", err)
		}
		for _, m := range ms {
			if v := out[m.Member]; v != nil {
				v.Circles[m.Circle] = m.Role
			}
		}
	}
	return out, nil
}

// circleOf is the circle of a circle-bound subject, or "".
func circleOf(ctx context.Context, tx *ent.Client, subjectType string, id gid.ID) (gid.ID, error) {
	var ids []gid.ID
	var err error
	switch subjectType {
	case "Discussion":
		ids, err = tx.Discussion.Query().Where(discussion.ID(id)).QueryCircle().IDs(ctx)
	case "Message":
		ids, err = tx.Message.Query().Where(message.ID(id)).QueryDiscussion().QueryCircle().IDs(ctx)
	case "Event":
		ids, err = tx.Event.Query().Where(event.ID(id)).QueryCircle().IDs(ctx)
	case "Survey":
		ids, err = tx.Survey.Query().Where(survey.ID(id)).QueryCircle().IDs(ctx)
	case "Practice":
		ids, err = tx.Practice.Query().Where(practice.ID(id)).QueryCircle().IDs(ctx)
	}
	if err != nil || len(ids) == 0 {
		return "", err
	}
	return ids[0], nil
}

// sqlNullID is a nullable id column.
type sqlNullID = sqlstd.NullString
