package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"zirkel/server/apperr"
)

func TestPanicsAndInternalErrorsShowNothingInternal(t *testing.T) {
	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, nil))
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, graphql.DefaultRecover)
	present := presentError(logger)

	recovered := recoverPanic(logger)(ctx, "index out of range in SELECT * FROM members")
	for _, err := range []error{
		recovered,
		errors.New(`pq: relation "members" does not exist: SELECT id FROM members`),
	} {
		out := present(ctx, err)
		if out.Message != "internal error" || out.Extensions["code"] != apperr.CodeInternal {
			t.Fatalf("client sees %q %v", out.Message, out.Extensions)
		}
	}
	if !strings.Contains(log.String(), "SELECT * FROM members") || !strings.Contains(log.String(), "goroutine") {
		t.Fatalf("the log must keep the details and the stack: %s", log.String())
	}
}

func TestClientErrorsKeepCodeAndField(t *testing.T) {
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, graphql.DefaultRecover)
	out := presentError(slog.Default())(ctx, apperr.Invalid("ags", "must have 8 digits"))
	if out.Extensions["code"] != apperr.CodeBadUserInput || out.Extensions["field"] != "ags" || out.Message != "ags: must have 8 digits" {
		t.Fatalf("got %q %v", out.Message, out.Extensions)
	}
}

// TestTransactionerWithoutOperation: a response for a request that never became an operation
// passes the transaction middleware (which needs the operation) untouched, instead of
// panicking with "missing operation context".
func TestTransactionerWithoutOperation(t *testing.T) {
	var log bytes.Buffer
	tx := transactioner{logger: slog.New(slog.NewTextHandler(&log, nil))}
	want := &graphql.Response{Errors: gqlerror.List{{Message: "x", Extensions: map[string]any{"code": "BAD_REQUEST"}}}}
	got := tx.InterceptResponse(context.Background(), func(context.Context) *graphql.Response { return want })
	if got != want || log.Len() > 0 {
		t.Fatalf("got %+v, logged %s", got, log.String())
	}
}

// TestWebsocketWithoutTransport: an upgrade to a handler built without websockets is
// answered with a code, not gqlgen's bare "transport not supported".
func TestWebsocketWithoutTransport(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/graphql", nil)
	r.Header.Set("Upgrade", "websocket")
	rec := httptest.NewRecorder()
	(&front{next: http.NotFoundHandler(), limits: DefaultLimits}).ServeHTTP(rec, r)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"code":"TRANSPORT_NOT_SUPPORTED"`) {
		t.Fatalf("got %d %s", rec.Code, rec.Body.String())
	}
}

// TestPresenterAndRecoverWithoutOperation: both work on a bare context, as for a request that
// never became an operation.
func TestPresenterAndRecoverWithoutOperation(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	for _, err := range []error{
		errors.New("boom"),
		recoverPanic(logger)(ctx, "boom"),
		&gqlerror.Error{Message: `Unknown argument "firstt" on field "Query.topics". Did you mean "first"?`, Extensions: map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"}},
	} {
		out := presentError(logger)(ctx, err)
		if out.Extensions["code"] == nil || strings.Contains(out.Message, "Did you mean") {
			t.Fatalf("got %q %v", out.Message, out.Extensions)
		}
	}
}
