package gateway

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/gatehouse/gatehouse/internal/gateway/h1"
	"github.com/gatehouse/gatehouse/internal/urlpath"
)

// fastProxy serves the requests of an operation without a policy with
// the h1 forwarder, which owns its connections to the backend, and hands
// every request h1 cannot send (upgrades, Expect, streamed or large
// bodies) to the API's ReverseProxy. What reaches the backend is what
// the ReverseProxy's Rewrite hook would send: the path joined to the
// service URL's, the query without unparsable parameters and the
// subscription key, the backend's own Host, X-Forwarded-* as
// setForwardingHeaders sets them and no hop-by-hop field.
type fastProxy struct {
	s    *Server
	ref  http.Handler // the API's ReverseProxy
	pool *h1.Pool
	host string // the Host field: the service URL's host
	// basePath and baseRaw are the service URL's path and escaped path
	// without a final slash; baseSafe: basePath needs no escaping.
	basePath, baseRaw   string
	baseSafe            bool
	prefix              string // "/" + the API's route key; "": none
	keyHeader, keyQuery string
}

// newFastProxy returns the fast path of the API a in front of ref, or
// nil when the backend needs what h1 does not do: a scheme other than
// http, a proxy, HTTP/2 without TLS, a transport that is not an
// *http.Transport (its behaviour is not known), tracing (the client span
// lives in the transport), or a host that needs IDNA or a zone.
func (s *Server) newFastProxy(a *apiRoute, target *url.URL, transport http.RoundTripper, ref http.Handler) http.Handler {
	t, ok := transport.(*http.Transport)
	if !ok || s.noFastPath || target.Scheme != "http" || s.tracing != nil || t.Proxy != nil || t.DisableKeepAlives ||
		(t.DialContext == nil && t.Dial != nil) || (t.Protocols != nil && t.Protocols.UnencryptedHTTP2()) ||
		!asciiHost(target.Host) || target.User != nil {
		return nil
	}
	port := target.Port()
	if port == "" {
		port = "80"
	}
	addr := net.JoinHostPort(target.Hostname(), port)
	p := &fastProxy{s: s, ref: ref, pool: s.pools.get(addr, t), host: target.Host,
		basePath: strings.TrimSuffix(target.Path, "/"), baseRaw: strings.TrimSuffix(target.EscapedPath(), "/"),
		keyHeader: a.keyHeader, keyQuery: a.keyQuery}
	p.baseSafe = urlpath.Plain(p.basePath)
	if a.path != "" {
		p.prefix = "/" + a.path
	}
	return p
}

func (p *fastProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h1.Eligible(r) {
		p.ref.ServeHTTP(w, r)
		return
	}
	req := h1.Request{Method: r.Method, Host: p.host, Header: r.Header, Omit: p.keyHeader, ForceQuery: r.URL.ForceQuery}
	rest := strings.TrimPrefix(r.URL.Path, p.prefix)
	if r.URL.RawPath == "" && p.baseSafe && urlpath.Plain(rest) {
		req.PathPrefix, req.Path = p.basePath, rest
		if p.basePath == "" && rest == "" {
			req.Path = "/"
		}
	} else {
		u := url.URL{Path: joinPath(p.basePath, rest)}
		if r.URL.RawPath != "" {
			u.RawPath = joinPath(p.baseRaw, strings.TrimPrefix(r.URL.EscapedPath(), p.prefix))
		}
		req.Path = u.EscapedPath()
	}
	if q := cleanQuery(r.URL.RawQuery); q != "" && strings.Contains(q, p.keyQuery) {
		req.Query = removeQueryParam(q, p.keyQuery)
	} else {
		req.Query = q
	}
	f := &req.Forwarded
	if ip, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		f.Client, f.For = ip, r.Header["X-Forwarded-For"]
	}
	f.Host, f.Proto = r.Host, "http"
	if r.TLS != nil {
		f.Proto = "https"
	}
	if r.ContentLength > 0 {
		req.Body, req.ContentLength = r.Body, r.ContentLength
	}
	err := p.pool.Forward(r.Context(), w, &req)
	if err == nil {
		return
	}
	if errors.Is(err, h1.ErrResponseStarted) {
		// As ReverseProxy: a response that broke after its header was
		// written can only be aborted (golang.org/issue/23643).
		if r.Context().Value(http.ServerContextKey) != nil {
			panic(http.ErrAbortHandler)
		}
		p.s.log.Warn("backend response broken", "path", r.URL.Path, "err", err)
		return
	}
	p.s.backendError(w, r, err)
}

// asciiHost reports whether h is sent as it is in a Host field (no IDNA
// conversion, no IPv6 zone to remove).
func asciiHost(h string) bool {
	for i := 0; i < len(h); i++ {
		if h[i] >= 0x80 || h[i] == '%' {
			return false
		}
	}
	return h != ""
}

// cleanQuery returns q without the parameters that cannot be parsed, as
// ReverseProxy does before its Rewrite hook: q itself when every
// parameter parses, else the parsed parameters encoded again.
func cleanQuery(q string) string {
	if strings.Count(q, "&")+1 > 10000 {
		return reencode(q)
	}
	for i := 0; i < len(q); {
		switch q[i] {
		case ';':
			return reencode(q)
		case '%':
			if i+2 >= len(q) || !ishex(q[i+1]) || !ishex(q[i+2]) {
				return reencode(q)
			}
			i += 3
		default:
			i++
		}
	}
	return q
}

func reencode(q string) string {
	v, _ := url.ParseQuery(q)
	return v.Encode()
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// h1Pools keeps the h1 connection pools of the backends that fast
// proxies use, by address, across configuration reloads, as
// transportCache keeps transports: a Runtime gets its pools when it is
// compiled, and retain drops those no Runtime uses any more (closing
// their idle connections). Safe for concurrent use.
type h1Pools struct {
	buffers h1.BufferPool
	mu      sync.Mutex
	m       map[string]*h1.Pool
}

// get returns the pool of addr, made with t's dialer, limits and
// timeouts the first time.
func (ps *h1Pools) get(addr string, t *http.Transport) *h1.Pool {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if p := ps.m[addr]; p != nil {
		return p
	}
	if ps.m == nil {
		ps.m = map[string]*h1.Pool{}
	}
	maxIdle := t.MaxIdleConnsPerHost
	if maxIdle == 0 {
		maxIdle = http.DefaultMaxIdleConnsPerHost
	}
	p := h1.NewPool(addr, h1.Options{Dial: t.DialContext, MaxIdle: maxIdle, IdleTimeout: t.IdleConnTimeout,
		ResponseHeaderTimeout: t.ResponseHeaderTimeout, MaxHeaderBytes: int(t.MaxResponseHeaderBytes), Buffers: ps.buffers})
	ps.m[addr] = p
	return p
}

// retain closes the idle connections of the pools that no route of apis
// uses and forgets them; nil apis: every pool.
func (ps *h1Pools) retain(apis map[string]*apiRoute) {
	keep := map[*h1.Pool]bool{}
	for _, a := range apis {
		if fp, ok := a.proxy.(*fastProxy); ok {
			keep[fp.pool] = true
		}
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for addr, p := range ps.m {
		if !keep[p] {
			p.CloseIdle()
			delete(ps.m, addr)
		}
	}
}
