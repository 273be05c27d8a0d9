package integrity

import (
	"context"
	"strings"

	"zirkel/ent"
	"zirkel/ent/hook"
	"zirkel/ent/organisation"
	"zirkel/ent/practice"
	"zirkel/ent/schema"
	"zirkel/ent/schema/gid"
	"zirkel/ent/topic"
	"zirkel/server/apperr"
)

func installTypeRules(client *ent.Client) {
	client.Organisation.Use(organisationState, organisationParent)
	client.Member.Use(memberEmail, memberUpdatedAt)
	client.Topic.Use(topicParent)
	client.Practice.Use(practiceCircle)
	client.Message.Use(messageBody, moderationReason)
	client.Measurement.Use(measurementRecorder)
	client.Practice.Use(moderationReason)
	client.Discussion.Use(moderationReason)
	client.Report.Use(reportItem)
	installSurveyRules(client)
}

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
	if n < 1 || n > len(schema.States) {
		return ""
	}
	return organisation.State(schema.States[n-1])
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

// topicParent refuses a topic that is its own ancestor.
func topicParent(next ent.Mutator) ent.Mutator {
	return hook.TopicFunc(func(ctx context.Context, m *ent.TopicMutation) (ent.Value, error) {
		err := noCycle(ctx, m, func(ctx context.Context, at gid.ID) (gid.ID, error) {
			return m.Client().Topic.Query().Where(topic.HasChildrenWith(topic.ID(at))).OnlyID(ctx)
		})
		if err != nil {
			return nil, err
		}
		return next.Mutate(ctx, m)
	})
}

// treeMutation changes a node of a tree.
type treeMutation interface {
	ID() (gid.ID, bool)
	ParentID() (gid.ID, bool)
}

// noCycle checks a mutation that sets the parent of an existing node (see checkNoCycle).
func noCycle(ctx context.Context, m treeMutation, parentOf func(context.Context, gid.ID) (gid.ID, error)) error {
	id, hasID := m.ID()
	parent, setsParent := m.ParentID()
	if !hasID || !setsParent {
		return nil
	}
	return checkNoCycle(ctx, id, parent, parentOf)
}

// maxTreeDepth bounds the walk up a tree; deeper trees are refused as well.
const maxTreeDepth = 32

// checkNoCycle walks from parent upwards and fails if it meets id.
func checkNoCycle(ctx context.Context, id, parent gid.ID, parentOf func(context.Context, gid.ID) (gid.ID, error)) error {
	at := parent
	for range maxTreeDepth {
		if at == id {
			return apperr.Invalid("parentID", "would make the object its own ancestor")
		}
		next, err := parentOf(ctx, at)
		if ent.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		at = next
	}
	return apperr.Invalid("parentID", "makes the tree too deep")
}

// memberEmail stores e-mail addresses trimmed and in lower case, so that uniqueness holds
// however a directory or an admin spells them.
func memberEmail(next ent.Mutator) ent.Mutator {
	return hook.MemberFunc(func(ctx context.Context, m *ent.MemberMutation) (ent.Value, error) {
		if email, ok := m.Email(); ok {
			m.SetEmail(strings.ToLower(strings.TrimSpace(email)))
		}
		return next.Mutate(ctx, m)
	})
}

// practiceCircle requires a circle for practices visible only to a circle.
func practiceCircle(next ent.Mutator) ent.Mutator {
	return hook.PracticeFunc(func(ctx context.Context, m *ent.PracticeMutation) (ent.Value, error) {
		visibility, setsVisibility := m.Visibility()
		_, hasCircle := m.CircleID()
		if !setsVisibility && !m.CircleCleared() {
			return next.Mutate(ctx, m) // nothing that could break the rule
		}
		if id, ok := m.ID(); ok && m.Op().Is(ent.OpUpdateOne) {
			old, err := m.Client().Practice.Query().Where(practice.ID(id)).WithCircle().Only(ctx)
			if err != nil {
				return nil, err
			}
			if !setsVisibility {
				visibility = old.Visibility
			}
			if !hasCircle && !m.CircleCleared() {
				hasCircle = old.Edges.Circle != nil
			}
		}
		if visibility == practice.VisibilityCIRCLE && !hasCircle {
			return nil, apperr.Invalid("circleID", "is required when the visibility is CIRCLE")
		}
		return next.Mutate(ctx, m)
	})
}

// messageBody refuses blank messages; only deletion empties a body.
func messageBody(next ent.Mutator) ent.Mutator {
	return hook.MessageFunc(func(ctx context.Context, m *ent.MessageMutation) (ent.Value, error) {
		body, setsBody := m.Body()
		_, deletes := m.DeletedAt()
		if setsBody && !deletes && strings.TrimSpace(body) == "" {
			return nil, apperr.Invalid("body", "must not be blank")
		}
		return next.Mutate(ctx, m)
	})
}
