// Package forwardertest is the conformance suite of the gateway's
// forwarder. Run puts the forwarder under test in front of real backends
// on loopback and checks, over real connections, what httputil.ReverseProxy
// does for the gateway: connection upgrades (WebSocket) pass through, 1xx
// responses and trailers are relayed, hop-by-hop headers and the headers
// that Connection names are removed, streamed responses and request
// bodies are passed on as they come, and the path and query reach the
// backend byte for byte; and bodies are framed as HTTP/1.1 says (chunked
// bodies followed by more responses, HEAD, 204 and 304 without a body, a
// short body an error, an oversized header refused, several 1xx before
// the final response, a backend closing kept connections). Every forwarder of the gateway (the policy path,
// the path without a policy, and any faster path added later) must pass
// the same table.
package forwardertest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Start puts the forwarder under test in front of the backend at
// backendURL (scheme and host, no path) and returns the URL that stands
// for the backend's root: a request for front+P, P being a path and a
// query, must reach the backend as P. Start registers the cleanup of
// what it starts with t.
type Start func(t *testing.T, backendURL string) (front string)

// patience bounds every wait of the suite: a forwarder that holds back
// what it should pass on fails after it instead of hanging the test.
const patience = 20 * time.Second

// cases is the suite's table. Each case starts its own backend.
var cases = []struct {
	name string
	run  func(t *testing.T, h *harness)
}{
	{"WebSocketEcho", testWebSocketEcho},
	{"EarlyHintsBeforeFinalResponse", testEarlyHints},
	{"Trailers", testTrailers},
	{"ServerSentEventsOneByOne", testServerSentEvents},
	{"ConnectionTokensRemoved", testConnectionTokens},
	{"HopByHopHeadersRemoved", testHopByHop},
	{"RawPathAndQuery", testRawPathAndQuery},
	{"RequestBodyStreams", testRequestBodyStreams},
	{"ReuseAfterChunkedBody", testReuseAfterChunked},
	{"BackendClosesIdleConnections", testBackendClosesIdle},
	{"InformationalBeforeFinal", testInformationalBeforeFinal},
	{"NoBodyForHeadAnd204And304", testNoBodyResponses},
	{"ShortBodyIsAnError", testShortBody},
	{"HugeResponseHeaderRefused", testHugeHeaderRefused},
	{"MalformedResponseHeadLeavesNoFields", testMalformedHeadLeavesNoFields},
}

// Run runs every case of the suite against the forwarder that start
// builds, each as a subtest.
func Run(t *testing.T, start Start) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.run(t, &harness{t: t, start: start})
		})
	}
}

// harness starts a case's backend and forwarder and holds the client
// that talks to the forwarder.
type harness struct {
	t      *testing.T
	start  Start
	client *http.Client
}

// serve starts backend and the forwarder in front of it; it returns the
// forwarder's front URL.
func (h *harness) serve(backend http.HandlerFunc) string {
	h.t.Helper()
	srv := httptest.NewServer(backend)
	h.t.Cleanup(srv.Close)
	front := h.start(h.t, srv.URL)
	tr := &http.Transport{DisableCompression: true}
	h.t.Cleanup(tr.CloseIdleConnections)
	h.client = &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return front
}

// context returns the context of a case's client: it ends with the test,
// or after twice patience, so that a backend that gives up waiting says
// why before the client does.
func (h *harness) context() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*patience)
	h.t.Cleanup(cancel)
	return ctx
}

// await waits until ch is closed or receives, or patience runs out; it
// reports which.
func await[T any](ctx context.Context, ch <-chan T) bool {
	select {
	case <-ch:
		return true
	case <-ctx.Done():
		return false
	}
}
