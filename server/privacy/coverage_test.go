package privacy

import (
	"slices"
	"sort"
	"testing"

	"zirkel/ent"
	"zirkel/ent/member"
)

// TestExportCoversEveryPersonalEdge walks ent's schema: every edge that points to a member
// (from any type), every edge of Member and every field of Member must be exported by a
// section or excluded with a reason. A new type or field that concerns members fails here
// until someone decides.
func TestExportCoversEveryPersonalEdge(t *testing.T) {
	covered := map[string]string{}
	for _, s := range Sections() {
		for _, c := range s.Covers {
			if prev, ok := covered[c]; ok {
				t.Errorf("%s is covered by both %s and %s", c, prev, s.Name)
			}
			covered[c] = s.Name
		}
	}
	for c, reason := range Excluded {
		if reason == "" {
			t.Errorf("%s is excluded without a reason", c)
		}
		if s, ok := covered[c]; ok {
			t.Errorf("%s is both excluded and covered by %s", c, s)
		}
	}
	memberTable := ent.SchemaInfo["Member"].Table
	var want []string
	for typ, info := range ent.SchemaInfo {
		for name, e := range info.Edges {
			if typ == "Member" || e.Table == memberTable {
				want = append(want, typ+"."+name)
			}
		}
	}
	for _, f := range member.Columns {
		want = append(want, "Member."+f)
	}
	sort.Strings(want)
	for _, w := range want {
		if _, ok := covered[w]; !ok && Excluded[w] == "" {
			t.Errorf("%s concerns a member but no export section covers it (add it to a section's Covers, or to Excluded with the reason)", w)
		}
	}
	for c := range covered {
		if !slices.Contains(want, c) {
			t.Errorf("a section covers %s, which is not in the schema (renamed?)", c)
		}
	}
	for c := range Excluded {
		if !slices.Contains(want, c) {
			t.Errorf("Excluded names %s, which is not in the schema (renamed?)", c)
		}
	}
}
