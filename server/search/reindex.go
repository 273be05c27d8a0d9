package search

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect"

	"zirkel/ent"
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

// Reindex writes every searchable object into the index, in one transaction.
func (ix *Index) Reindex(ctx context.Context, client *ent.Client) error {
	sys := policy.System(ctx)
	tx, err := client.Tx(sys)
	if err != nil {
		return err
	}
	c := tx.Client()
	var docs []doc
	collectAll := func(load func() ([]doc, error)) {
		if err == nil {
			var more []doc
			more, err = load()
			docs = append(docs, more...)
		}
	}
	collectAll(func() ([]doc, error) { return mapAll(c.Practice.Query().All(sys))(practiceDoc) })
	collectAll(func() ([]doc, error) { return mapAll(c.Discussion.Query().All(sys))(discussionDoc) })
	collectAll(func() ([]doc, error) { return mapAll(c.Member.Query().All(sys))(memberDoc) })
	collectAll(func() ([]doc, error) { return mapAll(c.Organisation.Query().All(sys))(organisationDoc) })
	collectAll(func() ([]doc, error) { return mapAll(c.Event.Query().All(sys))(eventDoc) })
	collectAll(func() ([]doc, error) { return mapAll(c.SoftwareProduct.Query().All(sys))(softwareDoc) })
	collectAll(func() ([]doc, error) { return mapAll(c.Message.Query().All(sys))(messageDoc) })
	collectAll(func() ([]doc, error) { return mapAll(c.Topic.Query().All(sys))(topicDoc) })
	collectAll(func() ([]doc, error) { return mapAll(c.Indicator.Query().All(sys))(indicatorDoc) })
	collectAll(func() ([]doc, error) { return mapAll(c.Circle.Query().All(sys))(circleDoc) })
	for _, d := range docs {
		if err != nil {
			break
		}
		if d.id != "" {
			err = ix.put(sys, c, d)
		}
	}
	if err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("reindexing: %w", err)
	}
	return tx.Commit()
}

// mapAll turns loaded objects into documents (a document without id is skipped).
func mapAll[T any](values []T, err error) func(func(T) (doc, bool)) ([]doc, error) {
	return func(f func(T) (doc, bool)) ([]doc, error) {
		if err != nil {
			return nil, err
		}
		out := make([]doc, 0, len(values))
		for _, v := range values {
			if d, keep := f(v); keep {
				out = append(out, d)
			}
		}
		return out, nil
	}
}
