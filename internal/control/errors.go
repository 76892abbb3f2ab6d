package control

import "github.com/gatehouse/gatehouse/internal/policy"

// Code says what kind of refusal an Error is. Adapters map it to their
// own answers (the management API: 400, 403, 404, 409, 412).
type Code string

// The refusals.
const (
	CodeInvalid            Code = "ValidationError"
	CodeForbidden          Code = "Forbidden"
	CodeNotFound           Code = "ResourceNotFound"
	CodeConflict           Code = "Conflict"
	CodePreconditionFailed Code = "PreconditionFailed"
)

// Error is a call refused by a management rule. Nothing of the call was
// stored.
type Error struct {
	Code Code
	// Target names what is wrong: a property ("properties.path") or an id
	// parameter ("namedValueId"); empty when the whole call is.
	Target  string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Invalid refuses a value: target names the property.
func Invalid(target, message string) *Error {
	return &Error{Code: CodeInvalid, Target: target, Message: message}
}

// Conflict refuses a call that clashes with the rest of the
// configuration.
func Conflict(target, message string) *Error {
	return &Error{Code: CodeConflict, Target: target, Message: message}
}

// NotFound says what does not exist, such as "API 'echo'".
func NotFound(what string) *Error {
	return &Error{Code: CodeNotFound, Message: what + " was not found."}
}

// PreconditionFailed refuses a call whose precondition (If-Match) fails.
func PreconditionFailed(message string) *Error {
	return &Error{Code: CodePreconditionFailed, Message: message}
}

// Forbidden refuses a call its principal may not make.
func Forbidden(message string) *Error {
	return &Error{Code: CodeForbidden, Message: message}
}

// PolicyError refuses a policy document (or fragment) that does not
// compile on its own, with every problem.
type PolicyError struct {
	Diagnostics policy.Diagnostics
}

func (e *PolicyError) Error() string {
	return "The policy document is not valid: " + e.Diagnostics[0].Error()
}

// RefusePolicy returns err as a *PolicyError when it holds diagnostics,
// and err unchanged otherwise (nil for nil).
func RefusePolicy(err error) error {
	if ds, ok := err.(policy.Diagnostics); ok && len(ds) > 0 {
		return &PolicyError{Diagnostics: ds}
	}
	return err
}
