package notify

import (
	"context"
	"strings"

	"zirkel/ent"
	"zirkel/ent/follow"
	"zirkel/ent/member"
	"zirkel/ent/schema/gid"
	"zirkel/server/apperr"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// targetTypes maps an id's prefix onto the follow target type.
var targetTypes = map[string]follow.TargetType{
	"top": follow.TargetTypeTOPIC, "cir": follow.TargetTypeCIRCLE, "dis": follow.TargetTypeDISCUSSION,
	"mem": follow.TargetTypeMEMBER, "org": follow.TargetTypeORGANISATION,
}

// TargetOf is the follow target type of an id; field names the input in the error.
func TargetOf(id gid.ID, field string) (follow.TargetType, error) {
	prefix, _, _ := strings.Cut(string(id), "_")
	t, ok := targetTypes[prefix]
	if _, err := gid.Parse(string(id)); err != nil || !ok {
		return "", apperr.Invalid(field, "give a topic, circle, discussion, member or organisation")
	}
	return t, nil
}

// readableTarget checks that the viewer of ctx may read what the id names.
func readableTarget(ctx context.Context, c *ent.Client, id gid.ID, field string) error {
	t, err := TargetOf(id, field)
	if err != nil {
		return err
	}
	seen, err := policy.Readable(ctx, c, policy.FollowTargets[t], []gid.ID{id})
	if err != nil {
		return err
	}
	if !seen[id] {
		return apperr.NotFound(field)
	}
	return nil
}

// FollowerCount is how many members follow what the id names, which the viewer must be able
// to read. Who they are is not revealed (see FollowRows): the count is taken by the system.
func FollowerCount(ctx context.Context, c *ent.Client, id gid.ID) (int, error) {
	if err := readableTarget(ctx, c, id, "id"); err != nil {
		return 0, err
	}
	return c.Follow.Query().Where(follow.TargetID(id)).Count(policy.System(ctx))
}

// Follow makes the viewer follow what the id names (again: nothing changes).
func Follow(ctx context.Context, c *ent.Client, id gid.ID) (*ent.Follow, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, errLogin
	}
	t, err := TargetOf(id, "id")
	if err != nil {
		return nil, err
	}
	if f, err := mine(ctx, c, v, id); err == nil {
		return f, nil
	} else if !ent.IsNotFound(err) {
		return nil, err
	}
	if err := readableTarget(ctx, c, id, "id"); err != nil {
		return nil, err
	}
	return c.Follow.Create().SetMemberID(v.MemberID).SetTargetType(t).SetTargetID(id).Save(ctx)
}

// Unfollow ends the viewer's follow of what the id names; false if there was none.
func Unfollow(ctx context.Context, c *ent.Client, id gid.ID) (bool, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return false, errLogin
	}
	f, err := mine(ctx, c, v, id)
	if ent.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, c.Follow.DeleteOne(f).Exec(ctx)
}

// Mute mutes or unmutes the viewer's follow of what the id names (following it first).
func Mute(ctx context.Context, c *ent.Client, id gid.ID, muted bool) (*ent.Follow, error) {
	f, err := Follow(ctx, c, id)
	if err != nil {
		return nil, err
	}
	return f.Update().SetMuted(muted).Save(ctx)
}

func mine(ctx context.Context, c *ent.Client, v *viewer.Viewer, id gid.ID) (*ent.Follow, error) {
	return c.Follow.Query().Where(follow.TargetID(id), follow.HasMemberWith(member.ID(v.MemberID))).Only(ctx)
}

// errLogin refuses anonymous requests.
var errLogin = &apperr.Error{Code: apperr.CodeUnauthenticated, Message: "login required"}
