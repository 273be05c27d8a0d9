package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"zirkel/server/apitest"
	"zirkel/server/config"
	"zirkel/server/policy"
)

// TestFiltersSeeNoMoreThanTheViewer walks the schema's where inputs by introspection, from
// every root connection field and from every connection field one level below it (where
// entgql loads edges eagerly), through every has…With edge to a depth of two edges, and
// proves for every role that a filter can only match on what the role may read: a filter on a
// value stored in the database that the role never sees in any answer (of a field it cannot
// read, or on rows it cannot see) answers exactly like the same filter on a value that exists
// nowhere. `hasX: true/false` must answer like "has an X the role can see". New types, edges
// and fields are covered without editing the test.
func TestFiltersSeeNoMoreThanTheViewer(t *testing.T) {
	for _, backend := range apitest.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			env := apitest.Start(t, backend, func(c *config.Config) { c.Introspection = true })
			w := newFilterWorld(t, env)
			s := introspect(t, w.as["admin"])
			t.Run("fields with read rules cannot be ordered by", func(t *testing.T) {
				// An order (and the cursor that carries its value) would show them on every row.
				for typeName, fields := range policy.Restricted() {
					order := s.types[typeName+"OrderField"]
					for _, f := range fields {
						for _, v := range orderValues(order) {
							if v == strings.ToUpper(f) {
								t.Errorf("%s can be ordered by %s, which not every viewer may read", typeName, f)
							}
						}
					}
				}
			})
			for _, role := range filterRoles {
				t.Run(role, func(t *testing.T) {
					o := &oracle{t: t, env: env, as: w.as[role], s: s}
					o.collectVisible()
					o.collectStored()
					checks := o.checks()
					if len(checks) == 0 {
						t.Fatal("no filter to check: the walk found nothing")
					}
					t.Logf("%d filter pairs", len(checks))
					o.run(checks)
				})
			}
		})
	}
}

// filterRoles are the roles the filters are checked for.
var filterRoles = []string{"anonymous", "vendor", "member", "circleMember", "circleModerator", "moderator", "admin"}

// pageSize is the page every list is read with; the world is smaller, so a page is everything.
const pageSize = 40

// --- what a role sees, and what is stored ---

// oracle knows, for one role, the values it sees and those stored.
type oracle struct {
	t       *testing.T
	env     *apitest.Env
	as      *apitest.Session
	s       *schemaInfo
	visible map[string]map[string]bool // "Type.field" -> value keys seen in answers
	stored  map[string]map[string]any  // "Type.field" -> value key -> GraphQL value
}

// collectVisible reads, as the role, every root list with its fields, and below each node every
// list and object field with theirs.
func (o *oracle) collectVisible() {
	o.visible = map[string]map[string]bool{}
	for _, root := range o.s.connections(o.s.query) {
		node := o.s.types[root.node]
		var objects []string
		for _, f := range node.Fields {
			name, kind, list := f.Type.named()
			if kind == "OBJECT" && !list && len(f.Args) == 0 && len(o.s.leaves(name)) > 0 {
				objects = append(objects, fmt.Sprintf("%s { %s }", f.Name, o.selection(name)))
			}
		}
		o.read(root, fmt.Sprintf("%s(first: %d) { totalCount edges { node { %s %s } } }",
			root.field.Name, pageSize, o.selection(root.node), strings.Join(objects, " ")), root.node, nil)
		for _, c := range o.s.connections(node) {
			o.read(root, fmt.Sprintf("%s(first: %d) { totalCount edges { node { id %s(first: %d) { totalCount edges { node { %s } } } } } }",
				root.field.Name, pageSize, c.field.Name, pageSize, o.selection(c.node)), root.node, &c)
		}
	}
}

// selection selects a type's leaves.
func (o *oracle) selection(typeName string) string {
	var names []string
	for _, l := range o.s.leaves(typeName) {
		names = append(names, l.name)
	}
	return strings.Join(names, " ")
}

// read runs one listing and notes the values in it.
func (o *oracle) read(root connection, query, typeName string, inner *connection) {
	res := o.as.Post(o.t, "{ "+query+" }", nil)
	var data map[string]struct {
		TotalCount int
		Edges      []struct{ Node map[string]json.RawMessage }
	}
	if err := json.Unmarshal(res.Data, &data); err != nil || data == nil {
		o.t.Fatalf("listing %s: %v %+v", root.field.Name, err, res.Errors)
	}
	page := data[root.field.Name]
	if page.TotalCount > pageSize {
		o.t.Fatalf("%s has %d rows, more than a page: enlarge pageSize", root.field.Name, page.TotalCount)
	}
	for _, e := range page.Edges {
		if inner == nil {
			o.note(typeName, e.Node)
			for name, raw := range e.Node {
				if obj := o.objectType(typeName, name); obj != "" && string(raw) != "null" {
					var m map[string]json.RawMessage
					_ = json.Unmarshal(raw, &m)
					o.note(obj, m)
				}
			}
			continue
		}
		var sub struct {
			TotalCount int
			Edges      []struct{ Node map[string]json.RawMessage }
		}
		if raw := e.Node[inner.field.Name]; raw != nil {
			_ = json.Unmarshal(raw, &sub)
		}
		if sub.TotalCount > pageSize {
			o.t.Fatalf("%s.%s has %d rows, more than a page", typeName, inner.field.Name, sub.TotalCount)
		}
		for _, n := range sub.Edges {
			o.note(inner.node, n.Node)
		}
	}
}

func (o *oracle) objectType(typeName, field string) string {
	for _, f := range o.s.types[typeName].Fields {
		if name, kind, list := f.Type.named(); f.Name == field && kind == "OBJECT" && !list {
			return name
		}
	}
	return ""
}

// note records the leaf values of one node.
func (o *oracle) note(typeName string, node map[string]json.RawMessage) {
	for _, l := range o.s.leaves(typeName) {
		raw, ok := node[l.name]
		if !ok || string(raw) == "null" {
			continue
		}
		key := typeName + "." + l.name
		if o.visible[key] == nil {
			o.visible[key] = map[string]bool{}
		}
		o.visible[key][answerKey(l, raw)] = true
	}
}

// answerKey is a value as shown in an answer, in the form valueKey gives stored values.
func answerKey(l leaf, raw json.RawMessage) string {
	var v any
	d := json.NewDecoder(strings.NewReader(string(raw)))
	d.UseNumber()
	_ = d.Decode(&v)
	if l.scalar == "Time" {
		if s, ok := v.(string); ok {
			if tm, err := time.Parse(time.RFC3339Nano, s); err == nil {
				return "t" + strconv.FormatInt(tm.UnixNano(), 10)
			}
		}
	}
	if n, ok := v.(json.Number); ok {
		f, _ := n.Float64()
		return fmt.Sprint(f)
	}
	return fmt.Sprint(v)
}

// collectStored reads every leaf value of every type from the database, beyond any rights.
func (o *oracle) collectStored() {
	o.stored = map[string]map[string]any{}
	client := reflect.ValueOf(o.env.App.Store.Client).Elem()
	ctx := reflect.ValueOf(policy.System(context.Background()))
	for name, ty := range o.s.types {
		if ty.Kind != "OBJECT" || o.s.types[name+"WhereInput"] == nil {
			continue
		}
		typed := client.FieldByName(name)
		if !typed.IsValid() {
			o.t.Fatalf("no ent client for %s", name)
		}
		res := typed.MethodByName("Query").Call(nil)[0].MethodByName("All").Call([]reflect.Value{ctx})
		if err, _ := res[1].Interface().(error); err != nil {
			o.t.Fatalf("reading %s: %v", name, err)
		}
		rows := res[0]
		for _, l := range o.s.leaves(name) {
			key := name + "." + l.name
			o.stored[key] = map[string]any{}
			for i := range rows.Len() {
				if v, ok := storedValue(rows.Index(i).Elem(), l.name); ok {
					o.stored[key][valueKey(v)] = graphQLValue(v)
				}
			}
		}
	}
}

// camelHump finds where a camel-case name changes to upper case.
var camelHump = regexp.MustCompile(`([a-z0-9])([A-Z])`)

// storedValue is an entity's field, found by its json tag (the ent name of the GraphQL field).
func storedValue(entity reflect.Value, gqlName string) (any, bool) {
	snake := strings.ToLower(camelHump.ReplaceAllString(gqlName, "${1}_${2}"))
	for i := range entity.NumField() {
		if tag, _, _ := strings.Cut(entity.Type().Field(i).Tag.Get("json"), ","); tag == snake {
			v := entity.Field(i)
			if v.Kind() == reflect.Pointer {
				if v.IsNil() {
					return nil, false
				}
				v = v.Elem()
			}
			return v.Interface(), true
		}
	}
	return nil, false
}

func valueKey(v any) string {
	switch x := v.(type) {
	case time.Time:
		return "t" + strconv.FormatInt(x.UnixNano(), 10)
	case int:
		return fmt.Sprint(float64(x))
	case float64:
		return fmt.Sprint(x)
	}
	return fmt.Sprint(v)
}

func graphQLValue(v any) any {
	if t, ok := v.(time.Time); ok {
		return t.Format(time.RFC3339Nano)
	}
	if reflect.ValueOf(v).Kind() == reflect.String {
		return fmt.Sprint(v)
	}
	return v
}

// hidden are the stored values of a leaf that the role never sees, sorted.
func (o *oracle) hidden(typeName string, l leaf) []any {
	key := typeName + "." + l.name
	var keys []string
	for k := range o.stored[key] {
		if !o.visible[key][k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := make([]any, 0, len(keys))
	for _, k := range keys {
		out = append(out, o.stored[key][k])
	}
	return out
}

// nowhere is a value of a leaf's type that is stored nowhere, or nil if there is none.
func (o *oracle) nowhere(typeName string, l leaf) any {
	switch l.scalar {
	case "String":
		return "zz-nirgends-gespeichert"
	case "ID":
		return noID
	case "Int":
		return -424242
	case "Float":
		return -4.24242e9
	case "Time":
		return "1901-02-03T04:05:06Z"
	}
	if l.kind == "ENUM" {
		for _, v := range o.s.types[l.scalar].EnumValues {
			if _, stored := o.stored[typeName+"."+l.name][v.Name]; !stored {
				return v.Name
			}
		}
	}
	return nil
}

// visibleIDs are the ids of a type the role sees.
func (o *oracle) visibleIDs(typeName string) []any {
	var ids []any
	for k := range o.visible[typeName+".id"] {
		ids = append(ids, k)
	}
	sort.Slice(ids, func(i, j int) bool { return fmt.Sprint(ids[i]) < fmt.Sprint(ids[j]) })
	return ids
}

// noID is a well-formed id that names nothing.
var noID = "org_" + strings.Repeat("0", 26)

// --- the checks ---

// check is one pair of filters that must answer alike.
type check struct {
	name         string
	at           filterAt
	hidden, none map[string]any // the where inputs
}

// filterAt is where a filter goes: a root list, or a list one level below it.
type filterAt struct {
	root  connection
	inner *connection
}

func (at filterAt) where() string {
	if at.inner != nil {
		return at.inner.where
	}
	return at.root.where
}

func (at filterAt) String() string {
	if at.inner != nil {
		return at.root.field.Name + "." + at.inner.field.Name
	}
	return at.root.field.Name
}

// checks lists every filter pair for the role.
func (o *oracle) checks() []check {
	var out []check
	for _, root := range o.s.connections(o.s.query) {
		out = append(out, o.walk(filterAt{root: root}, 2)...)
		for _, inner := range o.s.connections(o.s.types[root.node]) {
			out = append(out, o.walk(filterAt{root: root, inner: &inner}, 1)...)
		}
	}
	return out
}

// walk lists the checks of the where input at a place, through edges up to depth. Below a
// root list only leaves are checked: hasX is guarded by the same code wherever it is read.
func (o *oracle) walk(at filterAt, depth int) []check {
	var out []check
	var visit func(typeName string, path []string, depth int)
	visit = func(typeName string, path []string, depth int) {
		out = append(out, o.leafCheck(at, typeName, path)...)
		for _, e := range o.s.edges(typeName + "WhereInput") {
			if e.has != "" && at.inner == nil && len(path) < 2 && o.hidesRows(e.target) {
				out = append(out, o.hasChecks(at, path, e)...)
			}
			if depth > 0 {
				visit(e.target, append(append([]string{}, path...), e.with), depth-1)
			}
		}
	}
	visit(strings.TrimSuffix(at.where(), "WhereInput"), nil, depth)
	return out
}

// nest puts a condition at the end of a path of has…With edges.
func nest(path []string, cond map[string]any) map[string]any {
	for i := len(path) - 1; i >= 0; i-- {
		cond = map[string]any{path[i]: []any{cond}}
	}
	return cond
}

// cond is a pair of conditions at the end of a path: one on values the role never sees, one
// on values stored nowhere (or on no row).
type cond struct {
	name         string
	hidden, none map[string]any
}

// leafConds: conditions on stored values of a leaf that the role never sees, and the same on
// values stored nowhere.
func (o *oracle) leafConds(typeName string, l leaf) []cond {
	hidden := o.hidden(typeName, l)
	if len(hidden) == 0 {
		return nil
	}
	none := o.nowhere(typeName, l)
	var out []cond
	pair := func(suffix string, h, n any) {
		out = append(out, cond{name: l.name + suffix, hidden: map[string]any{l.name + suffix: h}, none: map[string]any{l.name + suffix: n}})
	}
	switch {
	case o.s.inputField(typeName+"WhereInput", l.name+"In") != nil && none != nil:
		pair("In", hidden, []any{none})
	case none != nil:
		for _, h := range hidden {
			pair("", h, none)
		}
	default: // every value is stored somewhere (booleans): compare with "no such row"
		for _, h := range hidden {
			out = append(out, cond{name: l.name, hidden: map[string]any{l.name: h}, none: map[string]any{"idIn": []any{noID}}})
		}
	}
	if o.s.inputField(typeName+"WhereInput", l.name+"HasPrefix") != nil {
		for _, h := range hidden {
			if s, ok := h.(string); ok && !o.prefixOfVisible(typeName, l, s) {
				pair("HasPrefix", s, none)
				break
			}
		}
	}
	return out
}

// leafCheck joins the conditions on every leaf of a type at the end of a path with `or`: any
// of them matching more than nothing shows.
func (o *oracle) leafCheck(at filterAt, typeName string, path []string) []check {
	var conds []cond
	for _, l := range o.s.leaves(typeName) {
		conds = append(conds, o.leafConds(typeName, l)...)
	}
	if len(conds) == 0 {
		return nil
	}
	var names []string
	var hidden, none []any
	for _, c := range conds {
		names = append(names, c.name)
		hidden, none = append(hidden, c.hidden), append(none, c.none)
	}
	name := fmt.Sprintf("%s %s (%s)", at, strings.Join(append(append([]string{}, path...), typeName), "."), strings.Join(names, " "))
	return []check{{name: name, at: at, hidden: nest(path, map[string]any{"or": hidden}), none: nest(path, map[string]any{"or": none})}}
}

// prefixOfVisible tells whether a value the role sees starts with s.
func (o *oracle) prefixOfVisible(typeName string, l leaf, s string) bool {
	for k := range o.visible[typeName+"."+l.name] {
		if strings.HasPrefix(k, s) {
			return true
		}
	}
	return false
}

// hidesRows tells whether the role cannot see some stored row of a type.
func (o *oracle) hidesRows(typeName string) bool {
	for k := range o.stored[typeName+".id"] {
		if !o.visible[typeName+".id"][k] {
			return true
		}
	}
	return false
}

// hasChecks: `hasX: true/false` answers like "has (no) X among those the role sees".
func (o *oracle) hasChecks(at filterAt, path []string, e edge) []check {
	ids := o.visibleIDs(e.target)
	if len(ids) == 0 {
		ids = []any{noID}
	}
	visible := map[string]any{e.with: []any{map[string]any{"idIn": ids}}}
	name := fmt.Sprintf("%s %s.%s", at, strings.Join(path, "."), e.has)
	return []check{
		{name: name + ": true", at: at, hidden: nest(path, map[string]any{e.has: true}), none: nest(path, visible)},
		{name: name + ": false", at: at, hidden: nest(path, map[string]any{e.has: false}), none: nest(path, map[string]any{"not": visible})},
	}
}

// run sends the checks in batches (one alias per filter) and compares the answers of each pair.
func (o *oracle) run(checks []check) {
	var atRoot, below []check
	for _, c := range checks {
		if c.at.inner == nil {
			atRoot = append(atRoot, c)
		} else {
			below = append(below, c)
		}
	}
	o.runBatches(atRoot, 14) // two aliases each, under the limit of 30
	o.runBatches(below, 10)  // lists in lists: under the complexity limit
}

// runBatches sends checks, batch pairs per request.
func (o *oracle) runBatches(checks []check, batch int) {
	for start := 0; start < len(checks); start += batch {
		part := checks[start:min(start+batch, len(checks))]
		var fields, params []string
		vars := map[string]any{}
		for i, c := range part {
			for _, side := range []string{"h", "n"} {
				alias := fmt.Sprintf("%s%d", side, i)
				where := c.hidden
				if side == "n" {
					where = c.none
				}
				vars[alias] = where
				params = append(params, fmt.Sprintf("$%s: %s", alias, c.at.where()))
				fields = append(fields, o.listing(alias, c.at))
			}
		}
		res := o.as.Post(o.t, fmt.Sprintf("query(%s) { %s }", strings.Join(params, ", "), strings.Join(fields, " ")), vars)
		var data map[string]json.RawMessage
		_ = json.Unmarshal(res.Data, &data)
		errs := map[string][]string{}
		for _, e := range res.Errors {
			if len(e.Path) > 0 {
				alias := fmt.Sprint(e.Path[0])
				errs[alias] = append(errs[alias], e.Code())
			} else {
				o.t.Fatalf("request failed: %+v", res.Errors)
			}
		}
		for i, c := range part {
			h, n := fmt.Sprintf("h%d", i), fmt.Sprintf("n%d", i)
			if string(data[h]) != string(data[n]) || fmt.Sprint(errs[h]) != fmt.Sprint(errs[n]) {
				hv, _ := json.Marshal(c.hidden)
				o.t.Errorf("%s: the filter on what the role cannot read answers %s %v, one on nothing %s %v\nfilter: %s",
					c.name, data[h], errs[h], data[n], errs[n], hv)
			}
		}
	}
}

// listing selects the ids a filter at a place finds.
func (o *oracle) listing(alias string, at filterAt) string {
	if at.inner == nil {
		return fmt.Sprintf("%s: %s(first: %d, where: $%s) { totalCount edges { node { id } } }", alias, at.root.field.Name, pageSize, alias)
	}
	return fmt.Sprintf("%s: %s(first: %d) { edges { node { id %s(first: %d, where: $%s) { totalCount edges { node { id } } } } } }",
		alias, at.root.field.Name, pageSize/2, at.inner.field.Name, pageSize, alias)
}
