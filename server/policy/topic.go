package policy

import (
	"zirkel/ent"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/server/viewer"
)

// TopicRows: everyone reads topics.
func TopicRows(v *viewer.Viewer) predicate.Topic { return everyone[predicate.Topic](v) }

// Topic: see TopicRows; admins manage them.
func Topic() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{queryRows[*ent.TopicQuery](TopicRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, allowAdmins, privacy.AlwaysDenyRule()},
	}
}
