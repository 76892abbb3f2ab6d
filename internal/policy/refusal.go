package policy

import (
	"errors"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// Refusal is an element's deliberate refusal of a request: an access
// restriction that does not pass (validate-jwt, check-header, ip-filter)
// or an exhausted limit (rate-limit, quota, limit-concurrency). As in
// APIM, it is an error: the pipeline stops and on-error runs, with
// context.LastError's Source the element, Reason and Message from the
// refusal, and context.Response the refusal's answer, which on-error may
// change or replace. Without an on-error section the client gets
// Response.
type Refusal struct {
	Reason   string         // APIM's reason code, such as RateLimitExceeded
	Message  string         // context.LastError.Message
	Response *expr.Response // the answer the client gets
}

func (r *Refusal) Error() string { return r.Message }

// RefusalResponse returns the answer of the Refusal in err's chain; nil
// when err is not a refusal.
func RefusalResponse(err error) *expr.Response {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Response
	}
	return nil
}
