package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	"github.com/gatehouse/gatehouse/internal/analytics"
	"github.com/gatehouse/gatehouse/internal/cache"
	"github.com/gatehouse/gatehouse/internal/compile"
	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/limits"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// ReadinessPath answers 200 once a configuration is loaded, 503 before.
const ReadinessPath = "/internal-status-0123456789abcdef"

// Gateway error messages, as APIM words them.
const (
	msgMissingKey = "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API."
	msgInvalidKey = "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."
	msgNotFound   = "Resource not found"
	// msgUnavailable answers requests to an API whose configuration did
	// not compile on this gateway and which has no last good version.
	msgUnavailable = "Internal server error"
)

// Options configures a Server. Zero values select the documented defaults.
type Options struct {
	// Logger receives operational messages. Nil: discard.
	Logger *slog.Logger
	// AccessLog receives one record per request. Nil: no access log.
	AccessLog *slog.Logger
	// BackendTimeout bounds the wait for a backend's response headers.
	// 0: 300 seconds, as APIM's forward-request default.
	BackendTimeout time.Duration
	// Transport sends requests to backends verified against the system
	// roots, without a client certificate. Nil: a pooled transport built
	// from the other options. Backends with their own TLS settings, client
	// certificates or the gateway's certificate authorities get transports
	// cloned from it when it is an *http.Transport, else built from the
	// other options.
	Transport http.RoundTripper
	// TrustedProxies are the addresses of proxies in front of the gateway
	// whose X-Forwarded-For is believed: the client address policies see
	// (context.Request.IpAddress, ip-filter) is the rightmost address in
	// X-Forwarded-For that is not a trusted proxy. Nil: the peer address.
	TrustedProxies []netip.Prefix
	// KeyFailureLimit is how many requests with an invalid subscription
	// key one client address may make within a minute before further ones
	// are answered 429; valid keys are always accepted. 0:
	// DefaultKeyFailureLimit; negative: no limit.
	KeyFailureLimit int
	// Policies compiles policy documents. Nil: the built-in elements.
	Policies *policy.Registry
	// Limits keeps the counters of rate limits and quotas; it outlives
	// configurations. Nil: counters in memory, per node. Ignored when
	// Policies is set.
	Limits limits.Store
	// Cache is the node's own (internal) response and value cache. Nil: a
	// 64 MiB in-memory cache. Ignored when Policies is set.
	Cache cache.Store
	// ExternalCache is the cache shared by gateway nodes (caching-type
	// external). Nil: none. Ignored when Policies is set.
	ExternalCache cache.Store
	// Shared lists the stores kept in Redis (Limits, ExternalCache), whose
	// health RegisterMetrics reports.
	Shared []SharedStore
	// Deployment describes where the gateway runs, for context.Deployment.
	Deployment Deployment
	// ManagedIdentity gets the access tokens of authentication-managed-identity
	// (package managedidentity). Nil: that element fails at run time.
	// Ignored when Policies is set.
	ManagedIdentity builtin.ManagedIdentity
	// TracerProvider makes the spans of requests (a server span each, a
	// client span per backend call) and carries the W3C trace context to
	// backends. Nil: no spans, and no work or allocation for them.
	TracerProvider trace.TracerProvider
	// EntraAuthority is the Microsoft Entra ID authority whose OpenID
	// Connect discovery validate-azure-ad-token uses, such as
	// https://login.microsoftonline.us for a sovereign cloud. Empty:
	// https://login.microsoftonline.com. Ignored when Policies is set.
	EntraAuthority string
	// LoggerDir is the directory file loggers write under: a logger's
	// credentials.path is relative to it. Empty: file loggers are not
	// written to (reported when a diagnostic names one).
	LoggerDir string
	// Stdout is where stdout loggers write. Nil: os.Stdout.
	Stdout io.Writer
}

// SharedStore is a store shared by gateway nodes through Redis, named for
// metrics ("limits" or "cache").
type SharedStore struct {
	Name  string
	Store analytics.Redis
}

// Deployment is what policies see as context.Deployment.
type Deployment struct {
	Region      string // --region
	ServiceName string // the management plane's name
	ServiceID   string // its id; empty: ServiceName
	GatewayID   string // the gateway's id ("managed" for the embedded one)
	InstanceID  string // this node's id
	Managed     bool   // the gateway embedded in gatehouse serve
}

// expr returns d as context.Deployment, never nil.
func (d Deployment) expr() *expr.Deployment {
	if d.ServiceID == "" {
		d.ServiceID = d.ServiceName
	}
	return &expr.Deployment{GatewayID: d.GatewayID, Region: d.Region, ServiceName: d.ServiceName, ServiceID: d.ServiceID,
		Gateway: &expr.DeploymentGateway{ID: d.GatewayID, InstanceID: d.InstanceID, IsManaged: d.Managed}}
}

// Server is the gateway's http.Handler. It serves requests from the most
// recently installed Runtime and is safe for concurrent use.
type Server struct {
	rt          atomic.Pointer[Runtime]
	log         *slog.Logger
	access      *slog.Logger
	transport   http.RoundTripper // to backends with the default TLS settings
	transports  *transportCache   // to backends with other TLS settings
	dynamic     *dynamicTransports
	pools       h1Pools   // the fast path's connections to http:// backends
	noFastPath  bool      // tests: operations without a policy use ReverseProxy alone
	records     sync.Pool // *recorder
	buffers     *bufferPool
	relay       *relay // the policy path's ReverseProxy
	policies    *policy.Registry
	ids         *requestIDs
	trusted     []netip.Prefix
	keyFailures *keyFailures
	deployment  *expr.Deployment // shared by every request; read-only
	shared      []SharedStore    // the Redis-backed stores, for metrics
	breakers    breakers         // the backends' circuit breakers, kept across reloads
	tracing     *tracing         // nil: requests are not traced
	metrics     *builtin.Metrics // emit-metric's and the token metrics; nil with Options.Policies
	sinks       *sinks           // the loggers' destinations, kept across reloads

	// traceOut is s.trace, bound once: a method value made per request
	// is an allocation.
	traceOut func(source, message string)
}

// RegisterMetrics adds to reg the metrics of s's configuration (rejected
// elements), of invalid subscription keys, of the backends' circuit
// breakers, of the shared stores in Options.Shared, and those that
// policies emit (emit-metric, llm-emit-token-metric).
func (s *Server) RegisterMetrics(reg prometheus.Registerer) error {
	rejected := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "gatehouse_config_rejected_elements",
		Help: "Configuration problems of the installed configuration: each stops one API, which keeps its last good version or answers 500.",
	}, func() float64 {
		if rt := s.rt.Load(); rt != nil {
			return float64(len(rt.report.Diagnostics))
		}
		return 0
	})
	if err := reg.Register(rejected); err != nil {
		return err
	}
	if err := s.keyFailures.register(reg); err != nil {
		return err
	}
	if err := reg.Register(breakerCollector{&s.breakers}); err != nil {
		return err
	}
	if err := reg.Register(s.sinks.dropped); err != nil {
		return err
	}
	if err := reg.Register(s.sinks.written); err != nil {
		return err
	}
	if s.metrics != nil {
		if err := reg.Register(s.metrics); err != nil {
			return err
		}
	}
	for _, r := range s.shared {
		if err := analytics.RegisterRedis(reg, r.Name, r.Store); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the idle connections to backends and, once their queued
// records are written, the loggers' files. Call it once serving has
// stopped; what the Options handed in (Redis clients) is the caller's to
// close.
func (s *Server) Close() error {
	s.sinks.retain(nil)
	s.sinks.retainEvents(nil)
	if t, ok := s.transport.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
	s.transports.retain(nil)
	s.pools.retain(nil)
	return nil
}

// NewServer returns a Server with no Runtime: it answers 503 until Install.
func NewServer(opts Options) *Server {
	s := &Server{log: opts.Logger, access: opts.AccessLog, transport: opts.Transport, buffers: newBufferPool()}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.transport == nil {
		s.transport = newTransport(opts.BackendTimeout)
	}
	base := func() *http.Transport { return newTransport(opts.BackendTimeout) }
	if t, ok := s.transport.(*http.Transport); ok {
		base = func() *http.Transport { return t.Clone() }
	}
	s.transports = newTransportCache(base)
	s.dynamic = &dynamicTransports{base: base}
	s.records.New = func() any { return new(recorder) }
	s.pools.buffers = s.buffers
	s.sinks = newSinks(opts.LoggerDir, opts.Stdout, s.log)
	s.trusted = opts.TrustedProxies
	s.keyFailures = newKeyFailures(opts.KeyFailureLimit)
	s.policies = opts.Policies
	s.shared = opts.Shared
	s.tracing = newTracing(opts.TracerProvider, opts.Deployment)
	if s.policies == nil {
		s.policies = policy.NewRegistry()
		s.metrics = builtin.NewMetrics(0)
		deps := builtin.Deps{HTTPClient: &http.Client{Transport: s.tracing.wrapSide(sideTransport{s})}, Limits: opts.Limits,
			Cache: opts.Cache, ExternalCache: opts.ExternalCache, ManagedIdentity: opts.ManagedIdentity, Metrics: s.metrics,
			EntraAuthority: opts.EntraAuthority, EventLog: eventLog{s}, Authorizations: authorizationBroker{s}}
		if deps.Cache == nil {
			deps.Cache = cache.NewMemory(64<<20, nil)
		}
		builtin.Register(s.policies, deps)
	}
	s.ids = newRequestIDs()
	s.traceOut = s.trace
	s.deployment = opts.Deployment.expr()
	s.relay = newRelay(s.buffers, s.log, s.backendError)
	s.relay.tracing = s.tracing
	return s
}

// Install makes s serve future requests from rt. Requests in flight finish
// on the Runtime they started with.
func (s *Server) Install(rt *Runtime) { s.rt.Store(rt) }

// Load compiles snap and installs the result. An API that does not
// compile keeps the version the installed Runtime serves (fail static),
// or answers 500 when it has none; each problem is logged and the
// returned error, which wraps compile.ErrRejected, lists them. The rest
// of snap is installed either way.
func (s *Server) Load(snap *snapshot.Snapshot) error {
	rt, err := s.compile(snap, s.rt.Load())
	for _, d := range rt.report.Diagnostics {
		v, served := rt.APIVersion(d.API)
		s.log.Error("configuration element rejected", "version", snap.Version, "api", d.API, "resource", d.Resource,
			"element", d.Element, "line", d.Line, "column", d.Column, "message", d.Message, "served", served, "served_version", v)
	}
	s.Install(rt)
	s.log.Info("configuration installed", "gateway", snap.Gateway, "version", snap.Version, "apis", len(rt.apis),
		"compiled", rt.compiled, "rejected", len(rt.report.Diagnostics))
	return err
}

// Rejected returns the problems of the installed configuration.
func (s *Server) Rejected() []compile.Diagnostic {
	if rt := s.rt.Load(); rt != nil {
		return rt.report.Diagnostics
	}
	return nil
}

// Runtime returns the installed Runtime, or nil.
func (s *Server) Runtime() *Runtime { return s.rt.Load() }

// ServeHTTP routes, authorises and forwards one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt := s.rt.Load() // exactly one load per request
	if r.URL.Path == ReadinessPath {
		if rt == nil {
			writeError(w, http.StatusServiceUnavailable, "No configuration loaded yet.")
			return
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	if rt == nil {
		writeError(w, http.StatusServiceUnavailable, "No configuration loaded yet.")
		return
	}
	rec := s.records.Get().(*recorder)
	rec.reset(w)
	rec.body = wrapBody(r)
	rec.diag = rt.diag != nil
	if s.tracing != nil {
		r = s.startSpan(rec, r)
	}
	api, op, sub := s.serve(rec, r, rt)
	if s.access != nil {
		s.logAccess(r, rec, api, op, sub)
	}
	if rt.diag != nil {
		if rules := rt.diag.rulesFor(api); len(rules) > 0 {
			s.recordRequest(rules, r, rec, api, op, sub)
		}
	}
	if rec.span != nil {
		s.endSpan(rec, r, api, op, sub)
	}
	rec.ResponseWriter = nil
	s.records.Put(rec)
}

func (s *Server) serve(w *recorder, r *http.Request, rt *Runtime) (*apiRoute, *operation, *subscriber) {
	if !s.cleanPath(w, r, rt) {
		return nil, nil, nil
	}
	api, op, rest := rt.matchRequest(r)
	if api != nil && api.onlyScheme != "" && s.scheme(r) != api.onlyScheme {
		writeError(w, http.StatusNotFound, msgNotFound) // as APIM: the API is not there over this protocol
		return api, nil, nil
	}
	if api != nil && api.unavailable {
		writeError(w, http.StatusInternalServerError, msgUnavailable)
		return api, nil, nil
	}
	if api != nil && isPreflight(r) && s.servePreflight(w, r, api, rest) {
		return api, op, nil
	}
	if op == nil {
		if api != nil && api.noOperation != nil {
			s.serveOperationNotFound(w, r, api)
			return api, nil, nil
		}
		writeError(w, http.StatusNotFound, msgNotFound)
		return api, nil, nil
	}
	var sub *subscriber
	key, ok := api.subscriptionKey(r)
	if ok {
		sub = rt.keys[snapshot.DigestKey(key)]
		if sub == nil || !sub.apis.has(api.index) {
			sub = nil
			if api.keyRequired {
				s.refuseKey(w, r)
				return api, op, nil
			}
		}
	} else if api.keyRequired {
		writeError(w, http.StatusUnauthorized, msgMissingKey)
		return api, op, nil
	}
	pipe := op.pipe
	if sub != nil && sub.product != "" && op.byProduct != nil {
		if p, ok := op.byProduct[sub.product]; ok {
			pipe = p
		}
	}
	if pipe != nil {
		s.servePolicy(w, r, api, op, sub, key, rest, pipe)
		return api, op, sub
	}
	w.backendStart = time.Now()
	api.proxy.ServeHTTP(w, r)
	return api, op, sub
}

// clientIP returns the address of the connection's peer.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// clientAddress returns the client's address: the peer's, or, when the
// peer is a trusted proxy, the rightmost address of X-Forwarded-For that
// is not one.
func (s *Server) clientAddress(r *http.Request) string {
	peer := clientIP(r)
	if len(s.trusted) == 0 || !s.isTrusted(peer) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if hop == "" {
			continue
		}
		if !s.isTrusted(hop) || i == 0 {
			return hop
		}
	}
	return peer
}

func (s *Server) isTrusted(addr string) bool {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, p := range s.trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// ParsePrefixes parses addresses ("10.0.0.1", "fd00::1") and ranges
// ("10.0.0.0/8") for Options.TrustedProxies.
func ParsePrefixes(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range list {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, err := netip.ParsePrefix(item); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: want an IP address or a CIDR range", item)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// subscriptionKey returns the key from the API's header, else its query
// parameter.
func (a *apiRoute) subscriptionKey(r *http.Request) (string, bool) {
	if v := r.Header[a.keyHeader]; len(v) > 0 {
		return v[0], true
	}
	if q := r.URL.RawQuery; q != "" && strings.Contains(q, a.keyQuery) {
		if v, ok := queryValue(q, a.keyQuery); ok {
			return v, true
		}
	}
	return "", false
}

func (s *Server) logAccess(r *http.Request, rec *recorder, api *apiRoute, op *operation, sub *subscriber) {
	attrs := make([]slog.Attr, 0, 10)
	attrs = append(attrs,
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", rec.status),
		slog.Int64("bytes", rec.bytes),
		slog.Float64("duration_ms", ms(time.Since(rec.start))))
	if api != nil {
		attrs = append(attrs, slog.String("api", api.id))
	}
	if op != nil {
		attrs = append(attrs, slog.String("operation", op.id))
	}
	if sub != nil {
		attrs = append(attrs, slog.String("subscription", sub.id))
	}
	if !rec.backendStart.IsZero() {
		attrs = append(attrs, slog.Float64("backend_ms", ms(rec.backendDone.Sub(rec.backendStart))))
	}
	if rec.span != nil && rec.span.SpanContext().IsValid() {
		attrs = append(attrs, slog.String("trace_id", rec.span.SpanContext().TraceID().String()))
	}
	s.access.LogAttrs(context.Background(), slog.LevelInfo, "request", attrs...)
}

// ms returns d in milliseconds, to the microsecond.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// sideTransport sends send-request's requests with the installed
// Runtime's transports, which trust the gateway's certificate authorities
// besides the system's, presenting the client certificate the request's
// context carries (send-request's authentication-certificate); before a
// Runtime, with the base transport.
type sideTransport struct{ s *Server }

func (t sideTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rt := t.s.rt.Load()
	if cert := policy.ClientCertificateFrom(req.Context()); cert != nil {
		if rt == nil || rt.up == nil {
			return nil, errors.New("no configuration to present a client certificate with")
		}
		return rt.up.transport(nil, cert).RoundTrip(req)
	}
	if rt != nil && rt.up != nil && rt.up.def != nil {
		return rt.up.def.RoundTrip(req)
	}
	return t.s.transport.RoundTrip(req)
}
