// Package apperr defines the errors that Zirkel shows to API clients, each with a code for
// `extensions.code` and, for bad input, the field that was wrong. Any other error is internal:
// it is logged and the client sees a generic message.
package apperr

import "errors"

// Codes used in `extensions.code`.
const (
	CodeBadUserInput    = "BAD_USER_INPUT"
	CodeNotFound        = "NOT_FOUND"
	CodeForbidden       = "FORBIDDEN"
	CodeUnauthenticated = "UNAUTHENTICATED"
	CodeConflict        = "CONFLICT"
	CodeInternal        = "INTERNAL_SERVER_ERROR"
)

// Error is an error meant for the client.
type Error struct {
	Code    string
	Field   string // the input field that was wrong, if any
	Message string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Message
	}
	return e.Message
}

// Invalid reports bad input in the named field.
func Invalid(field, message string) error {
	return &Error{Code: CodeBadUserInput, Field: field, Message: message}
}

// NotFound reports an object that does not exist or that the viewer may not see.
func NotFound(field string) error {
	return &Error{Code: CodeNotFound, Field: field, Message: "not found"}
}

// Forbidden reports an action the viewer may not take.
func Forbidden(message string) error {
	return &Error{Code: CodeForbidden, Message: message}
}

// Conflict reports a write that lost against the current state, such as a concurrent one.
func Conflict(message string) error {
	return &Error{Code: CodeConflict, Message: message}
}

// As returns the client error inside err, if there is one.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
