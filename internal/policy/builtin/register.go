package builtin

import "github.com/gatehouse/gatehouse/internal/policy"

// Register adds every built-in policy element to r.
func Register(r *policy.Registry) {
	r.Add("set-header", compileSetHeader)
	r.Add("set-query-parameter", compileSetQueryParameter)
	r.Add("rewrite-uri", compileRewriteURI)
	r.Add("set-backend-service", compileSetBackendService)
	r.Add("set-method", compileSetMethod)
	r.Add("set-status", compileSetStatus)
	r.Add("set-variable", compileSetVariable)
	r.Add("set-body", compileSetBody)
	r.Add("choose", compileChoose)
	r.Add("return-response", compileReturnResponse)
	r.Add("mock-response", compileMockResponse)
	r.Add("trace", compileTrace)
	r.Add("forward-request", compileForwardRequest)
}

// NewRegistry returns a Registry with every built-in element.
func NewRegistry() *policy.Registry {
	r := policy.NewRegistry()
	Register(r)
	return r
}
