// Package gateway serves API requests from a Runtime: the immutable,
// request-ready form compiled from a snapshot.Snapshot. The data flow is
// store → snapshot → Runtime → request: a Server holds the current Runtime
// in an atomic pointer, each request loads it once, routes to an API and
// operation, checks the subscription key against the Runtime's digest
// index and forwards the request to the backend through
// httputil.ReverseProxy. Nothing on the request path takes a lock or reads
// the store.
//
// There is one forwarder: httputil.ReverseProxy, used through its hooks
// (Rewrite, Transport, ModifyResponse), with a transport per backend TLS
// profile. Connection upgrades, 1xx responses, trailers, hop-by-hop
// headers and the flushing of streamed responses all come from it. An
// operation without a policy is served by the API's ReverseProxy directly.
// On the policy path, forward-request is a step that outbound and retry
// must be able to follow, so the Server's relay runs ReverseProxy twice: a
// first pass sends the request the pipeline built (Rewrite) with the
// backend's transport and hands the response to the pipeline
// (ModifyResponse stops it from being written); once outbound has run, a
// second pass, whose Transport returns that response, writes it with the
// status and headers the policies left, streaming the body unless a policy
// read or replaced it. Package forwardertest is the conformance suite that
// every forwarder, and any faster path added beside it, must pass.
package gateway
