package mail

import (
	"context"
	"fmt"

	"zirkel/ent"
	"zirkel/ent/emailpreference"
	"zirkel/ent/schema/gid"
	"zirkel/ent/schema/mailkind"
)

// Setting is the delivery of one kind of mail.
type Setting struct {
	Kind     string
	Delivery string
}

// Preferences returns a member's delivery of every kind, in the order of mailkind.Kinds, with
// the defaults for kinds never set. It reads with ctx's rights: a viewer reads only their own.
func Preferences(ctx context.Context, c *ent.Client, member gid.ID) ([]Setting, error) {
	rows, err := c.EmailPreference.Query().Where(emailpreference.MemberID(member)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading e-mail preferences: %w", err)
	}
	set := map[string]string{}
	for _, r := range rows {
		set[string(r.Kind)] = string(r.Delivery)
	}
	out := make([]Setting, len(mailkind.Kinds))
	for i, k := range mailkind.Kinds {
		d, ok := set[k]
		if !ok {
			d = mailkind.Default(k)
		}
		out[i] = Setting{Kind: k, Delivery: d}
	}
	return out, nil
}

// SetPreference stores a member's delivery of a kind, with ctx's rights (the member, or an
// unsubscribe grant that may only turn kinds off).
func SetPreference(ctx context.Context, c *ent.Client, member gid.ID, kind, delivery string) error {
	err := c.EmailPreference.Create().SetMemberID(member).SetKind(emailpreference.Kind(kind)).
		SetDelivery(emailpreference.Delivery(delivery)).
		OnConflictColumns(emailpreference.FieldMemberID, emailpreference.FieldKind).
		UpdateDelivery().UpdateUpdatedAt().Exec(ctx)
	if err != nil {
		return fmt.Errorf("setting an e-mail preference: %w", err)
	}
	return nil
}
