package policy

import (
	"context"
	"reflect"
	"strings"

	"entgo.io/ent/dialect/sql"

	"zirkel/ent"
	"zirkel/ent/privacy"
	"zirkel/server/viewer"
)

// Who may read what is declared once per type, in the type's file: a rows rule (the rows a
// viewer may read, as an SQL predicate) and field rules (on which of those rows a viewer may
// read a field, in SQL and in memory). The type's privacy query rule applies the rows rule to
// every query; GuardWhere applies rows and field rules inside every filter; ReadFields and
// MayRead apply the field rules to what is read.

// Rows is a rows rule: the predicate of the rows the viewer may read, nil for all of them.
type Rows[P ~func(*sql.Selector)] func(*viewer.Viewer) P

// Field is a read rule of one field of the entity T: on which rows a viewer may read it.
type Field[T any, P ~func(*sql.Selector)] struct {
	// Name is the ent name of the field (member.FieldLastLoginAt).
	Name string
	// Rows matches the rows on which the viewer may read the field (nil: all rows).
	Rows Rows[P]
	// May tells the same in memory, for a loaded row.
	May func(v *viewer.Viewer, row *T) bool
	// Show, if set, is how a readable value is shown (e.g. rounded); it gets and returns the
	// entity's field value.
	Show func(value any) any
}

// selector is the type every ent predicate has underneath.
type selector = func(*sql.Selector)

// typeReads is the read rules of one type, without its Go types.
type typeReads struct {
	entity reflect.Type // the entity, e.g. ent.Member
	rows   func(*viewer.Viewer) selector
	fields []fieldRead
}

// fieldRead is a Field without its Go types.
type fieldRead struct {
	name    string // ent name
	goName  string // the entity's Go field, and the stem of the where input's fields
	gqlName string // the GraphQL field
	rows    func(*viewer.Viewer) selector
	may     func(*viewer.Viewer, any) bool
	show    func(any) any
}

// reads erases the Go types of a type's rules for the registry.
func reads[T any, P ~func(*sql.Selector)](rows Rows[P], fields ...Field[T, P]) typeReads {
	entity := reflect.TypeFor[T]()
	tr := typeReads{entity: entity, rows: erase(rows)}
	for _, f := range fields {
		may := f.May
		tr.fields = append(tr.fields, fieldRead{
			name: f.Name, goName: goFieldOf(entity, f.Name), gqlName: lowerFirst(goFieldOf(entity, f.Name)), rows: erase(f.Rows), show: f.Show,
			may: func(v *viewer.Viewer, row any) bool { r, ok := row.(*T); return ok && may(v, r) },
		})
	}
	return tr
}

// erase turns a typed rows rule into one over plain selectors; nil stays "all rows".
func erase[P ~func(*sql.Selector)](rows Rows[P]) func(*viewer.Viewer) selector {
	return func(v *viewer.Viewer) selector {
		if rows == nil {
			return nil
		}
		if p := rows(v); p != nil {
			return selector(p)
		}
		return nil
	}
}

// goFieldOf finds the Go field of an ent field by the entity's json tag; it panics when there
// is none, so that a misspelt rule stops the server at start, not in a request.
func goFieldOf(entity reflect.Type, name string) string {
	for i := range entity.NumField() {
		f := entity.Field(i)
		if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag == name {
			return f.Name
		}
	}
	panic("policy: " + entity.Name() + " has no field " + name)
}

// everyone is the rows rule of types everybody reads.
func everyone[P ~func(*sql.Selector)](*viewer.Viewer) P { return nil }

// nobody is the rows rule of types no viewer reads (only trusted server code, see System).
func nobody[P ~func(*sql.Selector)](*viewer.Viewer) P { return none[P]() }

// none is a predicate that matches no row.
func none[P ~func(*sql.Selector)]() P { return P(func(s *sql.Selector) { s.Where(sql.False()) }) }

// queryRows is a privacy query rule that lets the viewer query only the rows of the rule.
func queryRows[Q interface{ Where(...P) Q }, P ~func(*sql.Selector)](rows Rows[P]) privacy.QueryRule {
	return privacy.QueryRuleFunc(func(ctx context.Context, q ent.Query) error {
		typed, ok := q.(Q)
		if !ok {
			return privacy.Denyf("unexpected query %T", q)
		}
		if p := rows(viewerOf(ctx)); p != nil {
			typed.Where(p)
		}
		return privacy.Allow
	})
}

// readRules are the read rules of every type, by ent type name. Never changed.
var readRules = map[string]typeReads{
	"AuditEntry":           reads[ent.AuditEntry](AuditEntryRows),
	"AuthorshipInvitation": reads[ent.AuthorshipInvitation](InvitationVisible),
	"CircleJoinRequest":    reads[ent.CircleJoinRequest](CircleJoinRequestRows),
	"Circle":               reads[ent.Circle](CircleRows),
	"CircleBan":            reads[ent.CircleBan](CircleBanRows),
	"CircleMembership":     reads[ent.CircleMembership](CircleMembershipRows),
	"Competency":           reads[ent.Competency](CompetencyRows),
	"CompetencyRating":     reads[ent.CompetencyRating](CompetencyRatingRows),
	"Discussion":           reads[ent.Discussion](DiscussionRows),
	"EmailPreference":      reads[ent.EmailPreference](EmailPreferenceRows),
	"Event":                reads[ent.Event](EventRows),
	"Follow":               reads[ent.Follow](FollowRows),
	"Indicator":            reads[ent.Indicator](IndicatorRows),
	"LoginThrottle":        reads[ent.LoginThrottle](LoginThrottleRows),
	"Measurement":          reads[ent.Measurement](MeasurementRows),
	"Member":               reads(MemberRows, memberFields...),
	"Message":              reads[ent.Message](MessageRows),
	"Notification":         reads[ent.Notification](NotificationRows),
	"Organisation":         reads[ent.Organisation](OrganisationRows),
	"OutboxMail":           reads[ent.OutboxMail](OutboxMailRows),
	"Practice":             reads[ent.Practice](PracticeRows),
	"Reaction":             reads[ent.Reaction](ReactionRows),
	"Registration":         reads[ent.Registration](RegistrationRows),
	"Report":               reads[ent.Report](ReportRows),
	"Session":              reads[ent.Session](SessionRows),
	"SoftwareProduct":      reads[ent.SoftwareProduct](SoftwareProductRows),
	"SoftwareUsage":        reads[ent.SoftwareUsage](SoftwareUsageRows),
	"Survey":               reads[ent.Survey](SurveyRows),
	"SurveyQuestion":       reads[ent.SurveyQuestion](SurveyQuestionRows),
	"SurveyResponse":       reads[ent.SurveyResponse](SurveyResponseRows),
	"Topic":                reads[ent.Topic](TopicRows),
}

// readRulesByEntity finds a type's rules by its entity's Go type.
var readRulesByEntity = func() map[reflect.Type]typeReads {
	m := make(map[reflect.Type]typeReads, len(readRules))
	for _, r := range readRules {
		m[r.entity] = r
	}
	return m
}()

// Restricted lists, by ent type name, the ent names of the fields that have a read rule.
func Restricted() map[string][]string {
	out := map[string][]string{}
	for name, r := range readRules {
		for _, f := range r.fields {
			out[name] = append(out[name], f.name)
		}
	}
	return out
}

// HasRules tells whether a type (by its ent name) has read rules.
func HasRules(typeName string) bool { _, ok := readRules[typeName]; return ok }

// trusted tells whether ctx is trusted server code (System), which reads everything as stored.
func trusted(ctx context.Context) bool {
	d, ok := privacy.DecisionFromContext(ctx) // an Allow decision comes back as nil
	return ok && d == nil
}

// ReadFields is an ent interceptor that applies the field rules to every entity a query
// returns: a field the viewer may not read on a row is blanked (zero, null), a readable one
// shown as its rule says (lastLoginAt rounded to the day). Trusted server code (System) gets
// the entities as stored. Register it in the schema of every type with field rules.
func ReadFields() ent.Interceptor {
	return ent.InterceptFunc(func(next ent.Querier) ent.Querier {
		return ent.QuerierFunc(func(ctx context.Context, q ent.Query) (ent.Value, error) {
			res, err := next.Query(ctx, q)
			if err != nil || trusted(ctx) {
				return res, err
			}
			applyReads(viewerOf(ctx), reflect.ValueOf(res))
			return res, nil
		})
	})
}

// applyReads applies the field rules to an entity, or a slice of entities, in place.
func applyReads(v *viewer.Viewer, rv reflect.Value) {
	switch rv.Kind() {
	case reflect.Slice:
		for i := range rv.Len() {
			applyReads(v, rv.Index(i))
		}
	case reflect.Pointer:
		if rv.IsNil() {
			return
		}
		r, ok := readRulesByEntity[rv.Type().Elem()]
		if !ok {
			return
		}
		for _, f := range r.fields {
			field := rv.Elem().FieldByName(f.goName)
			switch {
			case !f.may(v, rv.Interface()):
				field.SetZero()
			case f.show != nil:
				field.Set(reflect.ValueOf(f.show(field.Interface())))
			}
		}
	}
}

// MayRead tells whether the viewer may read a field (by its GraphQL name) of a row of a type
// (by its name), for rows loaded beyond the viewer's rights (live events load once for every
// subscriber) or returned by a mutation; show is how the value is shown (nil: as it is). A
// restricted field of a row that is not of the type (or missing) may not be read.
func MayRead(v *viewer.Viewer, typeName, graphQLField string, row any) (may bool, show func(any) any) {
	r, ok := readRules[typeName]
	if !ok {
		return true, nil
	}
	for _, f := range r.fields {
		if f.gqlName != graphQLField {
			continue
		}
		rv := reflect.ValueOf(row)
		for rv.Kind() == reflect.Pointer && !rv.IsNil() && rv.Elem().Kind() == reflect.Pointer {
			rv = rv.Elem()
		}
		if rv.Kind() != reflect.Pointer || rv.IsNil() {
			return false, nil
		}
		return f.may(v, rv.Interface()), f.show
	}
	return true, nil
}

// Restricts tells whether a field (by its GraphQL name) of a type (by its name) has a read
// rule, i.e. whether MayRead can refuse it or change how it is shown.
func Restricts(typeName, graphQLField string) bool {
	for _, f := range readRules[typeName].fields {
		if f.gqlName == graphQLField {
			return true
		}
	}
	return false
}

// lowerFirst is a Go field name as entgql names it in GraphQL (LastLoginAt: lastLoginAt).
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
