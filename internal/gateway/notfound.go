package gateway

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// errOperationNotFound is APIM's message for a request that matches an
// API but none of its operations.
var errOperationNotFound = errors.New("Unable to match incoming request to an operation.")

// serveOperationNotFound answers a request that matches api but none of
// its operations as APIM does (its error-handling reference lists the
// predefined error: source "configuration", reason "OperationNotFound",
// "Unable to match incoming request to an operation."): the on-error
// section of the global and API scopes runs with that context.LastError,
// and the answer is 404 unless on-error changes it.
func (s *Server) serveOperationNotFound(w *recorder, r *http.Request, api *apiRoute) {
	c := s.newPolicyContext(r, api, nil, nil, "", "")
	body, _ := json.Marshal(struct {
		StatusCode int    `json:"statusCode"`
		Message    string `json:"message"`
	}{http.StatusNotFound, msgNotFound})
	c.Response = &expr.Response{StatusCode: http.StatusNotFound, StatusReason: http.StatusText(http.StatusNotFound),
		Headers: http.Header{"Content-Type": {"application/json"}}, Body: expr.BodyOf(body)}
	err := &policy.StepError{Source: "configuration", Section: policy.Inbound, Reason: "OperationNotFound", Err: errOperationNotFound}
	if herr := api.noOperation.HandleError(policy.Inbound, c, err); herr != nil {
		s.log.Warn("on-error failed", "err", herr)
		writeError(w, http.StatusNotFound, msgNotFound)
		return
	}
	writePolicyResponse(w, c.Response, c.ResponseHeaders)
}
