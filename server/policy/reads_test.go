package policy_test

import (
	"testing"

	"zirkel/ent"
	"zirkel/server/policy"
)

// TestEveryTypeHasReadRules: filters reaching a type without rules would fail (closed); every
// type of the schema must declare who may read its rows.
func TestEveryTypeHasReadRules(t *testing.T) {
	for name := range ent.SchemaInfo {
		t.Run(name, func(t *testing.T) {
			if !policy.HasRules(name) {
				t.Fatalf("%s has no rows rule in server/policy (add it to readRules)", name)
			}
		})
	}
}
