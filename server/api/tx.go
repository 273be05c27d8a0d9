package api

import (
	"context"
	"database/sql/driver"
	"fmt"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
)

// presentedTx runs mutations in a transaction as entgql's Transactioner does, but a
// transaction that cannot start or commit (the database did not answer within the deadline,
// a write lock was not free) is reported through the error presenter, so the client gets a
// code (TIMEOUT) instead of entgql's uncoded message naming the library.
type presentedTx struct{ entgql.Transactioner }

// InterceptResponse implements graphql.ResponseInterceptor.
func (p presentedTx) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	var failed error
	inner := p.Transactioner
	opener := inner.TxOpener
	inner.TxOpener = entgql.TxOpenerFunc(func(ctx context.Context) (context.Context, driver.Tx, error) {
		txCtx, tx, err := opener.OpenTx(ctx)
		if err != nil {
			failed = fmt.Errorf("starting the transaction: %w", err)
			return txCtx, tx, err
		}
		return txCtx, committer{Tx: tx, failed: &failed}, nil
	})
	res := inner.InterceptResponse(ctx, next)
	if failed == nil {
		return res
	}
	graphql.AddError(ctx, failed)
	return &graphql.Response{Errors: graphql.GetErrors(ctx)}
}

// committer remembers why a commit failed.
type committer struct {
	driver.Tx
	failed *error
}

// Commit implements driver.Tx.
func (c committer) Commit() error {
	err := c.Tx.Commit()
	if err != nil {
		*c.failed = fmt.Errorf("committing the transaction: %w", err)
	}
	return err
}
