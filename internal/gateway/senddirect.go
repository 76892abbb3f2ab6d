package gateway

import (
	"net/http"
	"net/http/httputil"
	"net/textproto"

	"github.com/gatehouse/gatehouse/internal/gateway/h1"
)

// sendDirect forwards in, the request Forward made for the relay's send
// proxy, as send would, when nothing in it needs ReverseProxy's request
// half: the client asked for nothing about the connection (in.Header is
// nil: no Connection, Upgrade or TE), the request has no body or the
// pipeline buffered it, redirects are not followed, the client's context
// can end, nothing is traced, and the request goes to the API's h1 pool
// (which answers on the request's goroutine). It reports false, having
// sent nothing, for any other request, which send forwards.
//
// For such a request, send comes down to what sendDirect does: the
// outbound request is in with the pipeline's method, URL, headers and
// body (rewrite), 1xx responses are written to the client as they come,
// and the response, its hop-by-hop fields removed (unless it is 101),
// goes to the pipeline; a failure is the forward's error. Going through
// ReverseProxy would cost copies of the request and its URL, a header
// map, a proxy request and a context per request.
func (fw *forwarding) sendDirect(in *http.Request) bool {
	a := &fw.a
	if fw.relay.proxyOnly || in.Header != nil || (!a.buffered && in.ContentLength != 0) || a.f.FollowRedirects || fw.relay.tracing != nil ||
		fw.ctx.Done() == nil {
		return false
	}
	out := &fw.sent
	*out = *in
	out.Close = false
	if in.ContentLength == 0 {
		out.Body = nil // as ReverseProxy: no body to send (rewrite sets a buffered one)
	}
	fw.rewrite(&httputil.ProxyRequest{In: in, Out: out})
	if _, h1 := fw.sender(a.tr, out).(*h1.Pool); !h1 {
		return false
	}
	if fw.trace.Got1xxResponse == nil {
		fw.trace.Got1xxResponse = fw.got1xx // out's context gives it to the pool: see forwardingContext
	}
	res, err := fw.roundTrip(out)
	fw.rtDone = true
	if err != nil {
		a.err = err
		return true
	}
	if res.StatusCode != http.StatusSwitchingProtocols { // as ReverseProxy: reply needs a 101's Upgrade
		removeHopByHop(res.Header)
	}
	a.res = res
	return true
}

// got1xx writes a 1xx response of the backend to the client, as the
// relay's send proxy does, until the forward's round trip is over. The
// h1 pool calls it on the request's goroutine, during RoundTrip.
func (fw *forwarding) got1xx(code int, header textproto.MIMEHeader) error {
	if fw.rtDone {
		return nil
	}
	h := fw.w.Header()
	for k, vv := range header {
		for _, v := range vv {
			h.Add(k, v)
		}
	}
	fw.w.WriteHeader(code)
	clear(h) // WriteHeader leaves a 1xx response's fields in place
	return nil
}
