package gateway

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// maxPolicyBody bounds a body that policies read into memory.
const maxPolicyBody = 16 << 20

// hopHeaders are removed from the request headers that policies see, and
// from the headers they send to a backend; so are the headers that the
// client's Connection header names.
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

type policyKey struct{}

// servePolicy runs an operation's policy pipeline for one request:
// inbound, backend (where forward-request calls the backend), outbound,
// and on-error when a section fails; then it writes the response.
func (s *Server) servePolicy(w *recorder, r *http.Request, api *apiRoute, op *operation, sub *subscriber, key, rest string, pipe *policy.Pipeline) {
	st := s.newRequestState(r, api, op, sub, key, rest)
	c, fw := &st.c, &st.fw
	s.initForwarding(fw, w, r, api, rest)
	defer fw.release()
	c.Forwarder = fw
	section := policy.Inbound
	err := pipe.Run(policy.Inbound, c)
	if err == nil && !c.Ended() {
		section = policy.Backend
		w.backendStart = time.Now()
		err = pipe.Run(policy.Backend, c)
		if err == nil && c.Response != nil {
			c.BackendDone()
		}
	}
	if err == nil && !c.Ended() {
		section = policy.Outbound
		err = pipe.Run(policy.Outbound, c)
	}
	if b := c.Request.Body; b != nil && b.Started() {
		// A policy read the start of the body and answered without the
		// rest (validate-content's max-size): do not wait for it.
		w.Header().Set("Connection", "close")
	}
	if err != nil {
		if w.span != nil || w.diag {
			w.failure = err // for the span and records: APIM's error source and reason
		}
		s.failPolicy(w, r, c, pipe, section, err)
	} else {
		fw.respond(w, c)
	}
	if c.HasAfterResponse() {
		s.finish(w, c)
	}
}

// finish runs what waits for the response (limits counting on it) once
// the response is on its way to the client.
func (s *Server) finish(w *recorder, c *policy.Context) {
	http.NewResponseController(w).Flush()
	if c.Response == nil || c.Response.StatusCode != w.status {
		resp := &expr.Response{StatusCode: w.status, StatusReason: http.StatusText(w.status), Headers: w.Header()}
		if c.Response != nil {
			resp.Body = c.Response.Body
		}
		c.Response = resp
	}
	c.Finish(w.bytes)
}

// failPolicy runs on-error for a failed section and answers with what it
// made: a refusal's answer unless on-error changed it, else, when it made
// no response, the client's failure when r's body could not be read (413,
// 408, 400), 502 or 504 for a backend, or 500.
func (s *Server) failPolicy(w http.ResponseWriter, r *http.Request, c *policy.Context, pipe *policy.Pipeline, section policy.Section, err error) {
	c.Response = policy.RefusalResponse(err)
	if herr := pipe.HandleError(section, c, err); herr != nil {
		s.log.Warn("on-error failed", "err", herr)
		c.Response = nil
	}
	s.log.Debug("policy failed", "section", section, "err", err)
	if c.Response == nil {
		var se *policy.StepError
		var ce *clientError
		if berr := bodyFailure(w); berr != nil {
			ce = classifyBodyError(berr)
		}
		switch {
		case ce != nil || errors.As(err, &ce):
			s.writeClientError(w, r, ce)
		case errors.As(err, &se) && se.Source == "forward-request" && se.Reason == "Timeout":
			writeError(w, http.StatusGatewayTimeout, "The backend did not respond in time.")
		case errors.As(err, &se) && se.Source == "forward-request":
			writeError(w, http.StatusBadGateway, "The backend could not be reached.")
		default:
			writeError(w, http.StatusInternalServerError, "Internal server error")
		}
		return
	}
	writePolicyResponse(w, c.Response, c.ResponseHeaders)
}

// requestState is what a request on the policy path needs, made in one
// allocation: the policy Context, the parts of its expression context
// that belong to the request alone, and the forwarding to the backend.
type requestState struct {
	c       policy.Context
	req     expr.Request
	in, fwd expr.URL
	body    expr.Body // the request body, as policies read it
	sub     expr.Subscription
	fw      forwarding
	// headerValues holds the values of context.Request.Headers when
	// they fit.
	headerValues [8]string
}

// newPolicyContext makes the policy Context of one request.
func (s *Server) newPolicyContext(r *http.Request, api *apiRoute, op *operation, sub *subscriber, key, rest string) *policy.Context {
	return &s.newRequestState(r, api, op, sub, key, rest).c
}

// newRequestState makes the state of one request on the policy path, its
// forwarding not yet set up. What does not change between requests
// (context.Api, context.Operation, context.Product, context.User,
// context.Deployment) was made when the configuration was compiled and
// is shared: policies only read it.
func (s *Server) newRequestState(r *http.Request, api *apiRoute, op *operation, sub *subscriber, key, rest string) *requestState {
	st := &requestState{}
	headers := endToEnd(r.Header, api.keyHeader, 0, st.headerValues[:])
	removeConnectionTokens(headers, r.Header["Connection"])
	in := &st.in
	requestURL(in, r)
	fwd := &st.fwd
	*fwd = *in
	fwd.SetRawQueryWithout(r.URL.RawQuery, api.keyQuery) // parsed when a policy reads it
	st.body.InitStream(r.Body, readPolicyBody)
	req := &st.req
	*req = expr.Request{
		Method: r.Method, URL: fwd, OriginalURL: in, Headers: headers, IPAddress: s.clientAddress(r),
		Body: &st.body,
	}
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		// the leaf the client presented (the listener asks with
		// --negotiate-client-certificate); parsed by the handshake
		req.Certificate = r.TLS.PeerCertificates[0]
	}
	c := &st.c
	c.Context = expr.Context{
		Request:    req,
		API:        api.ctx,
		RequestID:  s.ids.next(),
		Deployment: s.deployment,
		Timestamp:  time.Now().UTC(),
		Trace:      s.traceOut,
		// Variables is made by the first set-variable.
	}
	c.Ctx, c.Backend, c.Path = r.Context(), api.target, rest
	if op != nil { // nil: the request matches no operation
		req.SetParameters(op.tpl, rest) // worked out when a policy reads them
		c.Operation = op.ctx
	}
	if sub != nil {
		st.sub = expr.Subscription{ID: sub.id, Name: sub.name, Key: key}
		c.Subscription, c.User, c.Product = &st.sub, sub.user, sub.scope
	}
	return st
}

// readPolicyBody reads a request body for policies, maxPolicyBody bytes
// at most.
func readPolicyBody(body io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(body, maxPolicyBody+1))
	if len(b) > maxPolicyBody {
		return nil, &http.MaxBytesError{Limit: maxPolicyBody}
	}
	return b, err
}

// removeConnectionTokens removes from h the headers that connection, the
// values of the client's Connection header, names: they are for the
// gateway only (RFC 9110, 7.6.1).
func removeConnectionTokens(h http.Header, connection []string) {
	for _, v := range connection {
		for name := range strings.SplitSeq(v, ",") {
			if name = strings.TrimSpace(name); name != "" {
				h.Del(name)
			}
		}
	}
}

// requestURL sets u to the request's URL as the client sent it. A
// request without a query has a nil Query, which reads as an empty one;
// a query is parsed when a policy first reads it.
func requestURL(u *expr.URL, r *http.Request) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host, port := r.Host, 80
	if scheme == "https" {
		port = 443
	}
	if strings.Contains(r.Host, ":") { // else SplitHostPort fails, allocating its error
		if h, p, err := net.SplitHostPort(r.Host); err == nil {
			host = h
			port, _ = strconv.Atoi(p) // "host:" has port 0
		}
	}
	*u = expr.URL{Scheme: scheme, Host: host, Port: port, Path: r.URL.Path}
	if r.URL.RawQuery != "" {
		u.SetRawQuery(r.URL.RawQuery)
	}
}

// urlOf returns u as policies see a configured URL (context.Api.ServiceUrl).
func urlOf(u *url.URL) *expr.URL {
	if u == nil {
		return nil
	}
	port, _ := strconv.Atoi(u.Port())
	if port == 0 {
		port = map[string]int{"http": 80, "https": 443}[u.Scheme]
	}
	return &expr.URL{Scheme: u.Scheme, Host: u.Hostname(), Port: port, Path: u.Path, Query: u.Query()}
}

// requestIDs makes context.RequestId values: GUID-shaped, unique per
// process (a random prefix and a counter) and cheap to make.
type requestIDs struct {
	prefix [8]byte
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs {
	ids := &requestIDs{}
	rand.Read(ids.prefix[:])
	return ids
}

func (ids *requestIDs) next() string {
	var b [16]byte
	copy(b[:8], ids.prefix[:])
	binary.BigEndian.PutUint64(b[8:], ids.n.Add(1))
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}

// trace receives <trace> and context.Trace() output.
func (s *Server) trace(source, msg string) {
	s.log.Info("trace", "source", source, "message", msg)
}

// writePolicyResponse writes a response a policy made, with extra (the
// Context's ResponseHeaders) merged in.
func writePolicyResponse(w http.ResponseWriter, resp *expr.Response, extra http.Header) {
	h := w.Header()
	if resp == nil {
		mergeResponseHeaders(h, extra)
		w.WriteHeader(http.StatusOK)
		return
	}
	for k, v := range resp.Headers {
		h[k] = v
	}
	mergeResponseHeaders(h, extra)
	var body []byte
	if resp.Body != nil {
		body, _ = resp.Body.Bytes()
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Del("Transfer-Encoding")
	status := resp.StatusCode
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	w.Write(body)
}

// mergeResponseHeaders sets extra's headers in h: each replaces h's
// values, except Vary, whose values are added when missing.
func mergeResponseHeaders(h, extra http.Header) {
	for k, v := range extra {
		if k != "Vary" {
			h[k] = v
			continue
		}
		for _, val := range v {
			if !slices.Contains(h[k], val) {
				h[k] = append(h[k], val)
			}
		}
	}
}
