package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// maxRedirects bounds forward-request's follow-redirects.
const maxRedirects = 10

// backendCall is the Forwarder of one request on the policy path. APIM's
// forward-request is a step like any other (it can be retried, and
// outbound changes its response before the client sees it), so the policy
// path sends the request itself with the gateway's pooled transport
// rather than through httputil.ReverseProxy, which writes the response as
// soon as it arrives. The response body stays a stream until a policy
// reads it, and is then streamed to the client as is.
type backendCall struct {
	s      *Server
	up     *upstreams // the Runtime's backends and transports
	in     *http.Request
	resp   *http.Response // the latest response; nil before forwarding
	body   *expr.Body     // c.Response.Body as the latest forward made it
	cancel context.CancelFunc
}

var _ policy.Forwarder = (*backendCall)(nil)

// release closes the latest response.
func (b *backendCall) release() {
	if b.resp != nil {
		b.resp.Body.Close()
		b.resp = nil
	}
	if b.cancel != nil {
		b.cancel()
		b.cancel = nil
	}
}

// Forward sends c's request to its backend and makes the response
// c.Response.
func (b *backendCall) Forward(c *policy.Context, f policy.Forward) error {
	b.release()
	out, replay, err := b.request(c, f)
	if err != nil {
		return &policy.StepError{Source: "forward-request", Section: policy.Backend, Reason: "BackendConnectionFailure", Err: err}
	}
	tr := b.transport(c)
	resp, err := tr.RoundTrip(out)
	for hops := 0; err == nil && f.FollowRedirects && hops < maxRedirects; hops++ {
		next := redirect(out, resp, replay)
		if next == nil {
			break
		}
		if next.URL.Host != out.URL.Host {
			// Another host gets none of the backend's credentials: no
			// Authorization, cookies, credential headers or query, and
			// no client certificate.
			b.dropCredentials(c, next)
			tr = b.s.transport
		}
		resp.Body.Close()
		out = next
		resp, err = tr.RoundTrip(out)
	}
	if err != nil {
		b.release()
		return backendFailure(err)
	}
	for _, h := range hopHeaders {
		delete(resp.Header, h)
	}
	b.resp = resp
	b.body = expr.NewBody(func() ([]byte, error) { return io.ReadAll(io.LimitReader(resp.Body, maxPolicyBody)) })
	c.Response = &expr.Response{StatusCode: resp.StatusCode, StatusReason: http.StatusText(resp.StatusCode), Headers: resp.Header, Body: b.body}
	return nil
}

// request builds the outbound request from c. replay, when not nil, is
// the body for a redirect to send again.
func (b *backendCall) request(c *policy.Context, f policy.Forward) (*http.Request, []byte, error) {
	ctx := b.in.Context()
	if f.Timeout > 0 {
		ctx, b.cancel = context.WithTimeout(ctx, f.Timeout)
	}
	target := c.Backend
	u := url.URL{Scheme: target.Scheme, Host: target.Host, Path: joinPath(strings.TrimSuffix(target.Path, "/"), c.Path),
		RawQuery: c.Request.URL.Query.Encode()}
	var body io.Reader = http.NoBody
	var replay []byte
	length := int64(0)
	if c.Request.Body.Loaded() || f.BufferRequestBody {
		data, err := c.Request.Body.Bytes()
		if err != nil {
			return nil, nil, err
		}
		if len(data) > 0 {
			body, replay, length = bytes.NewReader(data), data, int64(len(data))
		}
	} else if b.in.Body != nil && b.in.Body != http.NoBody {
		body, length = b.in.Body, b.in.ContentLength // streamed once
	}
	out, err := http.NewRequestWithContext(ctx, c.Request.Method, u.String(), body)
	if err != nil {
		return nil, nil, err
	}
	out.ContentLength = length
	out.Header = c.Request.Headers.Clone()
	if length >= 0 {
		out.Header.Del("Content-Length")
	}
	xff := clientIP(b.in)
	if prior := b.in.Header.Values("X-Forwarded-For"); len(prior) > 0 {
		xff = strings.Join(prior, ", ") + ", " + xff
	}
	out.Header.Set("X-Forwarded-For", xff)
	out.Header.Set("X-Forwarded-Host", b.in.Host)
	proto := "http"
	if b.in.TLS != nil {
		proto = "https"
	}
	out.Header.Set("X-Forwarded-Proto", proto)
	if b.up != nil && c.BackendID != "" {
		if be := b.up.backends[c.BackendID]; be != nil {
			if be.err != nil {
				return nil, nil, be.err
			}
			be.apply(out)
		}
	}
	return out, replay, nil
}

// transport returns the transport for c's backend: the backend entity's
// TLS settings and client certificate, or authentication-certificate's.
func (b *backendCall) transport(c *policy.Context) http.RoundTripper {
	if b.up == nil {
		return b.s.transport
	}
	var be *backendEntity
	if c.BackendID != "" {
		be = b.up.backends[c.BackendID]
	}
	return b.up.transport(be, c.ClientCertificate)
}

// dropCredentials removes from next, a redirect to another host, what
// identifies the caller to the backend: Authorization, Cookie,
// Proxy-Authorization and the backend entity's credential headers and
// query parameters.
func (b *backendCall) dropCredentials(c *policy.Context, next *http.Request) {
	for _, h := range []string{"Authorization", "Cookie", "Proxy-Authorization"} {
		next.Header.Del(h)
	}
	if b.up == nil || c.BackendID == "" {
		return
	}
	be := b.up.backends[c.BackendID]
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

// redirect returns the request that follows resp's redirect, or nil when
// resp is not one that can be followed.
func redirect(out *http.Request, resp *http.Response, replay []byte) *http.Request {
	loc := resp.Header.Get("Location")
	if loc == "" || resp.StatusCode < 300 || resp.StatusCode > 308 || resp.StatusCode == 304 || resp.StatusCode == 305 || resp.StatusCode == 306 {
		return nil
	}
	target, err := out.URL.Parse(loc)
	if err != nil || (target.Scheme != "http" && target.Scheme != "https") || (out.URL.Scheme == "https" && target.Scheme == "http") {
		return nil // never from https down to http
	}
	method, body := out.Method, replay
	switch resp.StatusCode {
	case http.StatusSeeOther:
		method, body = http.MethodGet, nil
	case http.StatusMovedPermanently, http.StatusFound:
		if method == http.MethodPost {
			method, body = http.MethodGet, nil
		}
	}
	if body == nil && method != http.MethodGet && method != http.MethodHead && out.ContentLength != 0 {
		return nil // a streamed body cannot be sent again
	}
	next, err := http.NewRequestWithContext(out.Context(), method, target.String(), bytes.NewReader(body))
	if err != nil {
		return nil
	}
	next.Header = out.Header.Clone()
	return next
}

// backendFailure describes a failed forward as APIM's LastError does.
func backendFailure(err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return &policy.StepError{Source: "forward-request", Section: policy.Backend, Reason: "Timeout",
			Err: errors.New("the backend did not respond in time")}
	}
	return &policy.StepError{Source: "forward-request", Section: policy.Backend, Reason: "BackendConnectionFailure",
		Err: errors.New("the backend could not be reached")}
}

// writeResponse writes the pipeline's response: the backend's, streamed
// unless a policy read or replaced its body, or one a policy made.
func (b *backendCall) writeResponse(w http.ResponseWriter, c *policy.Context) {
	resp := c.Response
	if resp == nil || b.resp == nil || resp.Body != b.body || b.body.Loaded() {
		writePolicyResponse(w, resp, c.ResponseHeaders)
		return
	}
	h := w.Header()
	for k, v := range resp.Headers {
		h[k] = v
	}
	mergeResponseHeaders(h, c.ResponseHeaders)
	h.Del("Content-Length")
	if b.resp.ContentLength >= 0 {
		h.Set("Content-Length", strconv.FormatInt(b.resp.ContentLength, 10))
	}
	status := resp.StatusCode
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	stream := b.resp.ContentLength < 0 || strings.HasPrefix(h.Get("Content-Type"), "text/event-stream")
	buf := b.s.buffers.Get()
	defer b.s.buffers.Put(buf)
	rc := http.NewResponseController(w)
	for {
		n, err := b.resp.Body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			if stream {
				rc.Flush()
			}
		}
		if err != nil {
			return
		}
	}
}
