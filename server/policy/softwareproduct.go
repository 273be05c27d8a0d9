package policy

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/organisation"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/ent/softwareproduct"
	"zirkel/ent/softwareusage"
	"zirkel/server/viewer"
)

// SoftwareProductRows: members read the catalogue, anonymous visitors do not.
func SoftwareProductRows(v *viewer.Viewer) predicate.SoftwareProduct {
	if v == nil {
		return softwareproduct.IDIn()
	}
	return nil
}

// SoftwareProduct: see SoftwareProductRows; members other than vendors add products ("no
// sales show"); admins correct them.
func SoftwareProduct() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{queryRows[*ent.SoftwareProductQuery](SoftwareProductRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, allowAdmins, privacy.SoftwareProductMutationRuleFunc(func(ctx context.Context, m *ent.SoftwareProductMutation) error {
			if m.Op().Is(ent.OpCreate) && !viewerOf(ctx).IsVendor() {
				return privacy.Allow
			}
			return privacy.Denyf("members other than vendors add products; admins change them")
		})},
	}
}

// MayReadSoftwareUsages reports whether v reads single usages (which organisation uses what,
// how satisfied, notes, whom to ask): members do; anonymous visitors and vendors do not ("no
// sales show"); vendors learn the landscape only as aggregates over at least
// anonymity.K organisations, computed by the server.
func MayReadSoftwareUsages(v *viewer.Viewer) bool { return v != nil && !v.IsVendor() }

// SoftwareUsageRows: see MayReadSoftwareUsages.
func SoftwareUsageRows(v *viewer.Viewer) predicate.SoftwareUsage {
	if !MayReadSoftwareUsages(v) {
		return none[predicate.SoftwareUsage]()
	}
	return nil
}

// SoftwareUsage: see SoftwareUsageRows; an organisation's members (not vendors) record
// and change its usages.
func SoftwareUsage() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{queryRows[*ent.SoftwareUsageQuery](SoftwareUsageRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, allowAdmins, privacy.SoftwareUsageMutationRuleFunc(func(ctx context.Context, m *ent.SoftwareUsageMutation) error {
			v := viewerOf(ctx)
			if v.IsVendor() || v.OrganisationID == "" {
				return privacy.Denyf("an organisation's members record its software")
			}
			if org, ok := m.OrganisationID(); ok && org == v.OrganisationID {
				return privacy.Allow
			}
			if id, ok := m.ID(); ok && m.Op().Is(ent.OpUpdateOne) {
				own, err := m.Client().SoftwareUsage.Query().
					Where(softwareusage.ID(id), softwareusage.HasOrganisationWith(organisation.ID(v.OrganisationID))).Exist(System(ctx))
				if err != nil {
					return err
				}
				if own {
					return privacy.Allow
				}
			}
			return privacy.Denyf("an organisation's members record its software")
		})},
	}
}
