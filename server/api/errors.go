package api

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"regexp"
	"runtime/debug"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"zirkel/ent"
	"zirkel/ent/privacy"
	"zirkel/server/apperr"
	"zirkel/server/i18n"
	"zirkel/server/integrity"
	"zirkel/server/reqid"
	"zirkel/server/viewer"
)

// presentError shows clients what they can act on and nothing else: client errors keep their
// code and field, ent's validation errors become BAD_USER_INPUT with the field and the rule,
// arguments that cannot be read BAD_USER_INPUT with the argument, missing objects NOT_FOUND,
// and everything else a generic message whose details go only to the log. Messages are in
// the client's language (server/i18n), never with suggestions ("Did you mean …"). It needs no
// operation context: errors of requests that never became an operation pass through it too.
func presentError(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		out := graphql.DefaultErrorPresenter(ctx, err)
		lang := i18n.FromContext(ctx)
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
			setClientError(out, lang, appErr.Code, field, appErr.Message)
		case errors.As(err, &valErr):
			field := integrity.FieldName(valErr.Name)
			setClientError(out, lang, apperr.CodeBadUserInput, field, validationRule(valErr))
		case errors.Is(err, privacy.Deny):
			setClientError(out, lang, denialCode(ctx), "", denialMessage(err))
		case errors.As(err, &nfErr):
			setClientError(out, lang, apperr.CodeNotFound, "", "not found")
		case errors.As(err, &ceErr):
			setClientError(out, lang, apperr.CodeConflict, "", "the change conflicts with existing data; reload and try again")
		case errors.Is(err, context.DeadlineExceeded):
			setClientError(out, lang, "TIMEOUT", "", "the request took too long")
		case errors.Is(err, context.Canceled):
			// the client went away (or stopped its subscription): nothing to report
			setClientError(out, lang, "CANCELLED", "", "the request was cancelled")
		case databaseUnavailable(err):
			logger.WarnContext(ctx, "database unavailable", "err", err, "path", out.Path.String())
			setClientError(out, lang, "SERVICE_UNAVAILABLE", "", "the service is unavailable; try again later")
		case hasCode(out):
			// parser, validation and limit errors from gqlgen: meant for the client as they are
			out.Message = clientMessage(lang, out)
		case isArgumentError(ctx, out):
			setClientError(out, lang, apperr.CodeBadUserInput, fmt.Sprint(out.Path[len(out.Path)-1]), argumentRule(err))
		default:
			logger.ErrorContext(ctx, "resolving", "err", err, "path", out.Path.String())
			setClientError(out, lang, apperr.CodeInternal, "", "internal error")
		}
		if out.Extensions["code"] == apperr.CodeInternal {
			if id := reqid.From(ctx); id != "" {
				out.Extensions["requestId"] = id // lets support find the log lines
			}
		}
		return out
	}
}

// databaseUnavailable tells a database that cannot be reached (refused or broken connections,
// a closed pool) from a failing statement: the client may retry the first later.
func databaseUnavailable(err error) bool {
	var (
		netErr     *net.OpError
		connectErr *pgconn.ConnectError
	)
	return errors.As(err, &netErr) || errors.As(err, &connectErr) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		strings.Contains(err.Error(), "sql: database is closed")
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

// isArgumentError tells an argument (or input field) that could not be read, such as a time
// in the wrong format or a broken cursor, from an error of the resolver: its path goes on
// below the field that was being resolved.
func isArgumentError(ctx context.Context, out *gqlerror.Error) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || len(out.Path) == 0 {
		return false
	}
	fieldPath := fc.Path()
	if len(out.Path) <= len(fieldPath) {
		return false
	}
	for i, el := range fieldPath {
		if out.Path[i] != el {
			return false
		}
	}
	_, isName := out.Path[len(out.Path)-1].(ast.PathName)
	return isName
}

// argumentRule says what an unreadable argument should have been.
func argumentRule(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "RFC3339"):
		return "must be a time in RFC 3339 format, such as 2026-05-04T10:00:00Z"
	case strings.Contains(msg, "cursor"):
		return "is not a valid cursor"
	}
	return "has a value of the wrong type"
}

// clientMessage is a message of gqlgen's parser, validator or limits without suggestions and
// without the parser's "input:1:2:" prefix, naming the variable it is about, in the
// client's language.
func clientMessage(lang i18n.Lang, e *gqlerror.Error) string {
	msg := inputPrefix.ReplaceAllString(i18n.WithoutSuggestions(e.Message), "")
	msg = i18n.Translate(lang, msg)
	if len(e.Path) > 1 && e.Path[0] == ast.PathName("variable") {
		// variable coercion: ["variable", "input", "name"] is $input.name
		var b strings.Builder
		for i, el := range e.Path[1:] {
			switch el := el.(type) {
			case ast.PathName:
				if i == 0 {
					b.WriteString("$")
				} else {
					b.WriteString(".")
				}
				b.WriteString(string(el))
			case ast.PathIndex:
				fmt.Fprintf(&b, "[%d]", int(el))
			}
		}
		msg = b.String() + ": " + msg
	}
	return msg
}

var inputPrefix = regexp.MustCompile(`^(input(:\d+:\d+)?: )+`)

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

// setClientError makes out a client error with the code, the field (if any) and the
// message in the client's language.
func setClientError(out *gqlerror.Error, lang i18n.Lang, code, field, message string) {
	message = i18n.Translate(lang, i18n.WithoutSuggestions(inputPrefix.ReplaceAllString(message, "")))
	out.Message = message
	out.Err = nil
	out.Extensions = map[string]any{"code": code}
	if field != "" {
		out.Extensions["field"] = field
		out.Message = field + ": " + message
	}
}

// validationRule is the rule an ent validator found broken, in words a client understands,
// without ent's prefix ("ent: validator failed for field …") or internal type names.
func validationRule(e *ent.ValidationError) string {
	var inner error = e
	for next := errors.Unwrap(inner); next != nil; next = errors.Unwrap(inner) {
		inner = next
	}
	msg := entPrefix.ReplaceAllString(inner.Error(), "")
	switch {
	case msg == "value does not match validation":
		return "does not have the required format"
	case msg == "value is less than the required length":
		return "is too short"
	case msg == "value is greater than the required length":
		return "is too long"
	case msg == "value out of range":
		return "is out of range"
	case strings.Contains(msg, "invalid enum value"):
		return "is not a valid value"
	case msg == "" || inner == error(e):
		return "is not valid"
	}
	return msg
}

var entPrefix = regexp.MustCompile(`^(ent: )?(validator failed for field "[^"]*": )+`)

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

// transactioner runs each mutation in a transaction (entgql.Transactioner) and keeps its two
// weak spots away from clients: it needs an operation context, which requests that failed
// before becoming an operation do not have, and it answers a failed begin or commit with the
// database's own words and no code.
type transactioner struct {
	presentedTx
	logger *slog.Logger
}

// InterceptResponse implements graphql.ResponseInterceptor.
func (t transactioner) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	resp := t.presentedTx.InterceptResponse(ctx, next)
	if resp == nil {
		return nil
	}
	for i, e := range resp.Errors {
		if e != nil && !hasCode(e) {
			t.logger.ErrorContext(ctx, "running the transaction", "err", e.Message)
			out := &gqlerror.Error{Path: e.Path}
			setClientError(out, i18n.FromContext(ctx), apperr.CodeInternal, "", "internal error")
			if id := reqid.From(ctx); id != "" {
				out.Extensions["requestId"] = id
			}
			resp.Errors[i] = out
		}
	}
	return resp
}
