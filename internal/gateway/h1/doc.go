// Package h1 is the gateway's connection-owning HTTP/1.1 forwarder: the
// fast path beside httputil.ReverseProxy for plain http:// backends.
//
// A Pool keeps the idle connections to one backend address, each with
// its own bufio.Reader and bufio.Writer. Forward takes a connection (or
// dials one), writes the request line and header fields straight from the
// client's request (no outbound *http.Request is made), reads the
// response with the connection's reader, relays 1xx responses and then
// the final one to the http.ResponseWriter, and puts the connection back
// when the exchange ended cleanly. Everything happens on the caller's
// goroutine: unlike http.Transport there is no read loop or write loop
// per connection and no hand-off between goroutines.
//
// What it does is what httputil.ReverseProxy with an http.Transport does
// for the same exchange: hop-by-hop fields and those Connection names are
// not passed on in either direction, 1xx responses are written with
// WriteHeader as they come, trailers are announced and relayed after the
// body, text/event-stream and bodies of unknown length are flushed write
// by write, a body shorter than its Content-Length aborts the client's
// response (http.ErrAbortHandler), a request on a reused connection that
// fails before any response byte is retried once on a new one when that
// is safe. It does not do protocol upgrades, Expect: 100-continue,
// streamed (chunked) request bodies, request trailers, TLS or HTTP/2:
// Eligible tells the caller which requests to hand to ReverseProxy
// instead. Package forwardertest is the conformance suite both pass.
//
// A Pool is also an http.RoundTripper (RoundTrip) for the policy path,
// whose ReverseProxy builds the outbound request itself: the exchange
// runs on the caller's goroutine, 1xx responses go to the request's
// httptrace.ClientTrace, and the response body gives the connection back
// once read to its end. EligibleOutbound says which requests it takes.
package h1
