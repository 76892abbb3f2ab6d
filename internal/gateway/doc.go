// Package gateway serves API requests from a Runtime: the immutable,
// request-ready form compiled from a snapshot.Snapshot. The data flow is
// store → snapshot → Runtime → request: a Server holds the current Runtime
// in an atomic pointer, each request loads it once, routes to an API and
// operation, checks the subscription key against the Runtime's digest
// index and forwards the request to the backend through
// httputil.ReverseProxy. Nothing on the request path takes a lock or reads
// the store.
package gateway
