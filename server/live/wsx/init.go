package wsx

import (
	"context"

	"github.com/99designs/gqlgen/graphql/handler/transport"
)

// Refuse is what a transport.WebsocketInitFunc returns to refuse a connection: with
// graphql-transport-ws the socket closes with 4403 "Forbidden: <why>"; with graphql-ws the
// client gets connection_error {"message": why} and the socket closes with 1011, as
// subscriptions-transport-ws does.
func Refuse(ctx context.Context, why error) (context.Context, *transport.InitPayload, error) {
	ctx = transport.WithWebsocketCloseCode(ctx, CloseForbidden)
	ctx = transport.AppendCloseReason(ctx, reasonForbidden+": "+why.Error())
	return ctx, nil, why
}
