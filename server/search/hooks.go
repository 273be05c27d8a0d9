package search

import (
	"context"
	"strings"

	entsql "entgo.io/ent/dialect/sql"

	"zirkel/ent"
	"zirkel/ent/circle"
	"zirkel/ent/discussion"
	"zirkel/ent/event"
	"zirkel/ent/indicator"
	"zirkel/ent/member"
	"zirkel/ent/message"
	"zirkel/ent/organisation"
	"zirkel/ent/practice"
	"zirkel/ent/schema/gid"
	"zirkel/ent/softwareproduct"
	"zirkel/ent/softwareusage"
	"zirkel/ent/topic"
	"zirkel/server/events"
	"zirkel/server/policy"
)

// span selects the objects to load: those with the given ids, or else the next limit ones
// in the order of their ids after the id after.
type span struct {
	ids   []gid.ID
	after gid.ID
	limit int
}

// where is the span as a condition on a type's table.
func (s span) where(sel *entsql.Selector) {
	if s.ids != nil {
		vs := make([]any, len(s.ids))
		for i, id := range s.ids {
			vs[i] = id
		}
		sel.Where(entsql.In(sel.C("id"), vs...))
		return
	}
	sel.Where(entsql.GT(sel.C("id"), s.after)).OrderBy(sel.C("id")).Limit(s.limit)
}

// source is a searchable type: the fields and edges whose change changes its documents,
// and how its documents are loaded (with what filters read: organisation, topics).
type source struct {
	kind   string
	fields []string
	edges  []string
	load   func(ctx context.Context, c *ent.Client, s span) ([]doc, error)
}

// docsOf turns loaded objects into documents, one each; false marks a document gone from
// the index (a deleted message).
func docsOf[T any](values []T, err error) func(func(T) (doc, bool)) ([]doc, error) {
	return func(f func(T) (doc, bool)) ([]doc, error) {
		if err != nil {
			return nil, err
		}
		out := make([]doc, len(values))
		for i, v := range values {
			d, keep := f(v)
			d.gone = !keep
			out[i] = d
		}
		return out, nil
	}
}

func topicIDs(ts []*ent.Topic) []gid.ID {
	out := make([]gid.ID, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

func joinText(parts ...string) string { return strings.Join(parts, "\n") }

// sources are the searchable types.
func sources() []source {
	return []source{
		{"PRACTICE", []string{practice.FieldTitle, practice.FieldSummary, practice.FieldProblem, practice.FieldApproach, practice.FieldOutcome,
			practice.FieldLessonsLearned, practice.FieldTransferability, practice.FieldSoftwareUsed, practice.FieldPublishedAt},
			[]string{practice.EdgeTopics, practice.EdgeOrganisation},
			func(ctx context.Context, c *ent.Client, s span) ([]doc, error) {
				return docsOf(c.Practice.Query().Where(s.where).WithTopics().WithOrganisation().All(ctx))(func(p *ent.Practice) (doc, bool) {
					at := p.CreatedAt
					if p.PublishedAt != nil {
						at = *p.PublishedAt
					}
					facets := topicIDs(p.Edges.Topics)
					if o := p.Edges.Organisation; o != nil {
						facets = append(facets, o.ID)
					}
					body := joinText(append([]string{p.Summary, p.Problem, p.Approach, p.Outcome, p.LessonsLearned, p.Transferability}, p.SoftwareUsed...)...)
					return doc{p.ID, "PRACTICE", p.Title, body, at, facets, false}, true
				})
			}},
		{"DISCUSSION", []string{discussion.FieldTitle}, []string{discussion.EdgeTopics},
			func(ctx context.Context, c *ent.Client, s span) ([]doc, error) {
				return docsOf(c.Discussion.Query().Where(s.where).WithTopics().All(ctx))(func(d *ent.Discussion) (doc, bool) {
					return doc{d.ID, "DISCUSSION", d.Title, "", d.CreatedAt, topicIDs(d.Edges.Topics), false}, true
				})
			}},
		{"MESSAGE", []string{message.FieldBody, message.FieldDeletedAt}, nil,
			func(ctx context.Context, c *ent.Client, s span) ([]doc, error) {
				return docsOf(c.Message.Query().Where(s.where).All(ctx))(func(m *ent.Message) (doc, bool) {
					return doc{m.ID, "MESSAGE", "", m.Body, m.CreatedAt, nil, false}, m.DeletedAt == nil
				})
			}},
		{"MEMBER", []string{member.FieldDisplayName, member.FieldJobTitle, member.FieldBio, member.FieldStatus, member.FieldFindableAsExpert}, []string{member.EdgeOrganisation, member.EdgeExpertise},
			func(ctx context.Context, c *ent.Client, s span) ([]doc, error) {
				return docsOf(c.Member.Query().Where(s.where).WithOrganisation().WithExpertise().All(ctx))(func(m *ent.Member) (doc, bool) {
					var facets []gid.ID
					if m.FindableAsExpert { // expertise is found only as the member's privacy setting says (policy.ExpertVisible)
						facets = topicIDs(m.Edges.Expertise)
					}
					if o := m.Edges.Organisation; o != nil {
						facets = append(facets, o.ID)
					}
					// Former members (erased accounts, server/privacy) are not found.
					return doc{m.ID, "MEMBER", m.DisplayName, joinText(m.JobTitle, m.Bio), m.CreatedAt, facets, false}, m.Status != member.StatusDELETED
				})
			}},
		{"ORGANISATION", []string{organisation.FieldName}, nil,
			func(ctx context.Context, c *ent.Client, s span) ([]doc, error) {
				return docsOf(c.Organisation.Query().Where(s.where).All(ctx))(func(o *ent.Organisation) (doc, bool) {
					return doc{o.ID, "ORGANISATION", o.Name, "", o.CreatedAt, []gid.ID{o.ID}, false}, true
				})
			}},
		{"EVENT", []string{event.FieldTitle, event.FieldDescription, event.FieldPlace, event.FieldStartsAt}, nil,
			func(ctx context.Context, c *ent.Client, s span) ([]doc, error) {
				return docsOf(c.Event.Query().Where(s.where).All(ctx))(func(e *ent.Event) (doc, bool) {
					return doc{e.ID, "EVENT", e.Title, joinText(e.Description, e.Place), e.StartsAt, nil, false}, true
				})
			}},
		{"SOFTWARE", []string{softwareproduct.FieldName, softwareproduct.FieldCategory}, []string{softwareproduct.EdgeVendor},
			func(ctx context.Context, c *ent.Client, s span) ([]doc, error) {
				return docsOf(c.SoftwareProduct.Query().Where(s.where).WithVendor().All(ctx))(func(p *ent.SoftwareProduct) (doc, bool) {
					var facets []gid.ID
					if v := p.Edges.Vendor; v != nil {
						facets = []gid.ID{v.ID}
					}
					return doc{p.ID, "SOFTWARE", p.Name, p.Category, p.CreatedAt, facets, false}, true
				})
			}},
		{"SOFTWARE_USAGE", []string{softwareusage.FieldTask, softwareusage.FieldNotes}, []string{softwareusage.EdgeTopic},
			func(ctx context.Context, c *ent.Client, s span) ([]doc, error) {
				return docsOf(c.SoftwareUsage.Query().Where(s.where).WithProduct().WithOrganisation().WithTopic().All(ctx))(func(u *ent.SoftwareUsage) (doc, bool) {
					var facets []gid.ID
					title := u.Task
					if p := u.Edges.Product; p != nil {
						title = strings.TrimSpace(p.Name + ": " + u.Task)
					}
					if o := u.Edges.Organisation; o != nil {
						facets = append(facets, o.ID)
					}
					if t := u.Edges.Topic; t != nil {
						facets = append(facets, t.ID)
					}
					return doc{u.ID, "SOFTWARE_USAGE", title, u.Notes, u.CreatedAt, facets, false}, true
				})
			}},
		{"TOPIC", []string{topic.FieldName, topic.FieldDescription}, nil,
			func(ctx context.Context, c *ent.Client, s span) ([]doc, error) {
				return docsOf(c.Topic.Query().Where(s.where).All(ctx))(func(t *ent.Topic) (doc, bool) {
					return doc{t.ID, "TOPIC", t.Name, t.Description, t.CreatedAt, []gid.ID{t.ID}, false}, true
				})
			}},
		{"INDICATOR", []string{indicator.FieldName, indicator.FieldDefinition, indicator.FieldUnit, indicator.FieldSourceReference}, []string{indicator.EdgeTopics},
			func(ctx context.Context, c *ent.Client, s span) ([]doc, error) {
				return docsOf(c.Indicator.Query().Where(s.where).WithTopics().All(ctx))(func(i *ent.Indicator) (doc, bool) {
					return doc{i.ID, "INDICATOR", i.Name, joinText(i.Definition, i.Unit, i.SourceReference), i.CreatedAt, topicIDs(i.Edges.Topics), false}, true
				})
			}},
		{"CIRCLE", []string{circle.FieldName, circle.FieldDescription}, nil,
			func(ctx context.Context, c *ent.Client, s span) ([]doc, error) {
				return docsOf(c.Circle.Query().Where(s.where).All(ctx))(func(ci *ent.Circle) (doc, bool) {
					return doc{ci.ID, "CIRCLE", ci.Name, ci.Description, ci.CreatedAt, nil, false}, true
				})
			}},
	}
}

// Consume keeps the index current: it is the search index's consumer of the event pipeline
// (server/events), registered by the store, and runs inside the transaction of the change, so
// the index never disagrees with the data. An object is indexed anew when it is created, or
// when an update changes what the index holds of it (recording a login, a reaction or a
// counter does not); a deleted object leaves the index with its row.
func (ix *Index) Consume(ctx context.Context, c *ent.Client, changes []events.Change) error {
	byType := map[string]source{}
	for _, src := range sources() {
		byType[typeOfKind[src.kind]] = src
	}
	done := map[gid.ID]bool{}
	for _, ch := range changes {
		src, ok := byType[ch.Type]
		if !ok || done[ch.ID] || !touches(ch, src) {
			continue
		}
		done[ch.ID] = true
		if err := ix.refresh(ctx, c, src, ch.ID); err != nil {
			return err
		}
	}
	return nil
}

// touches tells whether a change alters what the index holds of an object. A practice's
// software list can be appended to, which the change does not name: practices are indexed
// anew on every update.
func touches(ch events.Change, src source) bool {
	if ch.Op != events.Updated || ch.Type == "Practice" {
		return true
	}
	return ch.Has(src.fields...) || ch.Has(src.edges...)
}

// refresh writes the document of one object anew, or removes it when it is no longer one
// (a deleted message).
func (ix *Index) refresh(ctx context.Context, c *ent.Client, src source, id gid.ID) error {
	docs, err := src.load(policy.System(ctx), c, span{ids: []gid.ID{id}})
	if err != nil {
		return err
	}
	if len(docs) == 0 || docs[0].gone {
		return ix.remove(ctx, c, id)
	}
	return ix.put(ctx, c, docs[0])
}

// typeOfKind is the ent type of each kind of document.
var typeOfKind = map[string]string{
	"PRACTICE": "Practice", "DISCUSSION": "Discussion", "MESSAGE": "Message", "MEMBER": "Member", "ORGANISATION": "Organisation",
	"EVENT": "Event", "SOFTWARE": "SoftwareProduct", "SOFTWARE_USAGE": "SoftwareUsage", "TOPIC": "Topic", "INDICATOR": "Indicator", "CIRCLE": "Circle",
}
