package graph_test

import (
	"regexp"
	"strings"
	"testing"

	"zirkel/server/apitest"
)

// The schema as introspection shows it: what TestFiltersSeeNoMoreThanTheViewer walks.

type typeRef struct {
	Kind, Name string
	OfType     *typeRef
}

// named is the named type under lists and non-nulls; list tells whether there was a list.
func (r *typeRef) named() (name, kind string, list bool) {
	for r.OfType != nil {
		list = list || r.Kind == "LIST"
		r = r.OfType
	}
	return r.Name, r.Kind, list
}

type gqlField struct {
	Name string
	Args []struct {
		Name string
		Type typeRef
	}
	Type typeRef
}

type gqlType struct {
	Kind, Name  string
	Fields      []gqlField
	InputFields []gqlField
	EnumValues  []struct{ Name string }
}

type schemaInfo struct {
	types map[string]*gqlType
	query *gqlType
}

func introspect(t *testing.T, as *apitest.Session) *schemaInfo {
	t.Helper()
	var out struct {
		Schema struct {
			QueryType struct{ Name string }
			Types     []*gqlType
		} `json:"__schema"`
	}
	as.MustPost(t, `{ __schema { queryType { name } types { kind name
		fields { name args { name type { ...T } } type { ...T } }
		inputFields { name type { ...T } } enumValues { name } } } }
		fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`, nil, &out)
	s := &schemaInfo{types: map[string]*gqlType{}}
	for _, ty := range out.Schema.Types {
		s.types[ty.Name] = ty
	}
	s.query = s.types[out.Schema.QueryType.Name]
	return s
}

// orderValues are the values of an order enum (none if the type has none).
func orderValues(order *gqlType) []string {
	var out []string
	if order != nil {
		for _, v := range order.EnumValues {
			out = append(out, v.Name)
		}
	}
	return out
}

// connection is a field that lists nodes of a type with a where filter.
type connection struct {
	field gqlField
	node  string // the node type
	where string // the where input type
}

// connections are the connection fields of a type that take a where filter.
func (s *schemaInfo) connections(ty *gqlType) []connection {
	var out []connection
	for _, f := range ty.Fields {
		conn, _, _ := f.Type.named()
		where := ""
		for _, a := range f.Args {
			if a.Name == "where" {
				where, _, _ = a.Type.named()
			}
		}
		if where == "" || !strings.HasSuffix(conn, "Connection") {
			continue
		}
		out = append(out, connection{field: f, node: strings.TrimSuffix(where, "WhereInput"), where: where})
	}
	return out
}

// edge is a has…With condition of a where input.
type edge struct{ with, has, target string }

var hasWith = regexp.MustCompile(`^has([A-Z].*)With$`)

func (s *schemaInfo) edges(where string) []edge {
	var out []edge
	in := s.types[where]
	for _, f := range in.InputFields {
		m := hasWith.FindStringSubmatch(f.Name)
		target, _, _ := f.Type.named()
		if m == nil || !strings.HasSuffix(target, "WhereInput") {
			continue
		}
		e := edge{with: f.Name, target: strings.TrimSuffix(target, "WhereInput")}
		if s.inputField(where, "has"+m[1]) != nil {
			e.has = "has" + m[1]
		}
		out = append(out, e)
	}
	return out
}

func (s *schemaInfo) inputField(input, name string) *gqlField {
	if s.types[input] == nil {
		return nil
	}
	for i, f := range s.types[input].InputFields {
		if f.Name == name {
			return &s.types[input].InputFields[i]
		}
	}
	return nil
}

// leaf is a field of a type that its where input filters on.
type leaf struct {
	name, scalar, kind string // kind: SCALAR or ENUM
}

// leaves are the fields of a type that are both shown (a scalar or enum, no arguments) and
// filtered on by its where input.
func (s *schemaInfo) leaves(typeName string) []leaf {
	var out []leaf
	ty := s.types[typeName]
	for _, f := range ty.Fields {
		name, kind, list := f.Type.named()
		if list || len(f.Args) > 0 || (kind != "SCALAR" && kind != "ENUM") || s.inputField(typeName+"WhereInput", f.Name) == nil {
			continue
		}
		out = append(out, leaf{name: f.Name, scalar: name, kind: kind})
	}
	return out
}
