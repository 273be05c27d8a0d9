package auth_test

import (
	"encoding/json"
	"testing"

	"zirkel/server/apitest"
)

func decode(t *testing.T, res apitest.Response, out any) {
	t.Helper()
	if err := json.Unmarshal(res.Data, out); err != nil {
		t.Fatalf("decoding %s: %v", res.Data, err)
	}
}
