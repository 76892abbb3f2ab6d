package gateway

import (
	"net"
	"net/http/httputil"
	"strings"
)

// setForwardingHeaders sets on pr.Out the headers a forward adds, with
// one allocation for all their values instead of one each, since the
// forwarded request is the gateway's hottest path:
//   - X-Forwarded-For, X-Forwarded-Host and X-Forwarded-Proto, exactly as
//     pr.SetXForwarded sets them (the client appended to the
//     X-Forwarded-For that pr.Out carries, which is dropped when the
//     client's address cannot be parsed; the host the client asked for;
//     http or https);
//   - an empty User-Agent when pr.Out has none, which ReverseProxy would
//     otherwise add itself after the Rewrite hook, so that the Go
//     client's default is not sent.
//
// The values go into vals, which must be zero and used by nothing else.
func setForwardingHeaders(pr *httputil.ProxyRequest, vals *[4]string) {
	in, h := pr.In, pr.Out.Header
	// Full slice expressions below: an append to one value must not
	// write into the next.
	clientIP, _, err := net.SplitHostPort(in.RemoteAddr)
	if err == nil {
		if prior := h["X-Forwarded-For"]; len(prior) > 0 {
			clientIP = strings.Join(prior, ", ") + ", " + clientIP
		}
		vals[0] = clientIP
		h["X-Forwarded-For"] = vals[0:1:1]
	} else {
		delete(h, "X-Forwarded-For")
	}
	vals[1] = in.Host
	h["X-Forwarded-Host"] = vals[1:2:2]
	vals[2] = "http"
	if in.TLS != nil {
		vals[2] = "https"
	}
	h["X-Forwarded-Proto"] = vals[2:3:3]
	if _, ok := h["User-Agent"]; !ok {
		h["User-Agent"] = vals[3:4:4] // ""
	}
}
