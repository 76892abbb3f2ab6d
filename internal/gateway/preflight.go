package gateway

import (
	"net/http"
	"strings"
)

// isPreflight reports whether r is a browser's CORS preflight request.
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != ""
}

// servePreflight answers a preflight request to a path of api as APIM
// does: from the <cors> of the effective policy of the operation the
// browser means to call (the one matching the requested method, else any
// on the path), whether or not an operation has the OPTIONS method, and
// before any subscription key is asked for (browsers send none with a
// preflight). It reports false, answering nothing, when no such operation
// has a <cors> or that <cors> lets the request go on
// (terminate-unmatched-request="false"): the request is then routed as
// any other.
func (s *Server) servePreflight(w *recorder, r *http.Request, api *apiRoute, rest string) bool {
	method := strings.ToUpper(strings.TrimSpace(r.Header.Get("Access-Control-Request-Method")))
	var op *operation
	for i := range api.ops {
		o := &api.ops[i]
		if o.cors == nil || !o.tpl.Match(rest) {
			continue
		}
		if o.method == method || o.method == "*" {
			op = o
			break
		}
		if op == nil {
			op = o
		}
	}
	if op == nil {
		return false
	}
	c := s.newPolicyContext(r, api, op, nil, "", rest)
	if err := op.cors.Do(c); err != nil || !c.Ended() {
		return false
	}
	writePolicyResponse(w, c.Response, c.ResponseHeaders)
	return true
}
