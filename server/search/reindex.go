package search

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect"

	"zirkel/ent"
	"zirkel/ent/schema/gid"
	"zirkel/server/policy"
)

// fillIfEmpty indexes everything when the index is empty but the data is not: after an
// upgrade from a version without search, or an import of another database's tables.
func (ix *Index) fillIfEmpty(ctx context.Context, client *ent.Client) error {
	count := `SELECT count(*) FROM search_rows`
	if ix.dialect == dialect.Postgres {
		count = `SELECT count(*) FROM search_index`
	}
	rows, err := client.QueryContext(ctx, count)
	if err != nil {
		return err
	}
	var n int
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
	}
	rows.Close()
	if n > 0 {
		return nil
	}
	return ix.Reindex(ctx, client)
}

// ReindexChunk is how many objects one transaction of Reindex writes.
const ReindexChunk = 500

// Reindex writes every searchable object into the index, ReindexChunk objects per
// transaction, in the order of their ids, so that writers wait for one chunk at most, never
// for the whole rebuild. An object written meanwhile is indexed by its own transaction's
// hook; the chunk that reads it later writes the same document again (both read committed
// rows). Each chunk is reported to progress (nil for none) with its kind and size.
func (ix *Index) Reindex(ctx context.Context, client *ent.Client) error {
	return ix.ReindexWithProgress(ctx, client, nil)
}

// ReindexWithProgress is Reindex, calling progress after each committed chunk.
func (ix *Index) ReindexWithProgress(ctx context.Context, client *ent.Client, progress func(kind string, n int)) error {
	sys := policy.System(ctx)
	for _, src := range sources() {
		after := gid.ID("")
		for {
			n, last, err := ix.reindexChunk(sys, client, src, after)
			if err != nil {
				return fmt.Errorf("reindexing %s: %w", src.kind, err)
			}
			if progress != nil && n > 0 {
				progress(src.kind, n)
			}
			if n < ReindexChunk {
				break
			}
			after = last
		}
	}
	return nil
}

// reindexChunk writes the documents of the next chunk of objects after the id after, in one
// transaction; it returns how many objects it read and the last one's id.
func (ix *Index) reindexChunk(ctx context.Context, client *ent.Client, src source, after gid.ID) (int, gid.ID, error) {
	tx, err := client.Tx(ctx)
	if err != nil {
		return 0, "", err
	}
	c := tx.Client()
	docs, err := src.load(ctx, c, span{after: after, limit: ReindexChunk})
	for _, d := range docs {
		if err != nil {
			break
		}
		if d.gone {
			err = ix.remove(ctx, c, d.id)
		} else {
			err = ix.put(ctx, c, d)
		}
	}
	if err != nil {
		_ = tx.Rollback()
		return 0, "", err
	}
	var last gid.ID
	if len(docs) > 0 {
		last = docs[len(docs)-1].id
	}
	return len(docs), last, tx.Commit()
}
