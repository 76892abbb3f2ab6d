package selfhosted

import (
	"errors"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/pflag"
	"go.opentelemetry.io/otel/trace"

	"github.com/gatehouse/gatehouse/internal/analytics"
	"github.com/gatehouse/gatehouse/internal/cache"
	"github.com/gatehouse/gatehouse/internal/cli"
	"github.com/gatehouse/gatehouse/internal/gateway"
	"github.com/gatehouse/gatehouse/internal/heapfloor"
	"github.com/gatehouse/gatehouse/internal/limits"
)

// GatewaySettings are the settings of a gateway's request path, shared by
// `gatehouse serve` (its embedded gateway) and `gatehouse gateway`.
type GatewaySettings struct {
	BackendTimeout time.Duration
	AccessLog      bool
	// Redis is the URL of the Redis keeping rate-limit and quota counters
	// and the cache, shared by gateway nodes; empty: in memory.
	Redis string
	// RedisFailOpen counts locally while Redis is unreachable.
	RedisFailOpen bool
	// CacheMiB bounds the in-memory cache.
	CacheMiB int
	// TrustedProxies are proxies whose X-Forwarded-For is believed.
	TrustedProxies []string
	// KeyFailureLimit is how many requests with an invalid subscription
	// key one client address may make within a minute before further ones
	// are answered 429. 0: no limit (the flag's default is
	// gateway.DefaultKeyFailureLimit).
	KeyFailureLimit int
	// MetricsAddr is the listen address of /metrics (Prometheus); empty:
	// off.
	MetricsAddr string
	// Identity is the identity of authentication-managed-identity.
	Identity IdentitySettings
	// Region and ServiceName are context.Deployment's Region and
	// ServiceName.
	Region      string
	ServiceName string
	// EntraAuthority is the Microsoft Entra ID authority of
	// validate-azure-ad-token; empty: the public cloud's.
	EntraAuthority string
	// LoggerDir is the directory file loggers write under.
	LoggerDir string
	// NegotiateClientCertificate makes the HTTPS listener ask clients for
	// a certificate (APIM's negotiateClientCertificate), which policies
	// see as context.Request.Certificate. False: none is asked for.
	NegotiateClientCertificate bool
	// GCHeapFloor is the heap goal the garbage collector keeps to at the
	// least (package heapfloor) unless GOGC is set; 0: the runtime's
	// default tuning.
	GCHeapFloor cli.ByteSize
	// Limits bound what the gateway's listeners accept; the metrics
	// listener takes their ForTools version.
	Limits cli.Limits
	// Getenv reads the OTEL_* variables. Nil: os.Getenv.
	Getenv func(string) string
	// TracerProvider receives the gateway's spans; StartTracing sets it.
	// Nil: no spans.
	TracerProvider trace.TracerProvider
	// AccessLogger writes the access log; StartAccessLog sets it. Nil:
	// the access log goes to the gateway's logger.
	AccessLogger *slog.Logger
}

// DefaultGCHeapFloor is --gc-heap-floor's default.
const DefaultGCHeapFloor = 32 << 20

// StartHeapFloor keeps the garbage collector's heap goal at GCHeapFloor
// or more (package heapfloor) unless GOGC is set in the environment;
// stop undoes it.
func (g GatewaySettings) StartHeapFloor(log *slog.Logger) (stop func()) {
	getenv := g.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if g.GCHeapFloor <= 0 {
		return func() {}
	}
	if getenv("GOGC") != "" {
		log.Debug("GOGC is set: --gc-heap-floor is ignored")
		return func() {}
	}
	return heapfloor.Start(uint64(g.GCHeapFloor))
}

// AddFlags defines the settings' flags, with their defaults, on f.
func (g *GatewaySettings) AddFlags(f *pflag.FlagSet) {
	f.DurationVar(&g.BackendTimeout, "backend-timeout", 300*time.Second, "longest wait for a backend's response headers")
	f.BoolVar(&g.AccessLog, "access-log", true, "log one line per gateway request")
	f.StringVar(&g.Redis, "redis", "", "Redis URL for rate-limit and quota counters and the cache, shared by gateway nodes (redis://, rediss://, redis+sentinel://, redis+cluster://); empty: in memory")
	f.BoolVar(&g.RedisFailOpen, "redis-fail-open", true, "while Redis is unreachable, count limits locally; false: fail limited requests")
	f.IntVar(&g.CacheMiB, "cache-size", 64, "size of the gateway's in-memory response and value cache (caching-type internal), in MiB")
	f.StringSliceVar(&g.TrustedProxies, "trusted-proxies", nil, "addresses or CIDR ranges of proxies in front of the gateway whose X-Forwarded-For is believed (comma-separated)")
	f.IntVar(&g.KeyFailureLimit, "key-failure-limit", gateway.DefaultKeyFailureLimit, "requests with an invalid subscription key one client address may make within a minute before further ones are answered 429 (valid keys are always accepted); 0: no limit")
	f.StringVar(&g.MetricsAddr, "metrics-addr", "", "listen address of /metrics in Prometheus's format (such as :4290); empty: off")
	f.StringVar(&g.Region, "region", "", "the region policies see as context.Deployment.Region")
	f.StringVar(&g.ServiceName, "service-name", "gatehouse", "the service name policies see as context.Deployment.ServiceName and ServiceId")
	f.StringVar(&g.EntraAuthority, "entra-authority", "", "Microsoft Entra ID authority whose OpenID Connect discovery validate-azure-ad-token uses (such as https://login.microsoftonline.us); empty: https://login.microsoftonline.com")
	f.StringVar(&g.LoggerDir, "logger-dir", "./gatehouse-logs", "directory that file loggers (diagnostics' request records) write under; a logger's credentials.path is relative to it; empty: file loggers are off")
	g.GCHeapFloor = DefaultGCHeapFloor
	f.Var(&g.GCHeapFloor, "gc-heap-floor", "heap size under which the garbage collector does not run (it runs less often under load, for this much more memory); ignored when GOGC is set; 0: the Go runtime's default")
	f.BoolVar(&g.NegotiateClientCertificate, "negotiate-client-certificate", false, "make the HTTPS listener ask clients for a TLS certificate (never required there: validate-client-certificate checks it), which policies see as context.Request.Certificate")
	g.Identity.addFlags(f)
	g.Limits.AddFlags(f)
}

// MetricsListener describes the /metrics listener of gw, off when
// MetricsAddr is empty.
func (g GatewaySettings) MetricsListener(gw *gateway.Server) (cli.ListenerSpec, error) {
	spec := cli.ListenerSpec{Name: "metrics", Addr: g.MetricsAddr, Limits: g.Limits.ForTools()}
	if g.MetricsAddr == "" {
		return spec, nil
	}
	reg := analytics.NewRegistry()
	if err := gw.RegisterMetrics(reg); err != nil {
		return spec, err
	}
	spec.Handler = analytics.Handler(reg)
	return spec, nil
}

// GatewayListeners describes the gateway's HTTP listener on httpAddr and
// HTTPS listener on httpsAddr (with the certificate and key in certFile
// and keyFile, asking clients for a certificate with
// NegotiateClientCertificate), each off when its address is empty, with
// the settings' Limits and gateway-shaped refusals.
func (g GatewaySettings) GatewayListeners(gw *gateway.Server, httpAddr, httpsAddr, certFile, keyFile string) []cli.ListenerSpec {
	return []cli.ListenerSpec{
		{Name: "gateway http", Addr: httpAddr, Handler: gw, Limits: g.Limits, Refuse: gateway.WriteError, FastHTTP1: true},
		{Name: "gateway https", Addr: httpsAddr, Handler: gw, HTTPS: true, CertFile: certFile, KeyFile: keyFile,
			RequestClientCertificate: g.NegotiateClientCertificate,
			CertFlags:                "--tls-cert and --tls-key", Limits: g.Limits, Refuse: gateway.WriteError, FastHTTP1: true},
	}
}

// NewServer returns the gateway Server the settings describe, serving
// as node instance of gateway (managed: the one embedded in serve), and
// the function that closes it and the Redis clients it was given.
func (g GatewaySettings) NewServer(log *slog.Logger, gatewayID, instance string, managed bool) (*gateway.Server, func() error, error) {
	trusted, err := gateway.ParsePrefixes(g.TrustedProxies)
	if err != nil {
		return nil, nil, err
	}
	opts := gateway.Options{Logger: log, BackendTimeout: g.BackendTimeout,
		TrustedProxies: trusted, Cache: cache.NewMemory(cacheMiB(g.CacheMiB)<<20, nil), KeyFailureLimit: g.KeyFailureLimit,
		Deployment:     gateway.Deployment{Region: g.Region, ServiceName: g.ServiceName, GatewayID: gatewayID, InstanceID: instance, Managed: managed},
		TracerProvider: g.TracerProvider, EntraAuthority: g.EntraAuthority, LoggerDir: g.LoggerDir}
	if g.KeyFailureLimit <= 0 {
		opts.KeyFailureLimit = -1 // no limit
	}
	if g.AccessLog {
		access := g.AccessLogger
		if access == nil {
			access = log
		}
		opts.AccessLog = access.With("log", "access")
	}
	id, err := g.Identity.provider(log, os.Getenv)
	if err != nil {
		return nil, nil, err
	}
	if id != nil { // not a typed nil in the interface
		opts.ManagedIdentity = id
	}
	closeShared := g.sharedStores(&opts, log)
	gw := gateway.NewServer(opts)
	return gw, func() error { return errors.Join(gw.Close(), closeShared()) }, nil
}

// sharedStores puts the Redis-backed limits store and external cache into
// opts when Redis is configured, and returns what closes their clients.
// An invalid URL is logged: limited requests then fail (fail-closed) or
// count in memory, and the external cache is the internal one.
func (g GatewaySettings) sharedStores(opts *gateway.Options, log *slog.Logger) func() error {
	if g.Redis == "" {
		return func() error { return nil }
	}
	var closers []func() error
	rs, err := limits.NewRedis(limits.RedisOptions{URL: g.Redis, FailClosed: !g.RedisFailOpen, Logger: log})
	switch {
	case err == nil:
		opts.Limits = rs
		opts.Shared = append(opts.Shared, gateway.SharedStore{Name: "limits", Store: rs})
		closers = append(closers, rs.Close)
	case !g.RedisFailOpen:
		log.Error("redis for limits: refusing limited requests", "err", err)
		opts.Limits = limits.Unavailable{Err: err}
	default:
		log.Error("redis for limits: counting in memory", "err", err)
	}
	if client, err := limits.NewClient(g.Redis, 500*time.Millisecond); err == nil {
		rc := cache.NewRedis(client, opts.Cache, "gatehouse:cache:", log)
		opts.ExternalCache = rc
		opts.Shared = append(opts.Shared, gateway.SharedStore{Name: "cache", Store: rc})
		closers = append(closers, client.Close)
	}
	return func() error {
		var errs []error
		for _, c := range closers {
			errs = append(errs, c())
		}
		return errors.Join(errs...)
	}
}

// cacheMiB is the size of the internal cache: n MiB, or 64 when n is not
// positive.
func cacheMiB(n int) int {
	if n <= 0 {
		return 64
	}
	return n
}
