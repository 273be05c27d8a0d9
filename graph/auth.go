package graph

import (
	"context"

	"zirkel/ent"
	"zirkel/graph/model"
	"zirkel/server/apperr"
	"zirkel/server/auth"
	"zirkel/server/viewer"
)

// requireViewer returns the logged-in viewer or an UNAUTHENTICATED error.
func requireViewer(ctx context.Context) (*viewer.Viewer, error) {
	if v := viewer.FromContext(ctx); v != nil {
		return v, nil
	}
	return nil, &apperr.Error{Code: apperr.CodeUnauthenticated, Message: "login required"}
}

func loginPayload(l *auth.Login) *model.LoginPayload {
	p := &model.LoginPayload{Member: l.Member, CsrfToken: l.CSRFToken, ExpiresAt: l.ExpiresAt}
	if l.Token != "" {
		p.Token = &l.Token
	}
	return p
}

// vendorLabel names the organisation of a vendor's message, so that readers see who speaks.
// Live events and pages of messages (see Prefetch) come with authors and organisations.
func vendorLabel(ctx context.Context, m *ent.Message) (*string, error) {
	if author := m.Edges.Author; author != nil && (author.Edges.Organisation != nil || author.CommunityRole != "VENDOR") {
		return labelOf(author), nil
	}
	author, err := m.QueryAuthor().WithOrganisation().Only(ctx)
	if err != nil {
		return nil, err
	}
	return labelOf(author), nil
}

// labelOf is the label of an author with their organisation loaded: nil unless a vendor.
func labelOf(author *ent.Member) *string {
	if author == nil || author.CommunityRole != "VENDOR" {
		return nil
	}
	label := "Anbieter"
	if org := author.Edges.Organisation; org != nil {
		label = org.Name
	}
	return &label
}

// deref is *p, or the fallback (or the zero value) when p is nil.
func deref[T any](p *T, fallback ...T) T {
	if p != nil {
		return *p
	}
	var zero T
	if len(fallback) > 0 {
		return fallback[0]
	}
	return zero
}
