// Package gateway serves API requests from a Runtime: the immutable,
// request-ready form compiled from a snapshot.Snapshot. The data flow is
// store → snapshot → Runtime → request: a Server holds the current Runtime
// in an atomic pointer, each request loads it once, routes to an API and
// operation, checks the subscription key against the Runtime's digest
// index and forwards the request to the backend. Nothing on the request
// path takes a lock or reads the store, except the h1 forwarder's pool of
// connections, which takes a short one to lend a connection and to take
// it back, as http.Transport does.
//
// There are two forwarders. The reference is httputil.ReverseProxy, used
// through its hooks (Rewrite, Transport, ModifyResponse), with a transport
// per backend TLS profile: connection upgrades, 1xx responses, trailers,
// hop-by-hop headers and the flushing of streamed responses all come from
// it. Beside it, package h1 is a forwarder that owns its HTTP/1.1
// connections to http:// backends (a Pool per backend address, kept across
// reloads by h1Pools as transportCache keeps transports) and runs each
// exchange on the request's goroutine, without an outbound *http.Request.
//
// An operation without a policy is served by its API's fastProxy when the
// backend is http:// and the transport is a plain *http.Transport without
// a proxy or HTTP/2 (and tracing is off): each request h1.Eligible accepts
// goes through h1, the others (upgrades, Expect, chunked or large bodies)
// through the API's ReverseProxy. Otherwise the ReverseProxy serves the
// operation directly.
//
// On the policy path, forward-request is a step that outbound and retry
// must be able to follow, so the Server's relay runs ReverseProxy twice: a
// first pass sends the request the pipeline built (Rewrite) with the
// backend's transport and hands the response to the pipeline
// (ModifyResponse stops it from being written); once outbound has run, a
// second pass, whose Transport returns that response, writes it with the
// status and headers the policies left, streaming the body unless a policy
// read or replaced it. The first pass's Transport sends through the
// API's h1 pool instead (h1.Pool.RoundTrip, on the request's goroutine)
// when the request goes to the API's own http:// service address with
// the default transport and h1.EligibleOutbound accepts it. Package
// forwardertest is the conformance suite that
// every forwarder passes: the tests run it against both forwarders of the
// path without a policy and against the policy path.
package gateway
