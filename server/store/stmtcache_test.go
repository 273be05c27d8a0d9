package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"zirkel/ent/organisation"
	"zirkel/ent/schema/gid"
	"zirkel/server/policy"
	"zirkel/server/store"
)

// TestPreparedStatementsBeyondTheCache: on SQLite, queries run through prepared statements
// kept in a bounded cache. Four readers at once run more distinct queries than it holds, so
// that statements are dropped while other readers still read their rows, and every answer is
// right.
func TestPreparedStatementsBeyondTheCache(t *testing.T) {
	ctx := policy.System(context.Background())
	st, err := store.Open(ctx, store.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var ids []gid.ID
	for i := range 300 {
		org := st.Client.Organisation.Create().SetName(fmt.Sprintf("Kreis %d", i)).SetKind(organisation.KindLANDKREIS).SaveX(ctx)
		ids = append(ids, org.ID)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for reader := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range len(ids) {
				n := (i+reader*75)%len(ids) + 1
				got, err := st.Client.Organisation.Query().Where(organisation.IDIn(ids[:n]...)).IDs(ctx)
				if err != nil || len(got) != n {
					errs <- fmt.Errorf("reader %d: %d of %d organisations found (%v)", reader, len(got), n, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
