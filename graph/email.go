package graph

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/member"
	"zirkel/graph/model"
	"zirkel/server/apperr"
	"zirkel/server/mail"
)

// emailSettings reads the viewer's e-mail language and preferences.
func emailSettings(ctx context.Context, c *ent.Client) (*model.EmailSettings, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nil, err
	}
	m, err := c.Member.Get(ctx, v.MemberID)
	if err != nil {
		return nil, err
	}
	prefs, err := mail.Preferences(ctx, c, v.MemberID)
	if err != nil {
		return nil, err
	}
	out := &model.EmailSettings{Language: model.EmailLanguage(m.Language)}
	for _, p := range prefs {
		out.Preferences = append(out.Preferences, &model.EmailKindPreference{Kind: model.EmailKind(p.Kind), Delivery: model.EmailDelivery(p.Delivery)})
	}
	return out, nil
}

// setEmailSettings changes the viewer's e-mail language and the preferences given; the
// policies of Member and EmailPreference decide whose.
func setEmailSettings(ctx context.Context, c *ent.Client, language *model.EmailLanguage, prefs []*model.EmailPreferenceInput) (*model.EmailSettings, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[model.EmailKind]bool{}
	for _, p := range prefs {
		if seen[p.Kind] {
			return nil, apperr.Invalid("preferences", "each kind may be given only once")
		}
		seen[p.Kind] = true
	}
	if language != nil {
		if err := c.Member.UpdateOneID(v.MemberID).SetLanguage(member.Language(*language)).Exec(ctx); err != nil {
			return nil, err
		}
	}
	for _, p := range prefs {
		if err := mail.SetPreference(ctx, c, v.MemberID, string(p.Kind), string(p.Delivery)); err != nil {
			return nil, err
		}
	}
	return emailSettings(ctx, c)
}
