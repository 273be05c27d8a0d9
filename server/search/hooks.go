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
	client.Practice.Use(index(func(v ent.Value) (doc, bool) {
		p := v.(*ent.Practice)
		body := strings.Join(append([]string{p.Summary, p.Problem, p.Approach, p.Outcome, p.LessonsLearned, p.Transferability}, p.SoftwareUsed...), "\n")
		return doc{p.ID, "PRACTICE", p.Title, body}, true
	}))
	client.Discussion.Use(index(func(v ent.Value) (doc, bool) {
		d := v.(*ent.Discussion)
		return doc{d.ID, "DISCUSSION", d.Title, ""}, true
	}))
	client.Message.Use(index(func(v ent.Value) (doc, bool) {
		m := v.(*ent.Message)
		return doc{m.ID, "MESSAGE", "", m.Body}, m.DeletedAt == nil
	}))
	client.Member.Use(index(func(v ent.Value) (doc, bool) {
		m := v.(*ent.Member)
		return doc{m.ID, "MEMBER", m.DisplayName, m.JobTitle + "\n" + m.Bio}, true
	}))
	client.Organisation.Use(index(func(v ent.Value) (doc, bool) {
		o := v.(*ent.Organisation)
		return doc{o.ID, "ORGANISATION", o.Name, ""}, true
	}))
	client.Event.Use(index(func(v ent.Value) (doc, bool) {
		e := v.(*ent.Event)
		return doc{e.ID, "EVENT", e.Title, e.Description + "\n" + e.Place}, true
	}))
	client.SoftwareProduct.Use(index(func(v ent.Value) (doc, bool) {
		p := v.(*ent.SoftwareProduct)
		return doc{p.ID, "SOFTWARE", p.Name, p.Category}, true
	}))
}
