// Package expr evaluates APIM policy expressions: the subset of C# that
// policies write as @(...) (one expression) or @{...} (a block of
// statements ending in return), against the `context` object.
//
// An expression is parsed and checked once, when the policy is compiled,
// into a Program of Go closures; evaluating it per request parses
// nothing. Evaluation has a step budget, so no expression can hang a
// request, and never panics: failures are errors naming the member and
// position. The Context type is the `context` object; the gateway fills it
// and policy elements change it.
package expr
