package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/gatehouse/gatehouse/internal/gateway"
	"github.com/gatehouse/gatehouse/internal/mgmt"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/snapshot"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/postgres"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

// serveConfig is the configuration of `gatehouse serve`.
type serveConfig struct {
	DataDir        string
	StoreURL       string
	GatewayHTTP    string
	GatewayHTTPS   string
	TLSCert        string
	TLSKey         string
	MgmtAddr       string
	LogFormat      string
	LogLevel       string
	AccessLog      bool
	BackendTimeout time.Duration
	ShutdownGrace  time.Duration
	// Stdout receives logs. Nil: os.Stderr.
	Stdout io.Writer
	// Ready, when set, is called with the bound addresses once every
	// listener is open.
	Ready func(serveAddrs)
}

// serveAddrs are the addresses serve listens on.
type serveAddrs struct {
	Mgmt, GatewayHTTP, GatewayHTTPS string
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
	f.StringVar(&cfg.MgmtAddr, "mgmt", ":8090", "management API listen address")
	f.StringVar(&cfg.LogFormat, "log-format", "auto", "log format: json, text, or auto (text on a terminal)")
	f.StringVar(&cfg.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
	f.BoolVar(&cfg.AccessLog, "access-log", true, "log one line per gateway request")
	f.DurationVar(&cfg.BackendTimeout, "backend-timeout", 300*time.Second, "longest wait for a backend's response headers")
	f.DurationVar(&cfg.ShutdownGrace, "shutdown-grace", 30*time.Second, "how long in-flight requests may run after SIGTERM")
	bindEnv(cmd)
	return cmd
}

func runServe(ctx context.Context, cfg serveConfig) error {
	log, err := newLogger(cfg.Stdout, cfg.LogFormat, cfg.LogLevel)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := mgmt.Bootstrap(ctx, st); err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	token, err := adminToken(cfg.DataDir, log)
	if err != nil {
		return err
	}

	gwOpts := gateway.Options{Logger: log, BackendTimeout: cfg.BackendTimeout}
	if cfg.AccessLog {
		gwOpts.AccessLog = log.With("log", "access")
	}
	gw := gateway.NewServer(gwOpts)
	mg := mgmt.NewServer(mgmt.Options{Store: st, AdminToken: token, Logger: log})

	servers, addrs, err := listen(cfg, gw, mg)
	if err != nil {
		return err
	}
	g, ctx := errgroup.WithContext(ctx)
	for _, srv := range servers {
		g.Go(func() error {
			if err := srv.serve(); !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("serve %s: %w", srv.name, err)
			}
			return nil
		})
	}
	watcher := &snapshot.Watcher{Store: st, Gateway: model.ManagedGatewayID, Install: gw.Load, Logger: log}
	g.Go(func() error { return watcher.Run(ctx) })
	g.Go(func() error {
		<-ctx.Done()
		log.Info("shutting down", "grace", cfg.ShutdownGrace)
		sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
		defer cancel()
		var errs []error
		for _, srv := range servers {
			errs = append(errs, srv.Shutdown(sctx))
		}
		return errors.Join(errs...)
	})
	log.Info("gatehouse serving", "mgmt", addrs.Mgmt, "gateway_http", addrs.GatewayHTTP, "gateway_https", addrs.GatewayHTTPS, "version", version)
	if cfg.Ready != nil {
		cfg.Ready(addrs)
	}
	return g.Wait()
}

// namedServer is an http.Server with its listener.
type namedServer struct {
	*http.Server
	name string
	ln   net.Listener
	tls  bool
}

func (s *namedServer) serve() error {
	if s.tls {
		return s.ServeTLS(s.ln, "", "")
	}
	return s.Serve(s.ln)
}

// listen opens every configured listener, so that a port in use fails
// start-up before anything is served.
func listen(cfg serveConfig, gw, mg http.Handler) ([]*namedServer, serveAddrs, error) {
	var servers []*namedServer
	var addrs serveAddrs
	open := func(name, addr string, h http.Handler, dst *string) (*namedServer, error) {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			for _, s := range servers {
				s.ln.Close()
			}
			return nil, fmt.Errorf("%s listener: %w", name, err)
		}
		*dst = ln.Addr().String()
		s := &namedServer{Server: newHTTPServer(h), name: name, ln: ln}
		servers = append(servers, s)
		return s, nil
	}
	if _, err := open("management", cfg.MgmtAddr, mg, &addrs.Mgmt); err != nil {
		return nil, addrs, err
	}
	if cfg.GatewayHTTP != "" {
		if _, err := open("gateway http", cfg.GatewayHTTP, gw, &addrs.GatewayHTTP); err != nil {
			return nil, addrs, err
		}
	}
	if cfg.GatewayHTTPS != "" {
		if cfg.TLSCert == "" || cfg.TLSKey == "" {
			return nil, addrs, errors.New("--gateway-https needs --tls-cert and --tls-key")
		}
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, addrs, fmt.Errorf("gateway certificate: %w", err)
		}
		s, err := open("gateway https", cfg.GatewayHTTPS, gw, &addrs.GatewayHTTPS)
		if err != nil {
			return nil, addrs, err
		}
		s.tls = true
		s.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	}
	return servers, addrs, nil
}

// newHTTPServer returns a server with limits on headers, time and idle
// connections. Bodies are streamed, so there is no overall read timeout.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn),
	}
}

func openStore(ctx context.Context, cfg serveConfig) (store.Store, error) {
	key, err := store.MasterKey(os.Getenv("GATEHOUSE_MASTER_KEY"), cfg.DataDir)
	if err != nil {
		return nil, err
	}
	sealer, err := store.NewSealer(key)
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
	token, created, err := store.LoadOrCreateFile(path, func() (string, error) { return store.RandomString(32) })
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

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	if w == nil {
		w = os.Stderr
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "auto":
		if f, ok := w.(*os.File); ok && isTerminal(f) {
			return slog.New(slog.NewTextHandler(w, opts)), nil
		}
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want json, text or auto", format)
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
