package auth_test

import (
	"testing"

	"zirkel/server/apitest"
)

// TestDirectoryTextIsCleaned: names and titles from a directory that hold control characters
// (which Zirkel never stores) are stored as single clean lines, so the member can still log
// in, and logging in again writes nothing new.
func TestDirectoryTextIsCleaned(t *testing.T) {
	for _, backend := range apitest.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, backend)
			w.muster.SetAttribute(t, "anna", "cn", "Anna\tSchneider\x1b[0m")
			w.muster.SetAttribute(t, "anna", "title", "Chief\x7fDigital Officer\r\n")
			for range 2 {
				m := w.mustLogin(t, "musterhausen", "anna", "Geheim-anna-1").Login.Member
				if m.DisplayName != "Anna Schneider [0m" || m.JobTitle != "Chief Digital Officer" {
					t.Fatalf("provisioned %q, %q", m.DisplayName, m.JobTitle)
				}
			}
		})
	}
}
