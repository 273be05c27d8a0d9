package graph

import (
	"reflect"
	"strings"
	"testing"

	"zirkel/graph/generated"
	"zirkel/server/live"
	"zirkel/server/render"
)

// viewerIndependent are the resolvers inside the live shapes, each reviewed: its value is the
// same for every viewer who may see the event (or differs by audience only).
var viewerIndependent = map[string]string{
	"Message.vendorLabel": "from the author's organisation, loaded with the message",
	"Message.reactions":   "counts stored on the message",
}

// TestLiveShapesNameKnownFieldsWithoutViewerDependentResolvers: a field in a shape is
// rendered once for everyone who may see the event. Every field named must exist, and a field
// computed by a resolver (which might look at the viewer) must have been reviewed above; a new
// resolver on a shape's field fails here until someone looks at it.
func TestLiveShapesNameKnownFieldsWithoutViewerDependentResolvers(t *testing.T) {
	schema := NewSchema(Deps{}).Schema()
	roots := reflect.TypeOf((*generated.ResolverRoot)(nil)).Elem()
	var walk func(typeName string, shape render.Shape)
	walk = func(typeName string, shape render.Shape) {
		def := schema.Types[typeName]
		if def == nil {
			t.Fatalf("unknown type %s", typeName)
		}
		resolvers := map[string]bool{}
		if m, ok := roots.MethodByName(typeName); ok {
			iface := m.Type.Out(0)
			for i := range iface.NumMethod() {
				name := iface.Method(i).Name
				resolvers[strings.ToLower(name[:1])+name[1:]] = true
			}
		}
		for field, child := range shape {
			fd := def.Fields.ForName(field)
			if fd == nil {
				t.Errorf("%s has no field %s", typeName, field)
				continue
			}
			if resolvers[field] && viewerIndependent[typeName+"."+field] == "" {
				t.Errorf("%s.%s has a resolver that may depend on the viewer: review it before sharing its rendering", typeName, field)
			}
			if child != nil {
				walk(fd.Type.Name(), child)
			}
		}
	}
	for field, shape := range map[string]render.Shape{"messageAdded": live.MessageShape, "messageUpdated": live.MessageShape, "typing": live.TypingShape} {
		walk(schema.Subscription.Fields.ForName(field).Type.Name(), shape)
	}
}
