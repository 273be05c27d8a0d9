package integrity

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/hook"
	"zirkel/ent/organisation"
	"zirkel/ent/schema/gid"
	"zirkel/server/apperr"
)

// Organisation is the integrity of organisations, declared in ent/schema/organisation.go: the
// state follows from the official municipality key, and no organisation is its own ancestor.
func Organisation() []ent.Hook { return []ent.Hook{organisationState, organisationParent} }

// States are the 16 Länder by their ISO 3166-2 code, in the order of their AGS state number.
var States = []string{"SH", "HH", "NI", "HB", "NW", "HE", "RP", "BW", "BY", "SL", "BE", "BB", "MV", "SN", "ST", "TH"}

// organisationState derives the state from the official key and refuses a contradicting one.
func organisationState(next ent.Mutator) ent.Mutator {
	return hook.OrganisationFunc(func(ctx context.Context, m *ent.OrganisationMutation) (ent.Value, error) {
		ags, ok := m.Ags()
		if !ok {
			return next.Mutate(ctx, m)
		}
		derived := StateOfAGS(ags)
		if given, set := m.State(); set && given != derived && derived != "" {
			return nil, apperr.Invalid("state", "does not match the state of the ags")
		}
		if derived != "" {
			m.SetState(derived)
		}
		return next.Mutate(ctx, m)
	})
}

// StateOfAGS returns the state of an official municipality key, or "" if it names none.
func StateOfAGS(ags string) organisation.State {
	if len(ags) < 2 {
		return ""
	}
	n := int(ags[0]-'0')*10 + int(ags[1]-'0')
	if n < 1 || n > len(States) {
		return ""
	}
	return organisation.State(States[n-1])
}

// organisationParent refuses an organisation that is its own ancestor.
func organisationParent(next ent.Mutator) ent.Mutator {
	return hook.OrganisationFunc(func(ctx context.Context, m *ent.OrganisationMutation) (ent.Value, error) {
		err := noCycle(ctx, m, func(ctx context.Context, at gid.ID) (gid.ID, error) {
			return m.Client().Organisation.Query().Where(organisation.HasChildrenWith(organisation.ID(at))).OnlyID(ctx)
		})
		if err != nil {
			return nil, err
		}
		return next.Mutate(ctx, m)
	})
}
