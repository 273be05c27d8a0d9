package policy

import (
	"fmt"
	"reflect"
	"strings"

	"entgo.io/ent/dialect/sql"

	"zirkel/server/viewer"
)

// A filter is a read. entgql turns `where` inputs into plain SQL: the `has…With` subqueries
// reach rows of other types without their privacy rules, and field conditions read fields
// whatever their read rules say. GuardWhere makes one where input (of any type) match only on
// what the viewer may read:
//
//   - every `hasYWith` condition reaches only the rows of Y the viewer may read;
//   - `hasY: true` means "has a Y the viewer may read", `hasY: false` "has none";
//   - a condition on a field with a read rule matches only rows on which the viewer may read
//     that field.
//
// It treats one input object; the inputs nested in it (`not`, `and`, `or`, `has…With`) are
// treated on their own, as gqlgen reads each of them (the @filterGuard directive on every
// where input, see graph.FilterGuard). A type without read rules is an error: it fails closed.

// whereSuffix ends the Go name of every generated where input (MemberWhereInput).
const whereSuffix = "WhereInput"

// predicateSuffixes are what entgql appends to a field's name for its conditions.
var predicateSuffixes = []string{"", "NEQ", "In", "NotIn", "GT", "GTE", "LT", "LTE", "Contains",
	"HasPrefix", "HasSuffix", "IsNil", "NotNil", "EqualFold", "ContainsFold"}

// GuardWhere returns the where input (an ent XWhereInput, as a value or a pointer) restricted to
// what the viewer may read; see above.
func GuardWhere(v *viewer.Viewer, input any) (any, error) {
	rv := reflect.ValueOf(input)
	byValue := rv.Kind() == reflect.Struct
	if byValue { // work on a copy that can be changed
		p := reflect.New(rv.Type())
		p.Elem().Set(rv)
		rv = p
	}
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("guarding a filter: %T is not a where input", input)
	}
	if !rv.IsNil() {
		if err := guardWhere(v, rv); err != nil {
			return nil, err
		}
	}
	if byValue {
		return rv.Elem().Interface(), nil
	}
	return input, nil
}

// guardWhere guards one non-nil *XWhereInput in place.
func guardWhere(v *viewer.Viewer, in reflect.Value) error {
	typeName, err := whereType(in.Type().Elem())
	if err != nil {
		return err
	}
	rules := readRules[typeName]
	s := in.Elem()
	for i := range s.NumField() {
		f := s.Type().Field(i)
		if !strings.HasPrefix(f.Name, "Has") || !strings.HasSuffix(f.Name, "With") {
			continue
		}
		if err := guardEdge(v, in, f.Name); err != nil {
			return err
		}
	}
	for _, fr := range rules.fields {
		p := fr.rows(v)
		if p != nil && conditionsOn(s, fr.goName) {
			addPredicate(in, p)
		}
	}
	return nil
}

// guardEdge guards the conditions `hasYWith` (named with) and `hasY` on one edge of in.
func guardEdge(v *viewer.Viewer, in reflect.Value, with string) error {
	s := in.Elem()
	list := s.FieldByName(with)
	if list.Kind() != reflect.Slice || list.Type().Elem().Kind() != reflect.Pointer {
		return nil // a field that only looks like an edge
	}
	elem := list.Type().Elem().Elem()
	if !strings.HasSuffix(elem.Name(), whereSuffix) {
		return nil // not a list of where inputs
	}
	target, err := whereType(elem)
	if err != nil {
		return err
	}
	p := readRules[target].rows(v)
	if p != nil {
		for i := range list.Len() {
			if el := list.Index(i); !el.IsNil() {
				addPredicate(el, p)
			}
		}
	}
	has := s.FieldByName(strings.TrimSuffix(with, "With"))
	if has.Kind() != reflect.Pointer || has.IsNil() || has.Elem().Kind() != reflect.Bool {
		return nil
	}
	if p == nil {
		// Every row: still written as hasYWith, whose subquery ent aliases right where the
		// bare hasY of a self-referencing edge inside another has…With does not.
		p = func(*sql.Selector) {}
	}
	want := has.Elem().Bool()
	has.SetZero()
	visible := reflect.New(list.Type().Elem().Elem()) // a Y the viewer may read
	addPredicate(visible, p)
	switch {
	case want && list.Len() == 0:
		list.Set(reflect.Append(list, visible))
	case !want: // and not (has a visible Y)
		some := reflect.New(s.Type())
		w := some.Elem().FieldByName(with)
		w.Set(reflect.Append(w, visible))
		not := reflect.New(s.Type())
		not.Elem().FieldByName("Not").Set(some)
		and := s.FieldByName("And")
		and.Set(reflect.Append(and, not))
	}
	// want with conditions: each of them already reaches only visible rows.
	return nil
}

// whereType is the ent type name of a where input's Go type, which must have read rules.
func whereType(t reflect.Type) (string, error) {
	name, ok := strings.CutSuffix(t.Name(), whereSuffix)
	if !ok || t.Kind() != reflect.Struct {
		return "", fmt.Errorf("guarding a filter: %s is not a where input", t)
	}
	if !HasRules(name) {
		return "", fmt.Errorf("guarding a filter: %s has no read rules in server/policy", name)
	}
	return name, nil
}

// conditionsOn tells whether the where input (a struct) sets any condition on the field.
func conditionsOn(s reflect.Value, goName string) bool {
	for _, suffix := range predicateSuffixes {
		if f := s.FieldByName(goName + suffix); f.IsValid() && !f.IsZero() {
			return true
		}
	}
	return false
}

// addPredicate adds p (a plain selector function) to a *XWhereInput through its AddPredicates.
func addPredicate(in reflect.Value, p selector) {
	add := in.MethodByName("AddPredicates")
	typ := add.Type().In(0).Elem() // predicate.X
	add.Call([]reflect.Value{reflect.ValueOf(p).Convert(typ)})
}
