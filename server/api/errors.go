package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"zirkel/ent"
	"zirkel/ent/privacy"
	"zirkel/server/apperr"
	"zirkel/server/integrity"
	"zirkel/server/reqid"
	"zirkel/server/viewer"
)

// presentError shows clients what they can act on and nothing else: client errors keep their
// code and field, ent's validation errors become BAD_USER_INPUT with the field, missing objects
// NOT_FOUND, and everything else a generic message whose details go only to the log.
func presentError(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		out := graphql.DefaultErrorPresenter(ctx, err)
		var (
			appErr *apperr.Error
			valErr *ent.ValidationError
			nfErr  *ent.NotFoundError
			ceErr  *ent.ConstraintError
		)
		switch {
		case errors.As(err, &appErr):
			field := appErr.Field
			if field == "" && appErr.Code == apperr.CodeBadUserInput {
				field = lastName(out.Path)
			}
			setClientError(out, appErr.Code, field, appErr.Message)
		case errors.As(err, &valErr):
			field := integrity.FieldName(valErr.Name)
			setClientError(out, apperr.CodeBadUserInput, field, validationMessage(valErr))
		case errors.Is(err, privacy.Deny):
			setClientError(out, denialCode(ctx), "", denialMessage(err))
		case errors.As(err, &nfErr):
			setClientError(out, apperr.CodeNotFound, "", "not found")
		case errors.As(err, &ceErr):
			setClientError(out, apperr.CodeConflict, "", "the change conflicts with existing data; reload and try again")
		case errors.Is(err, context.DeadlineExceeded):
			setClientError(out, "TIMEOUT", "", "the request took too long")
		case hasCode(out):
			// parser, validation and limit errors from gqlgen: already meant for the client
		default:
			logger.ErrorContext(ctx, "resolving", "err", err, "path", out.Path.String())
			setClientError(out, apperr.CodeInternal, "", "internal error")
		}
		if out.Extensions["code"] == apperr.CodeInternal {
			if id := reqid.From(ctx); id != "" {
				out.Extensions["requestId"] = id // lets support find the log lines
			}
		}
		return out
	}
}

// lastName is the last field name on a path (an input field, not a list index).
func lastName(path ast.Path) string {
	for i := len(path) - 1; i >= 0; i-- {
		if name, ok := path[i].(ast.PathName); ok {
			return string(name)
		}
	}
	return ""
}

// denialCode is UNAUTHENTICATED for anonymous requests, FORBIDDEN for members.
func denialCode(ctx context.Context) string {
	if viewer.FromContext(ctx) == nil {
		return apperr.CodeUnauthenticated
	}
	return apperr.CodeForbidden
}

// denialMessage is the policy's reason without ent's prefix.
func denialMessage(err error) string {
	for e := err; e != nil; e = errors.Unwrap(e) {
		reason, found := strings.CutSuffix(e.Error(), ": "+privacy.Deny.Error())
		if found && reason != "" {
			return reason
		}
	}
	return "not allowed"
}

func setClientError(out *gqlerror.Error, code, field, message string) {
	out.Message = message
	out.Err = nil
	out.Extensions = map[string]any{"code": code}
	if field != "" {
		out.Extensions["field"] = field
		out.Message = field + ": " + message
	}
}

// validationMessage is ent's reason without ent's prefix and internal type names.
func validationMessage(e *ent.ValidationError) string {
	if inner := errors.Unwrap(e); inner != nil {
		return inner.Error()
	}
	return "is not valid"
}

func hasCode(e *gqlerror.Error) bool {
	_, ok := e.Extensions["code"]
	return ok
}

// recoverPanic logs a resolver panic with its stack and tells the client only that it failed.
func recoverPanic(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		logger.ErrorContext(ctx, "panic while resolving", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return &apperr.Error{Code: apperr.CodeInternal, Message: "internal error"}
	}
}
