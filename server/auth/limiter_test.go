package auth_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"regexp"
	"testing"

	"zirkel/server/apitest"
	"zirkel/server/apperr"
	"zirkel/server/auth"
	"zirkel/server/policy"
)

// TestFailedLoginsCountOnEveryReplica: guessing spread over two replicas is slowed down as if
// it went to one (the counts live in the database), and the counts name no account.
func TestFailedLoginsCountOnEveryReplica(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		env.NewMember(t, apitest.Spec{Email: "kmu@kreis.example"})
		other, err := auth.New(env.App.Store.Client, auth.DefaultConfig, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		replicas := []*auth.Service{env.App.Auth, other}
		login := func(replica int, password string) error {
			_, err := replicas[replica].Login(context.Background(), auth.LoginRequest{
				Directory: auth.LocalDirectory, Username: "kmu@kreis.example", Password: password, ClientIP: "192.0.2.7",
			})
			return err
		}
		for i := range 6 { // three wrong passwords through each replica
			if err := login(i%2, "falsch"); !errors.Is(err, auth.ErrUnauthenticated) {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		err = login(1, apitest.Password)
		var e *apperr.Error
		if !errors.As(err, &e) || e.Code != "TOO_MANY_ATTEMPTS" {
			t.Fatalf("the sixth failure across replicas must slow the account down, got %v", err)
		}
		rows := env.App.Store.Client.LoginThrottle.Query().AllX(policy.System(context.Background()))
		hexKey := regexp.MustCompile(`^[0-9a-f]{64}$`)
		for _, r := range rows {
			if !hexKey.MatchString(r.Key) {
				t.Fatalf("a throttle key must be a hash, got %q", r.Key)
			}
		}
		if len(rows) != 2 {
			t.Fatalf("want one count for the account and one for the address, got %d", len(rows))
		}
	})
}
