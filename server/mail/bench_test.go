package mail_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"zirkel/ent"
	"zirkel/ent/member"
	"zirkel/ent/outboxmail"
	"zirkel/ent/schema/gid"
	"zirkel/server/apitest"
	"zirkel/server/mail"
	"zirkel/server/policy"
	"zirkel/server/store"
)

// benchMembers is the number of members of the digest and fan-out benchmarks.
const benchMembers = 5000

// openBench opens a fresh database of the backend with benchMembers members.
func openBench(b *testing.B, backend string) (*store.Store, []gid.ID) {
	b.Helper()
	opts := store.Options{DataDir: b.TempDir()}
	if backend == "postgres" {
		opts.DatabaseURL = apitest.FreshPostgres(b)
	}
	ctx := policy.System(context.Background())
	st, err := store.Open(ctx, opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	var ids []gid.ID
	for start := 0; start < benchMembers; start += 1000 {
		creates := make([]*ent.MemberCreate, 1000)
		for i := range creates {
			n := start + i
			creates[i] = st.Client.Member.Create().SetDisplayName(fmt.Sprintf("Mitglied %d", n)).
				SetEmail(fmt.Sprintf("bench%d@kreis.example", n)).SetCommunityRole(member.CommunityRoleCDO)
		}
		ms, err := st.Client.Member.CreateBulk(creates...).Save(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for _, m := range ms {
			ids = append(ids, m.ID)
		}
	}
	return st, ids
}

// BenchmarkDigests5000 measures BuildDigests for 5,000 members with 3 pending weekly items
// each (15,000 items into 5,000 digest mails), on each database.
func BenchmarkDigests5000(b *testing.B) {
	for _, backend := range apitest.Backends {
		b.Run(backend, func(b *testing.B) {
			st, ids := openBench(b, backend)
			ctx := context.Background()
			for b.Loop() {
				b.StopTimer()
				enqueueBench(b, st, ids, 3)
				b.StartTimer()
				n, err := mail.BuildDigests(ctx, st.Client, time.Now().AddDate(0, 0, 8))
				if err != nil || n != benchMembers {
					b.Fatalf("wrote %d digests: %v", n, err)
				}
				b.StopTimer()
				if _, err := st.Client.OutboxMail.Delete().Where(outboxmail.StatusIn(outboxmail.StatusDIGESTED, outboxmail.StatusPENDING)).Exec(policy.System(ctx)); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}

// BenchmarkEnqueue5000 measures storing one event's mail for 5,000 members in one
// transaction (the fan-out of an event to its followers).
func BenchmarkEnqueue5000(b *testing.B) {
	for _, backend := range apitest.Backends {
		b.Run(backend, func(b *testing.B) {
			st, ids := openBench(b, backend)
			for b.Loop() {
				enqueueBench(b, st, ids, 1)
			}
		})
	}
}

// enqueueBench enqueues per items to every member (DISCUSSION: weekly by default).
func enqueueBench(b *testing.B, st *store.Store, ids []gid.ID, per int) {
	b.Helper()
	ctx := context.Background()
	items := make([]mail.Item, 0, len(ids)*per)
	for _, id := range ids {
		for i := range per {
			items = append(items, mail.Item{MemberID: id, Kind: "DISCUSSION", Title: fmt.Sprintf("Neue Diskussion %d: Low Code im Bauamt", i),
				Link: "/discussions/dis_x", Lines: []string{"Wer hat Erfahrung mit Low-Code-Plattformen im Bauamt?"}})
		}
	}
	tx, err := st.Client.Tx(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if err := mail.Enqueue(ctx, tx.Client(), st.Dialect, items...); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}
