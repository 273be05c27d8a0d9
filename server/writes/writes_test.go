package writes_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"zirkel/ent/schema/gid"
	"zirkel/ent/topic"
	"zirkel/server/apitest"
	"zirkel/server/policy"
	"zirkel/server/pubsub"
	"zirkel/server/store"
	"zirkel/server/writes"
)

// openStore opens a fresh store on the backend.
func openStore(t *testing.T, backend string) *store.Store {
	t.Helper()
	opts := store.Options{DataDir: t.TempDir()}
	if backend == "postgres" {
		opts.DatabaseURL = apitest.FreshPostgres(t)
	}
	st, err := store.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func TestGenerationMovesOnWritesOnly(t *testing.T) {
	for _, backend := range apitest.Backends {
		t.Run(backend, func(t *testing.T) {
			st := openStore(t, backend)
			ctx := policy.System(context.Background())
			c := st.Client
			moved := func(what string, want bool, f func() error) {
				t.Helper()
				before := st.Writes.Current()
				if err := f(); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				if got := st.Writes.Current() != before; got != want {
					t.Fatalf("%s: generation moved %v, want %v", what, got, want)
				}
			}
			var id gid.ID
			moved("create", true, func() error {
				tp, err := c.Topic.Create().SetSlug("low-code").SetName("Low Code").Save(ctx)
				if err == nil {
					id = tp.ID
				}
				return err
			})
			moved("query", false, func() error { _, err := c.Topic.Query().Where(topic.Slug("low-code")).All(ctx); return err })
			moved("count", false, func() error { _, err := c.Topic.Query().Count(ctx); return err })
			moved("update", true, func() error { return c.Topic.UpdateOneID(id).SetName("Low-Code").Exec(ctx) })
			moved("raw statement", true, func() error {
				_, err := c.ExecContext(ctx, "UPDATE topics SET name = name")
				return err
			})
			moved("raw select", false, func() error {
				rows, err := c.QueryContext(ctx, "SELECT name FROM topics")
				if err == nil {
					err = rows.Close()
				}
				return err
			})
			rolledBack := errors.New("rolled back")
			moved("rolled-back transaction", false, func() error {
				tx, err := c.Tx(ctx)
				if err != nil {
					return err
				}
				if err := tx.Topic.UpdateOneID(id).SetName("Nie").Exec(ctx); err != nil {
					return err
				}
				if tx.Rollback() == nil {
					return nil
				}
				return rolledBack
			})
			var inTx uint64
			moved("committed transaction", true, func() error {
				tx, err := c.Tx(ctx)
				if err != nil {
					return err
				}
				if err := tx.Topic.UpdateOneID(id).SetName("Low Code").Exec(ctx); err != nil {
					return err
				}
				inTx = st.Writes.Current() // written, not yet visible: not yet moved
				return tx.Commit()
			})
			if st.Writes.Current() == inTx {
				t.Fatal("the commit did not move the generation")
			}
		})
	}
}

func TestGenerationIsShared(t *testing.T) {
	nats, err := pubsub.Open(apitest.NATSURL())
	if err != nil {
		t.Fatalf("NATS is required: %v", err)
	}
	t.Cleanup(func() { _ = nats.Close() })
	for name, broker := range map[string]pubsub.Broker{"in-process": pubsub.NewLocal(), "nats": nats} {
		t.Run(name, func(t *testing.T) {
			one, two := writes.New(), writes.New()
			for _, g := range []*writes.Generation{one, two} {
				stop, err := g.Share(broker, slog.New(slog.DiscardHandler))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(stop)
			}
			before := two.Current()
			one.Advance()
			deadline := time.Now().Add(10 * time.Second)
			for two.Current() == before {
				if time.Now().After(deadline) {
					t.Fatal("the other replica's generation did not move")
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
}
