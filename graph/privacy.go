package graph

import (
	"context"
	"encoding/json"

	"zirkel/ent"
	"zirkel/ent/schema/gid"
	"zirkel/graph/model"
	"zirkel/server/privacy"
)

// exporterOr is the exporter of the dependencies, or one over the client that records exports
// only in a discarded log.
func exporterOr(d Deps) *privacy.Exporter {
	if d.Exporter != nil {
		return d.Exporter
	}
	return privacy.NewExporter(d.Client, nil)
}

// privacySettingsOf is a member's privacy settings as the API shows them.
func privacySettingsOf(m *ent.Member) *model.PrivacySettings {
	return &model.PrivacySettings{EmailVisibility: m.EmailVisibility, FindableAsExpert: m.FindableAsExpert, ContactAboutPractices: m.ContactAboutPractices}
}

// updatePrivacySettings changes the viewer's own settings (policy.Member allows a member to
// change these fields of their own row).
func updatePrivacySettings(ctx context.Context, in model.PrivacySettingsInput) (*model.PrivacySettings, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nil, err
	}
	u := ent.FromContext(ctx).Member.UpdateOneID(v.MemberID)
	if in.EmailVisibility != nil {
		u.SetEmailVisibility(*in.EmailVisibility)
	}
	if in.FindableAsExpert != nil {
		u.SetFindableAsExpert(*in.FindableAsExpert)
	}
	if in.ContactAboutPractices != nil {
		u.SetContactAboutPractices(*in.ContactAboutPractices)
	}
	m, err := u.Save(ctx)
	if err != nil {
		return nil, err
	}
	return privacySettingsOf(m), nil
}

// exportData runs an export (privacy.Exporter decides who may) and shapes it for the API.
func exportData(ctx context.Context, e *privacy.Exporter, memberID gid.ID, reason string) (*model.PersonalDataExport, error) {
	doc, err := e.Export(ctx, memberID, reason)
	if err != nil {
		return nil, err
	}
	whole, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	out := &model.PersonalDataExport{MemberID: doc.MemberID, GeneratedAt: doc.GeneratedAt, JSON: string(whole)}
	for _, s := range doc.Sections {
		rows, err := json.Marshal(s.Rows)
		if err != nil {
			return nil, err
		}
		out.Sections = append(out.Sections, &model.PersonalDataSection{Name: s.Name, Description: s.Description, Count: len(s.Rows), Rows: string(rows)})
	}
	return out, nil
}
