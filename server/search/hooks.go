package search

import (
	"context"
	"strings"

	"zirkel/ent"
	"zirkel/ent/circle"
	"zirkel/ent/discussion"
	"zirkel/ent/event"
	"zirkel/ent/hook"
	"zirkel/ent/indicator"
	"zirkel/ent/member"
	"zirkel/ent/message"
	"zirkel/ent/organisation"
	"zirkel/ent/practice"
	"zirkel/ent/schema/gid"
	"zirkel/ent/softwareproduct"
	"zirkel/ent/topic"
)

// installHooks indexes each searchable object after every create, and after every single
// update that changes what the index holds of it (recording a login, a reaction or a counter
// does not), in the mutation's transaction, so the index never disagrees with the data.
func (ix *Index) installHooks(client *ent.Client) {
	index := func(toDoc func(ent.Value) (doc, bool), searched ...string) ent.Hook {
		return hook.On(func(next ent.Mutator) ent.Mutator {
			return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
				v, err := next.Mutate(ctx, m)
				if err != nil {
					return v, err
				}
				x, ok := m.(interface{ Client() *ent.Client })
				if !ok || m.Op().Is(ent.OpUpdateOne) && !changesAny(m, searched) {
					return v, nil
				}
				d, keep := toDoc(v)
				if !keep {
					return v, ix.remove(ctx, x.Client(), d.id)
				}
				return v, ix.put(ctx, x.Client(), d)
			})
		}, ent.OpCreate|ent.OpUpdateOne)
	}
	// A deleted object leaves the index with its row (e.g. a practice its only author deleted
	// with their account, server/privacy).
	unindex := hook.On(func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			x, ok := m.(interface {
				Client() *ent.Client
				ID() (gid.ID, bool)
			})
			v, err := next.Mutate(ctx, m)
			if err != nil || !ok {
				return v, err
			}
			if id, ok := x.ID(); ok {
				return v, ix.remove(ctx, x.Client(), id)
			}
			return v, nil
		})
	}, ent.OpDeleteOne)
	for _, c := range []interface{ Use(...ent.Hook) }{client.Practice, client.Discussion, client.Message, client.Member,
		client.Organisation, client.Event, client.SoftwareProduct, client.Topic, client.Indicator, client.Circle} {
		c.Use(unindex)
	}
	client.Practice.Use(index(func(v ent.Value) (doc, bool) { return practiceDoc(v.(*ent.Practice)) },
		practice.FieldTitle, practice.FieldSummary, practice.FieldProblem, practice.FieldApproach, practice.FieldOutcome,
		practice.FieldLessonsLearned, practice.FieldTransferability, practice.FieldSoftwareUsed))
	client.Discussion.Use(index(func(v ent.Value) (doc, bool) { return discussionDoc(v.(*ent.Discussion)) }, discussion.FieldTitle))
	client.Message.Use(index(func(v ent.Value) (doc, bool) { return messageDoc(v.(*ent.Message)) }, message.FieldBody, message.FieldDeletedAt))
	client.Member.Use(index(func(v ent.Value) (doc, bool) { return memberDoc(v.(*ent.Member)) },
		member.FieldDisplayName, member.FieldJobTitle, member.FieldBio, member.FieldStatus))
	client.Organisation.Use(index(func(v ent.Value) (doc, bool) { return organisationDoc(v.(*ent.Organisation)) }, organisation.FieldName))
	client.Event.Use(index(func(v ent.Value) (doc, bool) { return eventDoc(v.(*ent.Event)) },
		event.FieldTitle, event.FieldDescription, event.FieldPlace))
	client.SoftwareProduct.Use(index(func(v ent.Value) (doc, bool) { return softwareDoc(v.(*ent.SoftwareProduct)) },
		softwareproduct.FieldName, softwareproduct.FieldCategory))
	client.Topic.Use(index(func(v ent.Value) (doc, bool) { return topicDoc(v.(*ent.Topic)) }, topic.FieldName, topic.FieldDescription))
	client.Indicator.Use(index(func(v ent.Value) (doc, bool) { return indicatorDoc(v.(*ent.Indicator)) },
		indicator.FieldName, indicator.FieldDefinition, indicator.FieldUnit, indicator.FieldSourceReference))
	client.Circle.Use(index(func(v ent.Value) (doc, bool) { return circleDoc(v.(*ent.Circle)) }, circle.FieldName, circle.FieldDescription))
}

// changesAny tells whether a mutation sets, clears or appends to one of the fields.
func changesAny(m ent.Mutation, fields []string) bool {
	for _, f := range fields {
		_, set := m.Field(f)
		if set || m.FieldCleared(f) {
			return true
		}
	}
	if p, ok := m.(*ent.PracticeMutation); ok {
		_, appended := p.AppendedSoftwareUsed()
		return appended
	}
	return false
}

// The documents of each searchable type; false means "not in the index" (deleted messages).
func practiceDoc(p *ent.Practice) (doc, bool) {
	body := strings.Join(append([]string{p.Summary, p.Problem, p.Approach, p.Outcome, p.LessonsLearned, p.Transferability}, p.SoftwareUsed...), "\n")
	return doc{p.ID, "PRACTICE", p.Title, body}, true
}

func discussionDoc(d *ent.Discussion) (doc, bool) { return doc{d.ID, "DISCUSSION", d.Title, ""}, true }

func messageDoc(m *ent.Message) (doc, bool) {
	return doc{m.ID, "MESSAGE", "", m.Body}, m.DeletedAt == nil
}

// memberDoc: former members (erased accounts) are not found.
func memberDoc(m *ent.Member) (doc, bool) {
	return doc{m.ID, "MEMBER", m.DisplayName, m.JobTitle + "\n" + m.Bio}, m.Status != member.StatusDELETED
}

func organisationDoc(o *ent.Organisation) (doc, bool) {
	return doc{o.ID, "ORGANISATION", o.Name, ""}, true
}

func eventDoc(e *ent.Event) (doc, bool) {
	return doc{e.ID, "EVENT", e.Title, e.Description + "\n" + e.Place}, true
}

func softwareDoc(p *ent.SoftwareProduct) (doc, bool) {
	return doc{p.ID, "SOFTWARE", p.Name, p.Category}, true
}

func topicDoc(t *ent.Topic) (doc, bool) { return doc{t.ID, "TOPIC", t.Name, t.Description}, true }

func indicatorDoc(i *ent.Indicator) (doc, bool) {
	return doc{i.ID, "INDICATOR", i.Name, i.Definition + "\n" + i.Unit + "\n" + i.SourceReference}, true
}

func circleDoc(c *ent.Circle) (doc, bool) { return doc{c.ID, "CIRCLE", c.Name, c.Description}, true }
