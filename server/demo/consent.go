package demo

import (
	"context"

	"zirkel/ent/circlejoinrequest"
)

// loadConsent writes what waits for someone's yes: an invitation to co-author a draft and
// requests to join the closed CDO-Zirkel, one open and one declined with a reason.
func (l *loader) loadConsent(ctx context.Context) error {
	practiceIDs, err := l.practiceIDs(ctx, "KPI-Katalog für Chief Digital Officers")
	if err != nil {
		return err
	}
	people, err := lookup("member", l.members, "hahn", "brandt", "schmitt", "lange", "hartmann")
	if err != nil {
		return err
	}
	hahn, brandt, schmitt, lange, hartmann := people[0], people[1], people[2], people[3], people[4]
	err = l.client.AuthorshipInvitation.Create().
		SetPracticeID(practiceIDs[0]).SetInviterID(hahn).SetInviteeID(brandt).
		SetCreatedAt(l.daysAgo(2, 9)).SetUpdatedAt(l.daysAgo(2, 9)).Exec(ctx)
	if err != nil {
		return err
	}
	cdo, err := lookupOne("circle", l.circles, "cdo-zirkel")
	if err != nil {
		return err
	}
	err = l.client.CircleJoinRequest.Create().SetCircleID(cdo).SetMemberID(schmitt).
		SetMessage("Ich bin seit Kurzem auch CDO in Norderstedt und würde gern mitlesen und beitragen.").
		SetCreatedAt(l.daysAgo(1, 16)).SetUpdatedAt(l.daysAgo(1, 16)).Exec(ctx)
	if err != nil {
		return err
	}
	decided := l.daysAgo(3, 11)
	return l.client.CircleJoinRequest.Create().SetCircleID(cdo).SetMemberID(lange).
		SetMessage("Darf ich als Digitalisierungsbeauftragter dabei sein?").
		SetStatus(circlejoinrequest.StatusDECLINED).SetDecidedByID(hartmann).SetDecidedAt(decided).
		SetReason("Der CDO-Zirkel ist für CDOs gedacht; in der offenen Low-Code-Werkstatt bist du herzlich willkommen.").
		SetCreatedAt(l.daysAgo(4, 8)).SetUpdatedAt(decided).Exec(ctx)
}
