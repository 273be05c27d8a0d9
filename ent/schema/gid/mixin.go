package gid

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"
)

// Mixin gives a schema a global id with the given prefix as its primary key.
type Mixin struct {
	mixin.Schema
	prefix string
}

// NewMixin registers prefix for table and returns the mixin for that schema.
func NewMixin(prefix, table string) Mixin {
	Register(prefix, table)
	return Mixin{prefix: prefix}
}

// Fields implements ent.Mixin.
func (m Mixin) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").
			GoType(ID("")).
			DefaultFunc(func() ID { return New(m.prefix) }).
			MaxLen(40).
			NotEmpty().
			Immutable(),
	}
}
