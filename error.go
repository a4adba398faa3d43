package baas

import (
	"errors"
	"fmt"
)

// Code is one of a small fixed set of error kinds. Each HTTP dialect maps codes to its own
// status codes and envelope in exactly one table.
type Code string

const (
	EInvalid           Code = "invalid"
	ENotFound          Code = "not_found"
	EConflict          Code = "conflict"
	EUnauthorized      Code = "unauthorized"
	EForbidden         Code = "forbidden"
	EInsufficientFunds Code = "insufficient_funds"
	EDeclined          Code = "declined"
	ERateLimited       Code = "rate_limited"
	EInternal          Code = "internal"
)

// Error is the domain error. Reason is a stable machine-readable name for the precise
// situation (for example "EMAIL_ALREADY_EXIST"), Message is for humans, and Details lists
// one message per offending field for validation errors. Fields, when set, names the same
// problems in a form a dialect can word itself (Details holds their Messages).
type Error struct {
	Code    Code
	Reason  string
	Message string
	Details []string
	Fields  []FieldError
	Err     error // wrapped cause, for logs only; never shown to clients
}

// FieldError is one offending input field in neutral terms: Field names the field as the
// core's params do (for example "date_of_birth"), Reason is a stable machine name of the
// problem (for example "UNDER_AGE"), Message a neutral sentence for humans.
type FieldError struct {
	Field   string
	Reason  string
	Message string
}

func (e *Error) Error() string {
	s := string(e.Code)
	if e.Reason != "" {
		s += " " + e.Reason
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Reasonf returns an *Error with a code, a machine reason and a formatted message.
func Reasonf(code Code, reason, format string, args ...any) *Error {
	return &Error{Code: code, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a validation error listing one message per field.
func Invalid(details ...string) *Error {
	msg := "invalid input"
	if len(details) > 0 {
		msg = details[0]
	}
	return &Error{Code: EInvalid, Message: msg, Details: details}
}

// InvalidFields returns a validation error naming each offending field; its Details are
// the fields' messages.
func InvalidFields(fields ...FieldError) *Error {
	details := make([]string, len(fields))
	for i, f := range fields {
		details[i] = f.Message
	}
	e := Invalid(details...)
	e.Fields = fields
	return e
}

// ErrorCode returns the code of err: the code of the first *Error in its chain, or
// EInternal for any other non-nil error, or "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorReason returns the Reason of the first *Error in err's chain, or "".
func ErrorReason(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// AsError returns the first *Error in err's chain; any other error becomes an internal
// error whose message reveals nothing of the cause.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: EInternal, Message: "Internal error", Err: err}
}

// IsCode reports whether err carries code.
func IsCode(err error, code Code) bool { return ErrorCode(err) == code }
