package selfhosted

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/gatehouse/gatehouse/internal/cli"
	"github.com/gatehouse/gatehouse/internal/configsync"
	"github.com/gatehouse/gatehouse/internal/gatewaykey"
	"github.com/gatehouse/gatehouse/internal/secret"
)

// Authentication modes of a self-hosted gateway.
const (
	AuthToken            = "token"
	AuthWorkloadIdentity = "workload-identity"
)

// envNames are the environment twins of flags whose twin is not
// cli.EnvName(flag). The gateway's token is GATEHOUSE_GATEWAY_TOKEN: the
// CLI's GATEHOUSE_TOKEN is an admin token for the management API, and a
// gateway started in a shell set up for the CLI must not send it to
// whatever --config-endpoint names.
var envNames = map[string]string{"token": "GATEHOUSE_GATEWAY_TOKEN"}

// envName returns the environment twin of flag.
func envName(flag string) string {
	if env, ok := envNames[flag]; ok {
		return env
	}
	return cli.EnvName(flag)
}

// Default locations of a projected service-account token.
const (
	azureTokenFileEnv       = "AZURE_FEDERATED_TOKEN_FILE"
	serviceAccountTokenFile = "/var/run/secrets/kubernetes.io/serviceaccount/token"
)

// Config is the configuration of a self-hosted gateway.
type Config struct {
	GatewaySettings
	ConfigEndpoint    string
	GatewayID         string
	Token             string
	Auth              string
	TokenFile         string
	Backup            string
	GatewayHTTP       string
	GatewayHTTPS      string
	TLSCert, TLSKey   string
	CAFile            string
	HeartbeatInterval time.Duration
	ShutdownGrace     time.Duration
	LogFormat         string
	LogLevel          string
	// Version is reported in heartbeats.
	Version string
	// Stdout receives logs. Nil: os.Stderr.
	Stdout io.Writer
	// Ready, when set, is called with the gateway's bound HTTP address.
	Ready func(httpAddr string)
	// UseLogger, when set, is called with the logger once it is built,
	// before anything runs: the composition root routes the logging of
	// libraries that log on their own (go-redis) through it.
	UseLogger func(*slog.Logger)
}

// NewCommand returns the `gateway` command; version is the binary's, and
// useLogger (nil: none) is Config.UseLogger.
func NewCommand(version string, useLogger func(*slog.Logger)) *cobra.Command {
	cfg := Config{Version: version, UseLogger: useLogger}
	cmd := &cobra.Command{
		Use:   "gateway",
		Short: "Run a self-hosted gateway that follows a management plane",
		Long: "gateway serves the APIs assigned to one gateway resource, with configuration\n" +
			"pulled from a management plane's configuration endpoint. It keeps the last\n" +
			"configuration in a backup file and serves from it while the plane is away.\n\n" +
			"Besides flags and GATEHOUSE_* variables (--token's is GATEHOUSE_GATEWAY_TOKEN;\n" +
			"the CLI's GATEHOUSE_TOKEN is never read) it reads APIM's self-hosted gateway\n" +
			"settings from the environment: config.service.endpoint, config.service.auth\n" +
			"(a GatewayKey token, or workloadIdentity) and gateway.name. As with APIM's\n" +
			"gateway, a token names its gateway, so --gateway-id may be left out with one.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			applyAPIMEnvironment(&cfg, cmd.Flags().Changed)
			return Run(cmd.Context(), cfg)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.ConfigEndpoint, "config-endpoint", "", "management plane URL, such as https://gatehouse.example.com:8090")
	f.StringVar(&cfg.GatewayID, "gateway-id", "", "id of the gateway resource this node serves")
	f.StringVar(&cfg.Token, "token", "", "GatewayKey token from POST /mgmt/gateways/{id}/generateToken; the CLI's GATEHOUSE_TOKEN is never read")
	f.StringVar(&cfg.Auth, "auth", AuthToken, "authentication: token or workload-identity")
	f.StringVar(&cfg.TokenFile, "token-file", "", "workload-identity token file; default $"+azureTokenFileEnv+", else "+serviceAccountTokenFile)
	f.StringVar(&cfg.Backup, "backup", "gatehouse-gateway-backup.json", "file keeping the last good configuration; empty: none")
	f.StringVar(&cfg.GatewayHTTP, "gateway-http", ":8080", "HTTP listen address; empty: off")
	f.StringVar(&cfg.GatewayHTTPS, "gateway-https", "", "HTTPS listen address, such as :8081 (needs --tls-cert and --tls-key); empty: off")
	f.StringVar(&cfg.TLSCert, "tls-cert", "", "PEM certificate chain for the HTTPS listener")
	f.StringVar(&cfg.TLSKey, "tls-key", "", "PEM private key for the HTTPS listener")
	f.StringVar(&cfg.CAFile, "ca-file", "", "PEM CA bundle to trust for the management plane (private CA)")
	f.DurationVar(&cfg.HeartbeatInterval, "heartbeat-interval", 10*time.Second, "time between heartbeats")
	f.DurationVar(&cfg.ShutdownGrace, "shutdown-grace", 30*time.Second, "how long in-flight requests may run after SIGTERM")
	f.StringVar(&cfg.LogFormat, "log-format", "auto", "log format: json, text, or auto")
	f.StringVar(&cfg.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
	cfg.GatewaySettings.AddFlags(f)
	for flag, env := range envNames {
		cli.SetEnvName(f, flag, env)
	}
	cli.BindEnv(cmd)
	return cmd
}

// applyAPIMEnvironment fills settings not given as flags (or GATEHOUSE_*
// variables) from APIM's self-hosted gateway variables, so a ConfigMap
// written for APIM's gateway works unchanged.
func applyAPIMEnvironment(cfg *Config, changed func(string) bool) {
	set := func(flag string) bool { return changed(flag) || os.Getenv(envName(flag)) != "" }
	if v := os.Getenv("config.service.endpoint"); v != "" && !set("config-endpoint") {
		cfg.ConfigEndpoint = v
	}
	if v := os.Getenv("gateway.name"); v != "" && !set("gateway-id") {
		cfg.GatewayID = v
	}
	if v := strings.TrimSpace(os.Getenv("config.service.auth")); v != "" && !set("token") && !set("auth") {
		if strings.EqualFold(v, "workloadIdentity") || strings.EqualFold(v, "WorkloadIdentity") {
			cfg.Auth = AuthWorkloadIdentity
		} else {
			cfg.Auth, cfg.Token = AuthToken, v
		}
	}
}

// Run serves as a self-hosted gateway until ctx is done.
func Run(ctx context.Context, cfg Config) error {
	log, err := cli.NewLogger(cfg.Stdout, cfg.LogFormat, cfg.LogLevel)
	if err != nil {
		return err
	}
	if cfg.UseLogger != nil {
		cfg.UseLogger(log)
	}
	defer cfg.GatewaySettings.StartHeapFloor(log)()
	flushAccessLog, err := cfg.GatewaySettings.StartAccessLog(cfg.Stdout, cfg.LogFormat)
	if err != nil {
		return err
	}
	defer flushAccessLog() // after the gateway has stopped: its last lines go too
	creds, err := credentials(cfg)
	if err != nil {
		return err
	}
	if cfg.GatewayID == "" && cfg.Auth == AuthToken {
		cfg.GatewayID = tokenGateway(cfg.Token)
	}
	if cfg.ConfigEndpoint == "" || cfg.GatewayID == "" {
		return errors.New("--config-endpoint and --gateway-id are required (or config.service.endpoint and gateway.name; a gateway token names its gateway)")
	}
	httpClient, err := planeClient(cfg.CAFile)
	if err != nil {
		return err
	}
	hostname, _ := os.Hostname()
	node := nodeID(hostname)
	_, stopTracing, err := cfg.GatewaySettings.StartTracing(log, "gatehouse-gateway", cfg.Version, node)
	if err != nil {
		return err
	}
	defer stopTracing() // after the gateway has stopped: its last spans go too
	gw, closeGateway, err := cfg.GatewaySettings.NewServer(log, cfg.GatewayID, node, false)
	if err != nil {
		return err
	}
	defer closeGateway()
	backupKey, err := backupSealer(cfg.Backup)
	if err != nil {
		return err
	}
	client := configsync.NewClient(configsync.ClientOptions{
		Endpoint: cfg.ConfigEndpoint, Gateway: cfg.GatewayID, Credentials: creds,
		Install: gw.Load, Rejected: gw.Rejected, Circuits: gw.CircuitBreakers, HTTPClient: httpClient, BackupFile: cfg.Backup, BackupKey: backupKey,
		Node:              configsync.Heartbeat{NodeID: node, Hostname: hostname, Version: cfg.Version},
		HeartbeatInterval: cfg.HeartbeatInterval, Logger: log,
	})

	metrics, err := cfg.GatewaySettings.MetricsListener(gw)
	if err != nil {
		return err
	}
	specs := append(cfg.GatewaySettings.GatewayListeners(gw, cfg.GatewayHTTP, cfg.GatewayHTTPS, cfg.TLSCert, cfg.TLSKey), metrics)
	ls, err := cli.OpenAll(specs, log)
	if err != nil {
		return err
	}
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return cli.Serve(ctx, log, cfg.ShutdownGrace, ls...) })
	g.Go(func() error { return client.Run(ctx) })
	var httpAddr string
	if l := cli.Find(ls, "gateway http"); l != nil {
		httpAddr = l.Addr()
	}
	log.Info("self-hosted gateway starting", "gateway", cfg.GatewayID, "endpoint", cfg.ConfigEndpoint, "auth", cfg.Auth, "version", cfg.Version,
		"gateway_http", httpAddr)
	if cfg.Ready != nil && len(ls) > 0 {
		cfg.Ready(ls[0].Addr())
	}
	return g.Wait()
}

// tokenGateway returns the gateway that a GatewayKey token names, or ""
// when the token is malformed. APIM's self-hosted gateway, configured
// with config.service.auth alone, takes its name from the token the same
// way.
func tokenGateway(token string) string {
	t, err := gatewaykey.Parse(token)
	if err != nil {
		return ""
	}
	return t.Gateway
}

func credentials(cfg Config) (configsync.Credentials, error) {
	switch cfg.Auth {
	case AuthToken:
		if cfg.Token == "" {
			return nil, errors.New("--token is required with --auth token (or GATEHOUSE_GATEWAY_TOKEN, or config.service.auth=GatewayKey ...; the CLI's GATEHOUSE_TOKEN is never used by a gateway)")
		}
		return configsync.TokenCredentials(cfg.Token), nil
	case AuthWorkloadIdentity:
		path := cfg.TokenFile
		if path == "" {
			path = os.Getenv(azureTokenFileEnv)
		}
		if path == "" {
			path = serviceAccountTokenFile
		}
		return configsync.FileCredentials{Path: path}, nil
	}
	return nil, fmt.Errorf("--auth %q: want token or workload-identity", cfg.Auth)
}

// planeClient returns the HTTP client for the management plane, trusting
// the CAs in caFile as well as the system's.
func planeClient(caFile string) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("--ca-file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca-file %s holds no PEM certificate", caFile)
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}, nil
}

// backupSealer returns the key of the backup file: GATEHOUSE_BACKUP_KEY
// (32 bytes, base64; a Kubernetes Secret, say), else a key file beside
// the backup, generated on first start.
func backupSealer(backup string) (*secret.Sealer, error) {
	if backup == "" {
		return nil, nil
	}
	return configsync.BackupKey(os.Getenv("GATEHOUSE_BACKUP_KEY"), backup+".key")
}

// nodeID names this process: the host name and the start time, so that a
// restarted pod is a new node.
func nodeID(hostname string) string {
	return fmt.Sprintf("%s-%x", hostname, time.Now().UnixNano()&0xffffffff)
}
