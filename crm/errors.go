package crm

import (
	"errors"
	"fmt"
)

// Kind classifies a domain error. Each layer that shows errors maps a kind
// to its own terms (the API and the web pages to one HTTP status each,
// internal/httpstatus).
type Kind int

const (
	KindInternal        Kind = iota // anything unexpected; never caused by input
	KindInvalid                     // the input breaks a rule
	KindUnauthenticated             // no valid access token
	KindForbidden                   // the token lacks the scopes
	KindNotFound                    // no such record, property, label ...
	KindConflict                    // the input clashes with stored data (a unique value)
	KindRateLimited                 // a rate limit is reached
)

// Wire categories HubSpot puts in error bodies.
const (
	CategoryValidation    = "VALIDATION_ERROR"
	CategoryNotFound      = "OBJECT_NOT_FOUND"
	CategoryConflict      = "CONFLICT"
	CategoryInvalidAuth   = "INVALID_AUTHENTICATION"
	CategoryMissingScopes = "MISSING_SCOPES"
	CategoryRateLimits    = "RATE_LIMITS"
)

// Error is a domain failure: its kind, HubSpot's category and message, and
// the context and details that say which input failed. It holds nothing of
// HTTP: the status code and HubSpot's wire-only fields (errorType,
// policyName, links) are added where the error is written out. Category may
// be empty: HubSpot omits it for JSON-binding failures and for "Unable to
// infer object type".
type Error struct {
	Kind        Kind
	Category    string
	SubCategory string
	Message     string
	Context     map[string][]string
	Details     []ErrorDetail
	// Limit is the rate limit reached, for KindRateLimited.
	Limit RatePolicy
}

// ErrorDetail is one item of an error body's "errors" array.
type ErrorDetail struct {
	Message     string              `json:"message"`
	Code        string              `json:"code,omitempty"`
	In          string              `json:"in,omitempty"`
	SubCategory string              `json:"subCategory,omitempty"`
	Context     map[string][]string `json:"context,omitempty"`
}

func (e *Error) Error() string { return e.Message }

// AsError returns err as an *Error, wrapping anything else as an internal error.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: KindInternal, Message: "internal error"}
}

// Errorf builds an error of the given kind and category.
func Errorf(kind Kind, category, format string, args ...any) *Error {
	return &Error{Kind: kind, Category: category, Message: fmt.Sprintf(format, args...)}
}

// Invalidf is a VALIDATION_ERROR.
func Invalidf(format string, args ...any) *Error {
	return Errorf(KindInvalid, CategoryValidation, format, args...)
}

// BadInput is invalid input without category, as HubSpot answers
// JSON-binding failures.
func BadInput(format string, args ...any) *Error {
	return Errorf(KindInvalid, "", format, args...)
}

// UnknownObjectType is HubSpot's answer to a type segment it cannot resolve.
func UnknownObjectType(name string) *Error {
	return BadInput("Unable to infer object type from: %s", name)
}

// ObjectNotFound is HubSpot's error for a record id that resolves to nothing.
func ObjectNotFound(id string) *Error {
	return &Error{
		Kind:     KindNotFound,
		Category: CategoryNotFound,
		Message:  "Object not found.  objectId are usually numeric.",
		Context:  map[string][]string{"id": {id}},
	}
}

// Storage sentinel errors. Backends return these (possibly wrapped) so the
// engine can turn them into HubSpot errors.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
)

// UniqueConflictError reports that a unique property value is already held.
type UniqueConflictError struct {
	Property   string
	Value      string
	ExistingID int64
}

func (e *UniqueConflictError) Error() string {
	return fmt.Sprintf("unique value %q of %s held by %d", e.Value, e.Property, e.ExistingID)
}

func (e *UniqueConflictError) Unwrap() error { return ErrConflict }
