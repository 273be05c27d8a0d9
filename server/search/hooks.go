package search

import (
	"context"
	"strings"

	"zirkel/ent"
	"zirkel/ent/hook"
)

// installHooks indexes each searchable object after every create and single update, in the
// mutation's transaction, so the index never disagrees with the data.
func (ix *Index) installHooks(client *ent.Client) {
	index := func(toDoc func(ent.Value) (doc, bool)) ent.Hook {
		return hook.On(func(next ent.Mutator) ent.Mutator {
			return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
				v, err := next.Mutate(ctx, m)
				if err != nil {
					return v, err
				}
				x, ok := m.(interface{ Client() *ent.Client })
				if !ok {
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
	client.Practice.Use(index(func(v ent.Value) (doc, bool) { return practiceDoc(v.(*ent.Practice)) }))
	client.Discussion.Use(index(func(v ent.Value) (doc, bool) { return discussionDoc(v.(*ent.Discussion)) }))
	client.Message.Use(index(func(v ent.Value) (doc, bool) { return messageDoc(v.(*ent.Message)) }))
	client.Member.Use(index(func(v ent.Value) (doc, bool) { return memberDoc(v.(*ent.Member)) }))
	client.Organisation.Use(index(func(v ent.Value) (doc, bool) { return organisationDoc(v.(*ent.Organisation)) }))
	client.Event.Use(index(func(v ent.Value) (doc, bool) { return eventDoc(v.(*ent.Event)) }))
	client.SoftwareProduct.Use(index(func(v ent.Value) (doc, bool) { return softwareDoc(v.(*ent.SoftwareProduct)) }))
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

func memberDoc(m *ent.Member) (doc, bool) {
	return doc{m.ID, "MEMBER", m.DisplayName, m.JobTitle + "\n" + m.Bio}, true
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
