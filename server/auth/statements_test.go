package auth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"zirkel/server/apitest"
	"zirkel/server/app"
	"zirkel/server/auth/ldaptest"
	"zirkel/server/policy"
)

// TestRepeatedLoginStatements counts the SQL statements of a directory login by a member who
// logged in before that day, unchanged in the directory: the failure counts (one read), the
// member with their organisation (one read) and the session (one insert). Provisioning writes
// nothing then, and the day of the last login is stored already.
func TestRepeatedLoginStatements(t *testing.T) {
	srv := ldaptest.Start(t, ldaptest.MusterhausenFixture())
	for _, backend := range apitest.Backends {
		t.Run(backend, func(t *testing.T) {
			env := apitest.Start(t, backend, nil, app.WithDirectories(directoryConfig(srv, "musterhausen", musterhausenAGS, false)))
			env.App.Store.Client.Organisation.Create().SetName("Landkreis Musterhausen").SetKind("LANDKREIS").SetAgs(musterhausenAGS).
				SaveX(policy.System(context.Background()))
			body, _ := json.Marshal(map[string]string{"query": `mutation { login(input: {directory: "musterhausen", username: "anna", password: "Geheim-anna-1"}) { token } }`})
			client := &http.Client{}
			var previous time.Time // the day when the previous login started
			for i := range 3 {
				var err error
				day := policy.LoginDay(time.Now())
				n := env.Statements(func() { err = login(client, env.URL, body) })
				if err != nil {
					t.Fatalf("login %d: %v", i, err)
				}
				sameDay := policy.LoginDay(time.Now()).Equal(previous) // past midnight a login writes the new day
				previous = day
				if i > 0 && sameDay && n != 3 {
					t.Errorf("login %d cost %d statements, want 3", i, n)
				}
			}
		})
	}
}
