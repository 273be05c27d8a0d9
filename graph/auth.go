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
func vendorLabel(ctx context.Context, m *ent.Message) (*string, error) {
	author := m.Edges.Author
	if author == nil {
		var err error
		if author, err = m.QueryAuthor().Only(ctx); err != nil {
			return nil, err
		}
	}
	if author.CommunityRole != "VENDOR" {
		return nil, nil
	}
	org := author.Edges.Organisation // loaded for live events
	var err error
	if org == nil {
		org, err = author.QueryOrganisation().Only(ctx)
	}
	if ent.IsNotFound(err) {
		label := "Anbieter"
		return &label, nil
	}
	if err != nil {
		return nil, err
	}
	return &org.Name, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
