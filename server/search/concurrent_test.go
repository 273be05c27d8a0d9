package search_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"zirkel/ent/schema/gid"
	"zirkel/server/apitest"
)

// TestConcurrentIndexWrites: many writers replacing the same documents at once, each statement
// on its own (outside a transaction, as logins and provisioning write), all succeed and leave
// exactly one index entry per document, on both databases.
func TestConcurrentIndexWrites(t *testing.T) {
	for _, backend := range apitest.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			env := apitest.Start(t, backend, nil)
			st := env.App.Store
			ids := []gid.ID{gid.New("mem"), gid.New("mem")}
			var wg sync.WaitGroup
			errs := make(chan error, 64)
			for i := range 64 {
				wg.Go(func() {
					id := ids[i%len(ids)]
					if err := st.Search.PutForBenchmark(context.Background(), st.DB, id, "MEMBER", fmt.Sprintf("Gleichzeitig %d", i), "Text"); err != nil {
						errs <- err
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Errorf("writing the index: %v", err)
			}
			for _, id := range ids {
				var n int
				q := `SELECT count(*) FROM search_index WHERE doc_id = ?`
				if st.Dialect == "postgres" {
					q = `SELECT count(*) FROM search_index WHERE doc_id = $1`
				}
				if err := st.DB.QueryRow(q, string(id)).Scan(&n); err != nil || n != 1 {
					t.Fatalf("%s is in the index %d times (%v), want once", id, n, err)
				}
			}
		})
	}
}
