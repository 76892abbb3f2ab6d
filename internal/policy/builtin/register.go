package builtin

import (
	"net/http"
	"time"

	"github.com/osteele/liquid"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// Deps are the long-lived things some elements need.
type Deps struct {
	// HTTPClient sends send-request's requests. Nil: a client with the
	// standard transport; each request has its own timeout.
	HTTPClient *http.Client
}

// Register adds every built-in policy element to r.
func Register(r *policy.Registry, d Deps) {
	if d.HTTPClient == nil {
		d.HTTPClient = &http.Client{Timeout: 5 * time.Minute}
	}
	r.Add("set-header", compileSetHeader)
	r.Add("set-query-parameter", compileSetQueryParameter)
	r.Add("rewrite-uri", compileRewriteURI)
	r.Add("set-backend-service", compileSetBackendService)
	r.Add("set-method", compileSetMethod)
	r.Add("set-status", compileSetStatus)
	r.Add("set-variable", compileSetVariable)
	r.Add("set-body", compileSetBody(liquid.NewEngine()))
	r.Add("choose", compileChoose)
	r.Add("return-response", compileReturnResponse)
	r.Add("mock-response", compileMockResponse)
	r.Add("trace", compileTrace)
	r.Add("forward-request", compileForwardRequest)
	r.Add("find-and-replace", compileFindAndReplace)
	r.Add("send-request", compileSendRequest(d.HTTPClient))
	r.Add("send-one-way-request", compileSendRequest(d.HTTPClient))
}

// NewRegistry returns a Registry with every built-in element and
// default Deps.
func NewRegistry() *policy.Registry {
	r := policy.NewRegistry()
	Register(r, Deps{})
	return r
}
