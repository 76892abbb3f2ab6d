package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/http/httputil"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/gateway/h1"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// relay is the policy path's use of httputil.ReverseProxy. APIM's
// forward-request is a step like any other (retry may run it again, and
// outbound may change the response before the client sees it), while
// ReverseProxy writes a response as soon as it has one. So the policy
// path runs ReverseProxy twice: send forwards the request as the pipeline
// made it and hands the backend's response to the pipeline instead of
// writing it (1xx responses still go to the client as they come); reply
// then writes that response as the pipeline left it, streaming the body,
// relaying trailers and switching protocols (WebSocket). A plain request
// to the API's h1 pool is sent by sendDirect, and a plain response
// (known length, no trailers) written by writePlain, as send and reply
// would, at less cost. Both proxies keep
// their per-request state in a forwarding carried by the request's
// context, so one relay serves every request of a Server.
type relay struct {
	send   httputil.ReverseProxy
	reply  httputil.ReverseProxy
	stream httputil.ReverseProxy // reply for buffer-response="false"
	// buffers lends reply's buffers, and writePlain's: see there for the
	// responses written without reply.
	buffers   httputil.BufferPool
	proxyOnly bool // tests: send and reply forward every request and response
	log       *slog.Logger
	// tracing, when set, puts a client span around each forward.
	tracing *tracing
}

// errCaptured stops send from writing the response it captured.
var errCaptured = errors.New("the response goes to the policy pipeline")

// errForwardTimeout is why a forward that waited longer than
// forward-request's timeout for its response headers was cancelled.
var errForwardTimeout = errors.New("forward-request timeout")

func newRelay(buffers httputil.BufferPool, log *slog.Logger, replyFailed func(http.ResponseWriter, *http.Request, error)) *relay {
	r := &relay{log: log, buffers: buffers}
	errorLog := slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	r.send = httputil.ReverseProxy{
		Rewrite:        func(pr *httputil.ProxyRequest) { forwardingOf(pr.In.Context()).rewrite(pr) },
		Transport:      sendTransport{},
		ModifyResponse: func(*http.Response) error { return errCaptured },
		ErrorLog:       errorLog,
		ErrorHandler: func(_ http.ResponseWriter, r *http.Request, err error) {
			if err != errCaptured {
				forwardingOf(r.Context()).a.err = err
			}
		},
	}
	r.reply = httputil.ReverseProxy{
		Rewrite:      func(*httputil.ProxyRequest) {},
		Transport:    replyTransport{},
		BufferPool:   buffers,
		ErrorHandler: replyFailed,
		ErrorLog:     errorLog,
	}
	r.stream = r.reply
	r.stream.FlushInterval = -1
	return r
}

// forwarding is the policy.Forwarder of one request on the policy path.
// It is used by the request's goroutine only (ReverseProxy calls its
// hooks from there).
type forwarding struct {
	relay *relay
	w     http.ResponseWriter // 1xx responses go there as they come
	in    *http.Request       // the client's request, with ctx: &inReq
	ctx   context.Context     // in's context, carrying the forwarding: &fctx
	api   *apiRoute
	rest  string  // the path after the API's suffix, as routed
	a     attempt // the latest forward
	// out is the copy of in that one of the relay's proxies gets (send,
	// then reply, never both at once), kept here so that making it
	// allocates nothing; so are in and its context.
	out   http.Request
	inReq http.Request
	fctx  forwardingContext
	// sent is the outbound request of sendDirect, trace its client trace
	// and rtDone whether its round trip is over (1xx responses no longer
	// go to the client then).
	sent   http.Request
	trace  httptrace.ClientTrace
	rtDone bool
	// store holds what the request's first forward makes.
	store forwardStore
}

// forwardingContext is the context of a request on the policy path: the
// client's, carrying the request's forwarding for the relay's hooks. It
// is kept in the forwarding itself, so that making it allocates nothing,
// and it leaves every other value, deadline and cancellation to the
// client's context (the context package still sees the cancelCtx below,
// so contexts derived from it need no goroutine).
type forwardingContext struct {
	context.Context
	fw *forwarding
}

// Value returns the forwarding for forwardingKey, and for
// h1.ClientTraceKey the client trace of sendDirect once it set one (the
// h1 pool looks for it only when the request carries no trace of
// httptrace's, as ReverseProxy's requests do); else what the client's
// context holds.
func (c *forwardingContext) Value(key any) any {
	switch key {
	case forwardingKey{}:
		return c.fw
	case h1.ClientTraceKey{}:
		if c.fw.trace.Got1xxResponse != nil {
			return &c.fw.trace
		}
	case h1.ClientGoneKey{}:
		return c.fw
	}
	return c.Context.Value(key)
}

// AfterClientGone implements h1.ClientGoneNotifier for the forward's
// context when no timeout derives one from it: that context ends when
// the client's does, so the client's ResponseWriter may say when its
// client goes away.
func (fw *forwarding) AfterClientGone(ctx context.Context, f func()) (stop func() bool, ok bool) {
	if ctx != fw.ctx {
		return nil, false
	}
	return h1.AfterClientGone(fw.w, fw.fctx.Context, f)
}

var _ policy.Forwarder = (*forwarding)(nil)

// attempt is the state of one forward of a request.
type attempt struct {
	c        *policy.Context
	f        policy.Forward
	be       *backendEntity // nil: the backend is a URL
	base     *url.URL       // the pool member's URL; nil: c.Backend
	tr       http.RoundTripper
	buffered bool                    // the request body is replay, else in's body streams
	replay   []byte                  // the request body, to send again
	ctx      context.Context         // the forward's: the request's, or one the timeout cancels
	cancel   context.CancelCauseFunc // nil: no timeout
	timer    *time.Timer             // cancels ctx when the response headers are late
	res      *http.Response          // the backend's response; nil before it came and once reply has it
	body     *expr.Body              // context.Response.Body, read from res
	keep     http.Response           // res without its body, for send to write nothing of
	err      error                   // why send failed
}

type forwardingKey struct{}

// initForwarding sets fw up to forward r, routed to api with rest.
func (s *Server) initForwarding(fw *forwarding, w http.ResponseWriter, r *http.Request, api *apiRoute, rest string) {
	*fw = forwarding{relay: s.relay, w: w, api: api, rest: rest}
	fw.fctx = forwardingContext{Context: r.Context(), fw: fw}
	fw.ctx = &fw.fctx
	fw.inReq = *r.WithContext(fw.ctx) // a copy, in place
	fw.in = &fw.inReq
}

// requestFor returns a copy of fw.in in dst with the context of the
// latest forward.
func (fw *forwarding) requestFor(dst *http.Request) *http.Request {
	*dst = *fw.in.WithContext(fw.a.ctx)
	return dst
}

func forwardingOf(ctx context.Context) *forwarding {
	return ctx.Value(forwardingKey{}).(*forwarding)
}

// release closes the latest response and ends its forward.
func (fw *forwarding) release() {
	a := &fw.a
	if a.timer != nil {
		a.timer.Stop()
	}
	if a.res != nil {
		a.res.Body.Close()
	}
	if a.cancel != nil {
		a.cancel(nil)
	}
	*a = attempt{}
}

// Forward sends c's request to its backend and makes the response
// c.Response. The response body is read only when a policy asks for it.
func (fw *forwarding) Forward(c *policy.Context, f policy.Forward) error {
	fw.release()
	a := &fw.a
	a.c, a.f = c, f
	if c.BackendID != "" {
		be := fw.api.up.backends[c.BackendID]
		if be != nil && be.pool != nil {
			m := be.pool.pick()
			if m == nil {
				fw.unavailable(c, "Backend pool "+c.BackendID+" is temporarily unavailable")
				return nil
			}
			be, a.base = m, m.base
		}
		a.be = be
		if be != nil && be.err != nil {
			fw.relay.log.Warn("backend not usable", "backend", c.BackendID, "err", be.err)
			return forwardFailure("BackendConnectionFailure", "the backend could not be reached", be.err)
		}
		if be != nil && be.breaker != nil && be.breaker.isOpen() {
			fw.unavailable(c, "Backend "+be.id+" is temporarily unavailable")
			return nil
		}
	}
	if c.Backend == nil && a.base == nil {
		return forwardFailure("BackendConnectionFailure", "the API has no backend service URL", nil)
	}
	a.tr = fw.api.up.transportVia(a.be, c.ClientCertificate, c.Proxy)
	if c.Request.Body.Loaded() || c.Request.Body.Started() || f.BufferRequestBody {
		data, err := c.Request.Body.Bytes()
		if err != nil {
			return requestFailure(classifyBodyError(err))
		}
		a.buffered, a.replay = true, data
	}
	a.ctx = fw.ctx
	if f.Timeout > 0 {
		a.ctx, a.cancel = context.WithCancelCause(fw.ctx)
		cancel := a.cancel
		a.timer = time.AfterFunc(f.Timeout, func() { cancel(errForwardTimeout) })
	}
	// send takes its headers from the pipeline (rewrite); of the client's
	// it needs those that say what to keep of the connection.
	in := fw.requestFor(&fw.out)
	in.Header = nil
	for _, h := range [...]string{"Connection", "Upgrade", "Te"} {
		if v, ok := fw.in.Header[h]; ok {
			if in.Header == nil {
				in.Header = make(http.Header, 3)
			}
			in.Header[h] = v
		}
	}
	fw.rtDone = false
	if !fw.sendDirect(in) {
		fw.relay.send.ServeHTTP(fw.w, in)
	}
	if a.res == nil {
		err := a.err
		if errors.Is(context.Cause(a.ctx), errForwardTimeout) {
			err = errForwardTimeout
		}
		br := a.be.circuit()
		fw.release()
		err = fw.failed(err)
		var se *policy.StepError
		if br != nil && errors.As(err, &se) && se.Source == "forward-request" {
			br.noResponse(se.Reason)
		}
		return err
	}
	res := a.res
	if br := a.be.circuit(); br != nil {
		br.response(res.StatusCode, res.Header)
	}
	if res.StatusCode == http.StatusSwitchingProtocols {
		a.body = expr.BodyOf(nil) // the upgraded connection is not a body to read
	} else {
		body := res.Body
		a.body = fw.store.takeBody()
		a.body.InitStream(body, readResponseBody)
	}
	c.Response = fw.store.takeResponse()
	*c.Response = expr.Response{StatusCode: res.StatusCode, StatusReason: http.StatusText(res.StatusCode), Headers: res.Header, Body: a.body}
	return nil
}

// readResponseBody reads a backend response's body for policies,
// maxPolicyBody bytes at most.
func readResponseBody(body io.Reader) ([]byte, error) {
	return io.ReadAll(io.LimitReader(body, maxPolicyBody))
}

// unavailable makes c's response APIM's answer for a backend, or every
// member of a pool, whose circuit breaker is open: 503, the reason
// phrase saying which, in the gateway's JSON error shape. It is a
// response rather than an error, as in APIM: outbound runs, and a retry
// policy's condition sees context.Response.StatusCode 503.
func (fw *forwarding) unavailable(c *policy.Context, reason string) {
	body, _ := json.Marshal(struct {
		StatusCode int    `json:"statusCode"`
		Message    string `json:"message"`
	}{http.StatusServiceUnavailable, reason})
	h := http.Header{"Content-Type": {"application/json"}}
	c.Response = &expr.Response{StatusCode: http.StatusServiceUnavailable, StatusReason: reason, Headers: h, Body: expr.BodyOf(body)}
}

// circuit returns b's circuit breaker; nil when b is nil or has none.
func (b *backendEntity) circuit() *breaker {
	if b == nil {
		return nil
	}
	return b.breaker
}

// failed logs why a forward failed and describes it as APIM's LastError
// does: the client's failure when its body could not be read, else the
// backend's.
func (fw *forwarding) failed(err error) error {
	if berr := bodyFailure(fw.w); berr != nil {
		return requestFailure(classifyBodyError(berr))
	}
	var ne net.Error
	if errors.Is(err, errForwardTimeout) || errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		fw.relay.log.Warn("backend timeout", "path", fw.in.URL.Path, "err", err)
		return forwardFailure("Timeout", "the backend did not respond in time", err)
	}
	fw.relay.log.Warn("backend unreachable", "path", fw.in.URL.Path, "err", err)
	return forwardFailure("BackendConnectionFailure", "the backend could not be reached", err)
}

// forwardFailure is forward-request's error with reason and message as
// policies see them in context.LastError; err is the cause, which they do
// not see.
func forwardFailure(reason, message string, err error) error {
	return &policy.StepError{Source: "forward-request", Section: policy.Backend, Reason: reason, Err: &hiddenCause{message, err}}
}

// hiddenCause says message and wraps err.
type hiddenCause struct {
	message string
	err     error
}

func (e *hiddenCause) Error() string { return e.message }
func (e *hiddenCause) Unwrap() error { return e.err }

// rewrite makes send's outbound request from the pipeline's: method, URL
// (c.Backend, c.Path and the query), headers and body, with the backend
// entity's credentials. Of the client's hop-by-hop headers it keeps what
// ReverseProxy keeps (TE: trailers, an upgrade).
func (fw *forwarding) rewrite(pr *httputil.ProxyRequest) {
	a, out := &fw.a, pr.Out
	c := a.c
	kept := [...][]string{out.Header["Te"], out.Header["Connection"], out.Header["Upgrade"]}
	// Room for what is added below (X-Forwarded-*, User-Agent, the kept
	// hop-by-hop fields) without growing the map.
	out.Header = endToEnd(c.Request.Headers, "", 4+len(kept), fw.store.takeHeaderValues())
	for i, h := range [...]string{"Te", "Connection", "Upgrade"} {
		if kept[i] != nil {
			out.Header[h] = kept[i]
		}
	}
	out.Method = c.Request.Method
	out.URL = fw.target(pr.In)
	out.Host = "" // the backend's own host name, as APIM sends it
	if a.buffered {
		data := a.replay
		out.ContentLength, out.Body, out.GetBody = int64(len(data)), nil, nil
		if len(data) > 0 {
			out.Body = io.NopCloser(bytes.NewReader(data))
			out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
		}
	}
	setForwardingHeaders(pr, fw.store.takeForwardingValues()) // appends the client to the X-Forwarded-For the policies saw
	if a.be != nil {
		a.be.apply(out)
	}
}

// target returns the backend URL of the latest forward. The path and the
// query are sent as the client wrote them unless a policy changed them.
func (fw *forwarding) target(in *http.Request) *url.URL {
	c := fw.a.c
	b := c.Backend
	if fw.a.base != nil {
		b = fw.a.base
	}
	u := fw.store.takeURL()
	*u = url.URL{Scheme: b.Scheme, Host: b.Host, Path: joinPath(strings.TrimSuffix(b.Path, "/"), c.Path)}
	if c.Path == fw.rest && in.URL.RawPath != "" {
		prefix := ""
		if fw.api.path != "" {
			prefix = "/" + fw.api.path
		}
		u.RawPath = joinPath(strings.TrimSuffix(b.EscapedPath(), "/"), strings.TrimPrefix(in.URL.EscapedPath(), prefix))
	}
	u.RawQuery = fw.backendRawQuery(in.URL.RawQuery)
	return u
}

// backendRawQuery returns the query to send for the client's raw query:
// what forwardQuery returns for it and the policies' view of it. When
// no policy read or changed the query, and raw is plain, that is raw
// without the subscription key parameter, which needs no parsing.
func (fw *forwarding) backendRawQuery(raw string) string {
	req, key := fw.a.c.Request, fw.api.keyQuery
	if req.URL.QueryPendingWithout(raw, key) && plainQuery(raw) {
		return withoutKeyParam(raw, key)
	}
	return forwardQuery(raw, key, req.OriginalURL.QueryValues(), req.OriginalURL.QueryValid(), req.URL.QueryValues())
}

// withoutKeyParam returns raw without the parameter key, as forwardQuery
// removes it.
func withoutKeyParam(raw, key string) string {
	if raw != "" && strings.Contains(raw, key) {
		return removeQueryParam(raw, key)
	}
	return raw
}

// maxPlainParams bounds the parameters of a plain query.
const maxPlainParams = 64

// plainParamsParse reports whether net/url parses a query of
// maxPlainParams parameters: GODEBUG urlmaxqueryparams, read when the
// process starts, may set its limit lower.
var plainParamsParse = sync.OnceValue(func() bool {
	_, err := url.ParseQuery(strings.Repeat("a&", maxPlainParams-1) + "a")
	return err == nil
})

// plainQuery reports whether url.ParseQuery parses raw without an error
// and with every parameter name as written: no '%' or '+' (escapes), no
// ';', and at most maxPlainParams parameters. For such a query, with the
// parameter key removed from it and from its parsed values (q),
// forwardQuery(raw, key, orig, true, q) is raw, less key when raw holds
// the string key.
func plainQuery(raw string) bool {
	return !strings.ContainsAny(raw, "%+;") && strings.Count(raw, "&") < maxPlainParams && plainParamsParse()
}

// forwardQuery returns the query to send for the client's raw query:
// without the subscription key parameter key, and as q, the policies'
// view of it, says (see backendQuery). orig is raw parsed, origOK says
// it parsed without an error: when q still holds what orig does, but
// for the parameter removed, raw is sent without being parsed again.
func forwardQuery(raw, key string, orig url.Values, origOK bool, q url.Values) string {
	removed := false
	if raw != "" && strings.Contains(raw, key) {
		raw, removed = removeQueryParam(raw, key), true
	}
	if origOK && (removed && sameValuesExcept(orig, q, key) || !removed && sameValues(orig, q)) {
		return raw // what backendQuery returns for it
	}
	return backendQuery(raw, q)
}

// backendQuery returns the query to send: raw, the client's (without the
// subscription key), when q, the policies' view of it, still says the
// same; otherwise raw with the parameters q changed written where they
// first were and those it added at the end, sorted, while the others
// keep their bytes and order. Parameters that cannot be parsed (a ';',
// a bad escape) are left out, as ReverseProxy leaves them out on the
// path without a policy (Go issue 54663).
func backendQuery(raw string, q url.Values) string {
	if raw == "" && len(q) == 0 {
		return ""
	}
	orig, err := url.ParseQuery(raw) // as the policy context parsed it
	if err == nil && sameValues(orig, q) {
		return raw
	}
	var b strings.Builder
	add := func(s string) {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(s)
	}
	done := map[string]bool{}
	for rest := raw; rest != ""; {
		var kv string
		kv, rest, _ = strings.Cut(rest, "&")
		k, v, _ := strings.Cut(kv, "=")
		name, kerr := url.QueryUnescape(k)
		_, verr := url.QueryUnescape(v)
		if kv == "" || strings.Contains(kv, ";") || kerr != nil || verr != nil || done[name] {
			continue // empty, unparsable, or written already
		}
		if slices.Equal(orig[name], q[name]) {
			add(kv)
			continue
		}
		done[name] = true
		for _, v := range q[name] {
			add(url.QueryEscape(name) + "=" + url.QueryEscape(v))
		}
	}
	var added []string
	for name := range q {
		if !orig.Has(name) {
			added = append(added, name)
		}
	}
	sort.Strings(added)
	for _, name := range added {
		for _, v := range q[name] {
			add(url.QueryEscape(name) + "=" + url.QueryEscape(v))
		}
	}
	return b.String()
}

// sameValuesExcept reports whether b holds exactly the parameters of a
// other than skip, with the same values in the same order.
func sameValuesExcept(a, b url.Values, skip string) bool {
	n := len(a)
	if _, ok := a[skip]; ok {
		n--
	}
	if len(b) != n {
		return false
	}
	for k, v := range b {
		if w, ok := a[k]; !ok || k == skip || !slices.Equal(v, w) {
			return false
		}
	}
	return true
}

func sameValues(a, b url.Values) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !slices.Equal(v, w) {
			return false
		}
	}
	return true
}

// sendTransport is send's Transport: the forwarding's transport for the
// backend, following redirects when forward-request asks.
type sendTransport struct{}

func (sendTransport) RoundTrip(out *http.Request) (*http.Response, error) {
	fw := forwardingOf(out.Context())
	var res *http.Response
	var err error
	if t := fw.relay.tracing; t != nil {
		res, err = t.roundTrip(out, policyChangedTraceparent(fw.in.Header, out.Header), (*forwardSender)(fw))
	} else {
		res, err = fw.roundTrip(out)
	}
	if err != nil {
		return nil, err
	}
	// Hand the response to the pipeline; ReverseProxy closes a body
	// without a connection behind it when ModifyResponse stops it.
	fw.a.res = res
	keep := &fw.a.keep // ReverseProxy is done with it before the attempt ends
	*keep = *res
	keep.Body = http.NoBody
	return keep, nil
}

// replyTransport is reply's Transport: it returns the response the
// pipeline kept, for ReverseProxy to write.
type replyTransport struct{}

func (replyTransport) RoundTrip(out *http.Request) (*http.Response, error) {
	a := &forwardingOf(out.Context()).a
	res := a.res
	if res == nil {
		return nil, errors.New("no backend response to write")
	}
	a.res = nil // reply closes it
	return res, nil
}

// respond writes c's response: the backend's when the pipeline kept it,
// with writePlain or through reply, with the status and headers the
// policies left and the body they set or read, else streamed; otherwise
// the response a policy made.
func (fw *forwarding) respond(w http.ResponseWriter, c *policy.Context) {
	a := &fw.a
	resp, res := c.Response, a.res
	if res == nil || resp == nil || resp.Body != a.body ||
		(res.StatusCode == http.StatusSwitchingProtocols) != (resp.StatusCode == http.StatusSwitchingProtocols) {
		writePolicyResponse(w, resp, c.ResponseHeaders)
		return
	}
	res.StatusCode = resp.StatusCode
	if res.StatusCode == 0 {
		res.StatusCode = http.StatusOK
	}
	res.Header = resp.Headers
	if res.Header == nil {
		res.Header = http.Header{}
	}
	mergeResponseHeaders(res.Header, c.ResponseHeaders)
	if res.StatusCode != http.StatusSwitchingProtocols && (a.body.Loaded() || a.body.Started()) {
		data, _ := a.body.Bytes()
		res.Body.Close()
		res.Body = io.NopCloser(bytes.NewReader(data))
		res.ContentLength = int64(len(data))
		res.Header.Del("Content-Length")
		if len(res.Trailer) == 0 { // else chunked, for the trailers
			res.Header.Set("Content-Length", strconv.Itoa(len(data)))
		}
	}
	if ws := c.ResponseBodyWatchers(); len(ws) > 0 && res.StatusCode != http.StatusSwitchingProtocols {
		res.Body = &watchedBody{ReadCloser: res.Body, watchers: ws}
	}
	if fw.writePlain(w, res) {
		return
	}
	reply := &fw.relay.reply
	if a.f.StreamResponse {
		reply = &fw.relay.stream
	}
	// reply sends nothing: of the client's request it needs the context
	// and, to switch protocols, the upgrade asked for.
	in := fw.requestFor(&fw.out)
	in.Body, in.ContentLength = http.NoBody, 0
	if res.StatusCode != http.StatusSwitchingProtocols {
		in.Header = nil
	}
	reply.ServeHTTP(w, in)
}

// roundTrip sends out, following redirects when forward-request asks. It
// stops the timeout once the response headers are in.
func (fw *forwarding) roundTrip(out *http.Request) (*http.Response, error) {
	a := &fw.a
	tr := a.tr
	res, err := fw.sender(tr, out).RoundTrip(out)
	for hops := 0; err == nil && a.f.FollowRedirects && hops < maxRedirects; hops++ {
		next := redirect(out, res, a.buffered, a.replay)
		if next == nil {
			break
		}
		if next.URL.Host != out.URL.Host {
			// Another host gets none of the backend's credentials: no
			// Authorization, cookies, credential headers or query, and
			// no client certificate.
			fw.dropCredentials(next)
			tr = fw.api.up.def
		}
		res.Body.Close()
		out = next
		res, err = fw.sender(tr, out).RoundTrip(out)
	}
	if err == nil && a.timer != nil && !a.timer.Stop() {
		res.Body.Close() // the timeout came first
		return nil, errForwardTimeout
	}
	return res, err
}

// sender returns what sends out in place of tr: the h1 pool of the API's
// service address when out goes there over plain http through the
// default transport and h1 can send it (see h1.EligibleOutbound), else
// tr.
func (fw *forwarding) sender(tr http.RoundTripper, out *http.Request) http.RoundTripper {
	fp, ok := fw.api.proxy.(*fastProxy)
	if !ok || tr != fw.api.up.def || out.URL.Host != fp.host || !h1.EligibleOutbound(out) {
		return tr
	}
	return fp.pool
}
