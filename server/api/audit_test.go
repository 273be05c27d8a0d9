package api_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"zirkel/server/apitest"
	"zirkel/server/config"
)

// auditResult is one audit of graphql-http's server audit suite, as testdata/audit/audit.mjs
// prints it.
type auditResult struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Status         string `json:"status"` // ok, notice (a failed MAY), warn (SHOULD), error (MUST)
	Reason         string `json:"reason"`
	ResponseStatus int    `json:"responseStatus"`
	ResponseBody   string `json:"responseBody"`
}

// TestGraphQLOverHTTPAudit runs the reference audit of the GraphQL-over-HTTP specification
// (the npm package graphql-http) against the real server: no failed MUST (error) and no
// failed SHOULD (warning). Introspection is on, as in demo mode, because some audits ask for
// `__type`; .ci/test installs Node and the audit's packages (npm ci).
func TestGraphQLOverHTTPAudit(t *testing.T) {
	dir := auditDir(t)
	env := apitest.Start(t, "sqlite", func(c *config.Config) { c.Introspection = true })
	out, err := exec.Command("node", filepath.Join(dir, "audit.mjs"), env.URL+"/graphql").Output()
	if err != nil {
		t.Fatalf("running the audit: %v\n%s", err, stderrOf(err))
	}
	var results []auditResult
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("decoding the audit's results: %v\n%s", err, out)
	}
	if len(results) < 50 {
		t.Fatalf("the audit ran only %d checks", len(results))
	}
	for _, r := range results {
		switch r.Status {
		case "error", "warn":
			t.Errorf("%s %s %q: %s (HTTP %d: %s)", r.Status, r.ID, r.Name, r.Reason, r.ResponseStatus, r.ResponseBody)
		case "notice":
			t.Logf("notice %s %q: %s", r.ID, r.Name, r.Reason)
		}
	}
}

// auditDir is testdata/audit with its node modules installed (npm ci when they are missing).
func auditDir(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is required for the GraphQL-over-HTTP audit (.ci/test installs it): %v", tool, err)
		}
	}
	dir, err := filepath.Abs(filepath.Join("testdata", "audit"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "graphql-http", "package.json")); err != nil {
		cmd := exec.Command("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
		}
	}
	return dir
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
