package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/gatehouse/gatehouse/cmd/internal/selfhosted"
	"github.com/gatehouse/gatehouse/cmd/internal/tracing"
	"github.com/gatehouse/gatehouse/internal/cli"
	"github.com/gatehouse/gatehouse/internal/compile"
	"github.com/gatehouse/gatehouse/internal/configsync"
	"github.com/gatehouse/gatehouse/internal/configsync/endpoint"
	"github.com/gatehouse/gatehouse/internal/configsync/source"
	"github.com/gatehouse/gatehouse/internal/control"
	"github.com/gatehouse/gatehouse/internal/gateway"
	"github.com/gatehouse/gatehouse/internal/mgmt"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/snapshot"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/postgres"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

// serveConfig is the configuration of `gatehouse serve`.
type serveConfig struct {
	selfhosted.GatewaySettings
	DataDir      string
	StoreURL     string
	GatewayHTTP  string
	GatewayHTTPS string
	TLSCert      string
	TLSKey       string
	DebugAddr    string
	MgmtTLSCert  string
	MgmtTLSKey   string
	MgmtAddr     string
	// MgmtMaxBody bounds a request body on the management address, and
	// so a management API request (JSON, or a policy's XML).
	MgmtMaxBody cli.ByteSize
	// MgmtMaxBatchBody bounds the body of a batch (POST /mgmt/batch,
	// which gatehouse apply sends), whose requests are each bounded by
	// MgmtMaxBody.
	MgmtMaxBatchBody cli.ByteSize
	// MgmtMaxConnections bounds the management address's connections.
	MgmtMaxConnections int
	LogFormat          string
	LogLevel           string
	ShutdownGrace      time.Duration
	// HeartbeatInterval is how often self-hosted gateways report.
	HeartbeatInterval time.Duration
	// Stdout receives logs. Nil: os.Stderr.
	Stdout io.Writer
	// Ready, when set, is called with the bound addresses once every
	// listener is open.
	Ready func(serveAddrs)
}

// serveAddrs are the addresses serve listens on.
type serveAddrs struct {
	Mgmt, GatewayHTTP, GatewayHTTPS, Metrics string
}

func newServeCommand() *cobra.Command {
	cfg := serveConfig{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the management API and the embedded gateway",
		Long: "serve runs the management API (and the configuration it stores) and the embedded\n" +
			"'managed' gateway in one process. Configuration is kept in SQLite under --data,\n" +
			"or in PostgreSQL with --store postgres://...",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), cfg)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.DataDir, "data", "./gatehouse-data", "directory for the SQLite database, master key and admin token")
	f.StringVar(&cfg.StoreURL, "store", "", "PostgreSQL URL (postgres://...); empty: SQLite in --data")
	f.StringVar(&cfg.GatewayHTTP, "gateway-http", ":8080", "gateway HTTP listen address; empty: off")
	f.StringVar(&cfg.GatewayHTTPS, "gateway-https", "", "gateway HTTPS listen address (needs --tls-cert and --tls-key); empty: off")
	f.StringVar(&cfg.TLSCert, "tls-cert", "", "PEM certificate chain for the gateway's HTTPS listener")
	f.StringVar(&cfg.TLSKey, "tls-key", "", "PEM private key for the gateway's HTTPS listener")
	f.StringVar(&cfg.MgmtAddr, "mgmt", ":8090", "management API and configuration endpoint listen address")
	f.StringVar(&cfg.MgmtTLSCert, "mgmt-tls-cert", "", "PEM certificate chain: serve the management address over HTTPS")
	f.StringVar(&cfg.MgmtTLSKey, "mgmt-tls-key", "", "PEM private key for --mgmt-tls-cert")
	cfg.MgmtMaxBody = mgmt.DefaultMaxBodyBytes
	f.Var(&cfg.MgmtMaxBody, "mgmt-max-request-body", "largest request body on the management address (a management API request, JSON or XML); 413 beyond")
	cfg.MgmtMaxBatchBody = mgmt.DefaultMaxBatchBytes
	f.Var(&cfg.MgmtMaxBatchBody, "mgmt-max-batch-body", "largest body of a batch of management requests (POST /mgmt/batch, as gatehouse apply sends); each of its requests is bounded by --mgmt-max-request-body; 413 beyond")
	f.IntVar(&cfg.MgmtMaxConnections, "mgmt-max-connections", 1000, "most connections the management address holds open (self-hosted gateway nodes hold one each); further ones wait until one closes; negative: no limit")
	f.StringVar(&cfg.DebugAddr, "debug-addr", "", "listen address of /debug/pprof (profiling); empty: off. Keep it on loopback")
	f.StringVar(&cfg.LogFormat, "log-format", "auto", "log format: json, text, or auto (text on a terminal)")
	f.StringVar(&cfg.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
	f.DurationVar(&cfg.ShutdownGrace, "shutdown-grace", 30*time.Second, "how long in-flight requests may run after SIGTERM")
	f.DurationVar(&cfg.HeartbeatInterval, "heartbeat-interval", 10*time.Second, "how often self-hosted gateways send heartbeats; three missed ones mark a node disconnected")
	cfg.GatewaySettings.AddFlags(f)
	cli.BindEnv(cmd)
	return cmd
}

func runServe(ctx context.Context, cfg serveConfig) error {
	log, err := cli.NewLogger(cfg.Stdout, cfg.LogFormat, cfg.LogLevel)
	if err != nil {
		return err
	}
	routeLibraryLogs(log)
	defer cfg.GatewaySettings.StartHeapFloor(log)()
	flushAccessLog, err := cfg.GatewaySettings.StartAccessLog(cfg.Stdout, cfg.LogFormat)
	if err != nil {
		return err
	}
	defer flushAccessLog() // after the listeners have stopped: their last lines go too
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := control.Bootstrap(ctx, st); err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	token, err := adminToken(cfg.DataDir, log)
	if err != nil {
		return err
	}

	hostname, _ := os.Hostname()
	tp, stopTracing, err := cfg.GatewaySettings.StartTracing(log, "gatehouse", version, hostname)
	if err != nil {
		return err
	}
	defer stopTracing() // after the listeners have stopped: their last spans go too
	gw, closeGateway, err := cfg.GatewaySettings.NewServer(log, model.ManagedGatewayID, hostname, true)
	if err != nil {
		return err
	}
	defer closeGateway()
	snapshots := &source.Builder{Policies: builtin.NewRegistry()}
	confEndpoint := endpoint.NewServer(endpoint.ServerOptions{Store: st, Logger: log, HeartbeatInterval: cfg.HeartbeatInterval, Snapshots: snapshots})
	mg := mgmt.NewServer(mgmt.Options{Store: st, AdminToken: token, Logger: log, Status: confEndpoint, MaxBodyBytes: int64(cfg.MgmtMaxBody), MaxBatchBytes: int64(cfg.MgmtMaxBatchBody)})
	plane := http.NewServeMux()
	plane.Handle("/mgmt/", tracing.Handler(tp, mg))
	plane.Handle("/configuration/", confEndpoint)

	listeners, addrs, err := listen(cfg, gw, plane, log)
	if err != nil {
		return err
	}
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return cli.Serve(ctx, log, cfg.ShutdownGrace, listeners...) })
	g.Go(func() error {
		<-ctx.Done()
		return confEndpoint.Close() // end long polls, or they would hold up the shutdown
	})
	embedded := embeddedNode(confEndpoint, gw, cfg.HeartbeatInterval)
	watcher := &source.Watcher{Store: st, Builder: snapshots, Gateway: model.ManagedGatewayID, Logger: log, Install: func(snap *snapshot.Snapshot) error {
		err := gw.Load(snap)
		embedded.beat()
		if errors.Is(err, compile.ErrRejected) {
			return nil // installed in part, reported in the status
		}
		return err
	}}
	g.Go(func() error { return watcher.Run(ctx) })
	g.Go(func() error { embedded.run(ctx); return nil })
	log.Info("gatehouse serving", "mgmt", addrs.Mgmt, "gateway_http", addrs.GatewayHTTP, "gateway_https", addrs.GatewayHTTPS, "version", version)
	if cfg.Ready != nil {
		cfg.Ready(addrs)
	}
	return g.Wait()
}

// listen opens every configured listener, so that a port in use fails
// start-up before anything is served.
func listen(cfg serveConfig, gw *gateway.Server, planeHandler http.Handler, log *slog.Logger) ([]*cli.Listener, serveAddrs, error) {
	var addrs serveAddrs
	metrics, err := cfg.GatewaySettings.MetricsListener(gw)
	if err != nil {
		return nil, addrs, err
	}
	limits := cfg.GatewaySettings.Limits
	mgmtLimits := limits
	// The listener admits the larger of the two bodies; the management
	// API bounds each route's own.
	mgmtLimits.MaxBodyBytes, mgmtLimits.MaxConnections = max(cfg.MgmtMaxBody, cfg.MgmtMaxBatchBody), cfg.MgmtMaxConnections
	plane := cli.ListenerSpec{Name: "management", Addr: cfg.MgmtAddr, Handler: planeHandler, CertFile: cfg.MgmtTLSCert, KeyFile: cfg.MgmtTLSKey,
		HTTPS: cfg.MgmtTLSCert != "" || cfg.MgmtTLSKey != "", CertFlags: "--mgmt-tls-cert and --mgmt-tls-key",
		Limits: mgmtLimits, Refuse: mgmt.WriteError}
	specs := []cli.ListenerSpec{plane, {Name: "debug", Addr: cfg.DebugAddr, Handler: debugHandler(), Limits: limits.ForTools()}, metrics}
	specs = append(specs, cfg.GatewaySettings.GatewayListeners(gw, cfg.GatewayHTTP, cfg.GatewayHTTPS, cfg.TLSCert, cfg.TLSKey)...)
	ls, err := cli.OpenAll(specs, log)
	if err != nil {
		return nil, addrs, err
	}
	for dst, name := range map[*string]string{&addrs.Mgmt: "management", &addrs.Metrics: "metrics", &addrs.GatewayHTTP: "gateway http", &addrs.GatewayHTTPS: "gateway https"} {
		if l := cli.Find(ls, name); l != nil {
			*dst = l.Addr()
		}
	}
	return ls, addrs, nil
}

func openStore(ctx context.Context, cfg serveConfig) (store.Store, error) {
	key, err := secret.MasterKey(os.Getenv("GATEHOUSE_MASTER_KEY"), cfg.DataDir)
	if err != nil {
		return nil, err
	}
	sealer, err := secret.NewSealer(key)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(cfg.StoreURL, "postgres://") || strings.HasPrefix(cfg.StoreURL, "postgresql://") {
		return postgres.Open(ctx, cfg.StoreURL, sealer)
	}
	if cfg.StoreURL != "" {
		return nil, fmt.Errorf("--store %q: want a postgres:// URL, or nothing for SQLite in --data", cfg.StoreURL)
	}
	return sqlite.Open(ctx, filepath.Join(cfg.DataDir, "gatehouse.db"), sealer)
}

// adminToken returns GATEHOUSE_ADMIN_TOKEN, or the token in the data
// directory, generated on first start.
func adminToken(dataDir string, log *slog.Logger) (string, error) {
	if t := os.Getenv("GATEHOUSE_ADMIN_TOKEN"); t != "" {
		return t, nil
	}
	path := filepath.Join(dataDir, "admin.token")
	token, created, err := secret.LoadOrCreateFile(path, func() (string, error) { return secret.RandomString(32) })
	if err != nil {
		return "", fmt.Errorf("admin token: %w", err)
	}
	if created {
		log.Info("generated the admin token", "file", path)
	} else {
		log.Info("admin token", "file", path)
	}
	return token, nil
}

// debugHandler serves the runtime profiles of net/http/pprof.
func debugHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// embeddedGateway reports the embedded gateway's node to the gateway
// status, as heartbeats do for self-hosted nodes.
type embeddedGateway struct {
	status   *endpoint.Server
	gw       *gateway.Server
	interval time.Duration
	host     string
}

func embeddedNode(status *endpoint.Server, gw *gateway.Server, interval time.Duration) *embeddedGateway {
	host, _ := os.Hostname()
	if host == "" {
		host = "embedded"
	}
	if interval <= 0 {
		interval = 10 * time.Second
	}
	return &embeddedGateway{status: status, gw: gw, interval: interval, host: host}
}

// beat records the node's installed version and rejected configuration.
func (e *embeddedGateway) beat() {
	hb := configsync.Heartbeat{NodeID: e.host, Hostname: e.host, Version: version, Rejected: e.gw.Rejected(), Circuits: e.gw.CircuitBreakers()}
	if rt := e.gw.Runtime(); rt != nil {
		hb.ConfigVersion = rt.Version()
	}
	e.status.Record(model.ManagedGatewayID, hb)
}

// run beats every interval until ctx is done.
func (e *embeddedGateway) run(ctx context.Context) {
	t := time.NewTicker(e.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			e.beat()
		}
	}
}
