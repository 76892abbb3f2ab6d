package gateway

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

// newTransport returns a pooled transport to backends, without TLS
// settings of its own.
func newTransport(backendTimeout time.Duration) *http.Transport {
	if backendTimeout <= 0 {
		backendTimeout = 300 * time.Second
	}
	return &http.Transport{
		Proxy: nil, // backends are reached directly, whatever HTTP_PROXY says
		DialContext: (&net.Dialer{
			Timeout:   10 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:     true,
		DisableCompression:    true, // pass Accept-Encoding and compressed bodies through untouched
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: backendTimeout,
		ExpectContinueTimeout: time.Second,
	}
}

// newProxy returns the forwarder of one API's operations without a
// policy: the request path after the API's suffix is appended to the
// service URL's path, the subscription key header and query parameter
// are removed, and X-Forwarded-* are set. It is the h1 fast path in
// front of the API's ReverseProxy when the backend allows (see
// newFastProxy), else the ReverseProxy alone.
func (s *Server) newProxy(a *apiRoute, target *url.URL, transport http.RoundTripper) http.Handler {
	rp := s.newReverseProxy(a, target, transport)
	if fp := s.newFastProxy(a, target, transport, rp); fp != nil {
		return fp
	}
	return rp
}

// newReverseProxy returns the API's httputil.ReverseProxy, the reference
// forwarder.
func (s *Server) newReverseProxy(a *apiRoute, target *url.URL, transport http.RoundTripper) *httputil.ReverseProxy {
	basePath := strings.TrimSuffix(target.Path, "/")
	baseRaw := strings.TrimSuffix(target.EscapedPath(), "/")
	prefix := ""
	if a.path != "" {
		prefix = "/" + a.path
	}
	keyHeader, keyQuery := a.keyHeader, a.keyQuery
	return &httputil.ReverseProxy{
		Transport:  s.tracing.wrap(transport),
		BufferPool: s.buffers,
		Rewrite: func(pr *httputil.ProxyRequest) {
			in, out := pr.In, pr.Out
			out.URL.Scheme = target.Scheme
			out.URL.Host = target.Host
			out.URL.Path = joinPath(basePath, strings.TrimPrefix(in.URL.Path, prefix))
			if in.URL.RawPath != "" {
				out.URL.RawPath = joinPath(baseRaw, strings.TrimPrefix(in.URL.EscapedPath(), prefix))
			} else {
				out.URL.RawPath = ""
			}
			if q := in.URL.RawQuery; q != "" && strings.Contains(q, keyQuery) {
				out.URL.RawQuery = removeQueryParam(q, keyQuery)
			}
			out.Host = "" // the backend's own host name, as APIM sends it
			out.Header.Del(keyHeader)
			if xff := in.Header["X-Forwarded-For"]; len(xff) > 0 {
				out.Header["X-Forwarded-For"] = xff // SetXForwarded appends the client
			}
			setForwardingHeaders(pr, new([4]string))
		},
		ErrorHandler: s.backendError,
		ErrorLog:     slog.NewLogLogger(s.log.Handler(), slog.LevelWarn), // ReverseProxy's own messages, in the log's format
	}
}

func joinPath(base, rest string) string {
	p := base + rest
	if p == "" {
		return "/"
	}
	return p
}

// backendError answers a request whose forward failed: as the client's
// failure when its body could not be read (413, 408, 400; see
// classifyBodyError), else 504 for a backend timeout and 502 for
// anything else. The backend's error text is logged, never sent.
func (s *Server) backendError(w http.ResponseWriter, r *http.Request, err error) {
	if berr := bodyFailure(w); berr != nil {
		s.writeClientError(w, r, classifyBodyError(berr))
		return
	}
	if r.Context().Err() != nil {
		noteFailure(w, "ClientConnectionFailure", "the client went away", err)
		s.log.Debug("client went away", "path", r.URL.Path, "err", err)
		w.WriteHeader(499) // nginx's "client closed request"; nobody reads it
		return
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		noteFailure(w, "Timeout", "the backend did not respond in time", err)
		s.log.Warn("backend timeout", "path", r.URL.Path, "err", err)
		writeError(w, http.StatusGatewayTimeout, "The backend did not respond in time.")
		return
	}
	noteFailure(w, "BackendConnectionFailure", "the backend could not be reached", err)
	s.log.Warn("backend unreachable", "path", r.URL.Path, "err", err)
	writeError(w, http.StatusBadGateway, "The backend could not be reached.")
}

// queryValue returns the value of the first parameter called name in the
// raw query q.
func queryValue(q, name string) (string, bool) {
	for q != "" {
		var kv string
		kv, q, _ = strings.Cut(q, "&")
		k, v, _ := strings.Cut(kv, "=")
		if unescape(k) == name {
			return unescape(v), true
		}
	}
	return "", false
}

// removeQueryParam returns q without the parameters called name, keeping
// the others as they were written.
func removeQueryParam(q, name string) string {
	var b strings.Builder
	for q != "" {
		var kv string
		kv, q, _ = strings.Cut(q, "&")
		k, _, _ := strings.Cut(kv, "=")
		if unescape(k) == name {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(kv)
	}
	return b.String()
}

func unescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	u, err := url.QueryUnescape(s)
	if err != nil {
		return s
	}
	return u
}

// bufferPool lends the 32 KiB buffers that ReverseProxy copies bodies
// through; without it every request allocates one. Its interface trades
// in slices while a sync.Pool keeps pointers (a slice in an interface is
// an allocation), so the pointers that carry the buffers are pooled too:
// a Get and a Put allocate nothing once the pools are warm.
type bufferPool struct {
	p     sync.Pool // *[]byte holding a buffer
	boxes sync.Pool // *[]byte holding nothing, for Put
}

func newBufferPool() *bufferPool {
	return &bufferPool{p: sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}}
}

// Get returns a buffer.
func (bp *bufferPool) Get() []byte {
	box := bp.p.Get().(*[]byte)
	b := *box
	*box = nil
	bp.boxes.Put(box)
	return b
}

// Put returns a buffer from Get.
func (bp *bufferPool) Put(b []byte) {
	box, _ := bp.boxes.Get().(*[]byte)
	if box == nil {
		box = new([]byte)
	}
	*box = b
	bp.p.Put(box)
}
