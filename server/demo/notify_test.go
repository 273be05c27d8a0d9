package demo_test

import (
	"context"
	"testing"

	"zirkel/ent/outboxmail"
	"zirkel/ent/schema/gid"
	"zirkel/server/policy"

	"zirkel/server/apitest"
	"zirkel/server/auth"
	"zirkel/server/config"
	"zirkel/server/demo"
)

// TestDemoMemberHasNotifications: the demo community, loaded through the app (so the event
// pipeline writes notifications as it commits), shows its login member unread notifications of
// replies in the discussions they follow, each about something they may read.
func TestDemoMemberHasNotifications(t *testing.T) {
	for _, backend := range apitest.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			env := apitest.Start(t, backend, func(c *config.Config) { c.Demo, c.DemoPassword = true, "Demo-Benachrichtigung-1" })
			admin := env.Login(t, auth.LocalDirectory, demo.AdminEmail, "Demo-Benachrichtigung-1")
			var out struct {
				Notifications struct {
					UnreadCount int
					Edges       []struct {
						Node struct {
							Kind    string
							Count   int
							Subject *struct{ ID string }
							Actor   *struct{ ID string }
						}
					}
				}
			}
			admin.MustPost(t, `{ notifications(first: 50) { unreadCount edges { node { kind count subject { id } actor { id } } } } }`, nil, &out)
			n := out.Notifications
			if n.UnreadCount < 2 || len(n.Edges) < 2 {
				t.Fatalf("the demo member has %d unread notifications: %+v", n.UnreadCount, n)
			}
			kinds := map[string]bool{}
			for _, e := range n.Edges {
				if e.Node.Subject == nil || e.Node.Count < 1 {
					t.Fatalf("a demo notification without a readable subject: %+v", e.Node)
				}
				kinds[e.Node.Kind] = true
			}
			if !kinds["REPLY"] {
				t.Fatalf("no REPLY among the demo notifications: %v", kinds)
			}
			// New discussions in the followed topics go to the weekly digest (the quiet default),
			// which the demo builds at load: one weekly digest mail, its items gathered into it.
			sys := policy.System(context.Background())
			outbox := env.App.Store.Client.OutboxMail.Query().Where(outboxmail.MemberID(gid.ID(admin.MemberID)))
			digests, err := outbox.Clone().Where(outboxmail.KindEQ(outboxmail.KindDIGEST), outboxmail.PeriodEQ(outboxmail.PeriodWEEKLY)).Count(sys)
			if err != nil || digests != 1 {
				t.Fatalf("the demo member has %d weekly digests, want 1 (%v)", digests, err)
			}
			gathered, err := outbox.Clone().Where(outboxmail.StatusEQ(outboxmail.StatusDIGESTED)).Count(sys)
			if err != nil || gathered == 0 {
				t.Fatalf("no items were gathered into the demo's digest (%v)", err)
			}
			if waiting, err := outbox.Clone().Where(outboxmail.StatusEQ(outboxmail.StatusDIGEST_PENDING)).Count(sys); err != nil || waiting != 0 {
				t.Fatalf("%d items still wait for a digest (%v)", waiting, err)
			}
		})
	}
}
