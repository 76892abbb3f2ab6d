package gateway

import (
	"bytes"
	"net/http"
)

// maxRedirects bounds forward-request's follow-redirects.
const maxRedirects = 10

// redirect returns the request that follows res's redirect of out, or nil
// when res is not one that can be followed. body is out's body when
// buffered; a streamed body cannot be sent again.
func redirect(out *http.Request, res *http.Response, buffered bool, body []byte) *http.Request {
	loc := res.Header.Get("Location")
	if loc == "" || res.StatusCode < 300 || res.StatusCode > 308 || res.StatusCode == 304 || res.StatusCode == 305 || res.StatusCode == 306 {
		return nil
	}
	target, err := out.URL.Parse(loc)
	if err != nil || (target.Scheme != "http" && target.Scheme != "https") || (out.URL.Scheme == "https" && target.Scheme == "http") {
		return nil // never from https down to http
	}
	method := out.Method
	switch res.StatusCode {
	case http.StatusSeeOther:
		method, buffered, body = http.MethodGet, true, nil
	case http.StatusMovedPermanently, http.StatusFound:
		if method == http.MethodPost {
			method, buffered, body = http.MethodGet, true, nil
		}
	}
	if !buffered && out.ContentLength != 0 {
		return nil // a streamed body cannot be sent again
	}
	next, err := http.NewRequestWithContext(out.Context(), method, target.String(), bytes.NewReader(body))
	if err != nil {
		return nil
	}
	next.Header = out.Header.Clone()
	return next
}

// dropCredentials removes from next, a redirect to another host, what
// identifies the caller to the backend: Authorization, Cookie,
// Proxy-Authorization and the backend entity's credential headers and
// query parameters.
func (fw *forwarding) dropCredentials(next *http.Request) {
	for _, h := range []string{"Authorization", "Cookie", "Proxy-Authorization"} {
		next.Header.Del(h)
	}
	be := fw.a.be
	if be == nil {
		return
	}
	for k := range be.header {
		next.Header.Del(k)
	}
	if len(be.queryNames) > 0 {
		q := next.URL.Query()
		for _, n := range be.queryNames {
			q.Del(n)
		}
		next.URL.RawQuery = q.Encode()
	}
}
