package audit

import (
	"net/url"
	"strings"
	"time"

	"zirkel/ent/auditentry"
	"zirkel/ent/predicate"
	"zirkel/ent/schema/gid"
)

// Filter selects entries as the auditEntries query's where input does: by actor, action
// (exact, or a prefix ending in "*": "moderation.*"), target type and id, and period.
type Filter struct {
	Actor      gid.ID
	Action     string
	TargetType string
	TargetID   gid.ID
	Subject    gid.ID    // the member the entries are about: as their subject or their target
	Circle     gid.ID    // the circle concerned
	From, To   time.Time // From inclusive, To exclusive; zero: open
}

// FilterFromQuery reads a filter from URL query parameters actor, action, targetType,
// targetID, subject, circle, from and to (RFC 3339 times or dates, YYYY-MM-DD; a date as "to" includes that
// day). It names the parameter that cannot be read.
func FilterFromQuery(q url.Values) (Filter, string, bool) {
	f := Filter{Actor: gid.ID(q.Get("actor")), Action: q.Get("action"), TargetType: q.Get("targetType"),
		TargetID: gid.ID(q.Get("targetID")), Subject: gid.ID(q.Get("subject")), Circle: gid.ID(q.Get("circle"))}
	for _, p := range []struct {
		name string
		t    *time.Time
		to   bool
	}{{"from", &f.From, false}, {"to", &f.To, true}} {
		s := q.Get(p.name)
		if s == "" {
			continue
		}
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			*p.t = t
		} else if d, err := time.Parse(time.DateOnly, s); err == nil {
			if p.to {
				d = d.AddDate(0, 0, 1)
			}
			*p.t = d
		} else {
			return f, p.name, false
		}
	}
	return f, "", true
}

// Predicates are the filter's conditions.
func (f Filter) Predicates() []predicate.AuditEntry {
	var ps []predicate.AuditEntry
	if f.Actor != "" {
		ps = append(ps, auditentry.ActorID(f.Actor))
	}
	if prefix, ok := strings.CutSuffix(f.Action, "*"); ok {
		ps = append(ps, auditentry.ActionHasPrefix(prefix))
	} else if f.Action != "" {
		ps = append(ps, auditentry.Action(f.Action))
	}
	if f.TargetType != "" {
		ps = append(ps, auditentry.TargetType(f.TargetType))
	}
	if f.TargetID != "" {
		ps = append(ps, auditentry.TargetID(f.TargetID))
	}
	if f.Subject != "" {
		ps = append(ps, auditentry.Or(auditentry.SubjectID(f.Subject), auditentry.TargetID(f.Subject)))
	}
	if f.Circle != "" {
		ps = append(ps, auditentry.CircleID(f.Circle))
	}
	if !f.From.IsZero() {
		ps = append(ps, auditentry.AtGTE(f.From))
	}
	if !f.To.IsZero() {
		ps = append(ps, auditentry.AtLT(f.To))
	}
	return ps
}
