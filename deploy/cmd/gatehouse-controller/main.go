// Command gatehouse-controller publishes Kubernetes Services annotated
// gatehouse.io/api as APIs of a Gatehouse management plane, through its
// management API. It runs in the cluster (in-cluster credentials) or
// beside it (--kubeconfig).
//
// Every flag has an environment twin, named in --help.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"

	"github.com/gatehouse/gatehouse/deploy/controller"
)

// version and commit are set at build time with -ldflags
// "-X main.version=... -X main.commit=...".
var (
	version = "dev"
	commit  = ""
)

// config holds the command's flags.
type config struct {
	endpoint, token, tokenFile, namespaces, cluster, clusterDomain string
	kubeconfig, metricsAddr, logLevel                              string
	resync                                                         time.Duration
	workers                                                        int
	showVersion, ingresses                                         bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gatehouse-controller:", err)
		os.Exit(2)
	}
	if cfg.showVersion {
		fmt.Printf("gatehouse-controller %s %s\n", version, commit)
		return
	}
	log, err := newLogger(cfg.logLevel)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gatehouse-controller:", err)
		os.Exit(2)
	}
	if err := run(ctx, cfg, log); err != nil {
		log.Error("gatehouse-controller stopped", "err", err.Error())
		os.Exit(1)
	}
}

// parseFlags reads the flags, each defaulting to its environment twin.
func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("gatehouse-controller", flag.ContinueOnError)
	str := func(p *string, name, env, def, usage string) {
		if v, ok := os.LookupEnv(env); ok {
			def = v
		}
		fs.StringVar(p, name, def, usage+" (env "+env+")")
	}
	str(&c.endpoint, "endpoint", "GATEHOUSE_ENDPOINT", "", "management plane URL, such as http://gatehouse.gatehouse.svc:8090")
	fs.StringVar(&c.token, "token", "", "bearer token of the management API (env GATEHOUSE_TOKEN)")
	str(&c.tokenFile, "token-file", "GATEHOUSE_TOKEN_FILE", "", "file holding the bearer token, read at start (instead of --token)")
	str(&c.namespaces, "namespaces", "GATEHOUSE_NAMESPACES", "", "namespaces to watch, comma-separated; empty: all")
	str(&c.cluster, "cluster-name", "GATEHOUSE_CLUSTER_NAME", "default", "this cluster's name in the owner mark of what the controller creates")
	str(&c.clusterDomain, "cluster-domain", "GATEHOUSE_CLUSTER_DOMAIN", "cluster.local", "the cluster's DNS domain, for Service URLs")
	str(&c.kubeconfig, "kubeconfig", "KUBECONFIG", "", "kubeconfig file; empty: the in-cluster service account")
	str(&c.metricsAddr, "metrics-addr", "GATEHOUSE_METRICS_ADDR", ":4290", "address of /metrics and /healthz; empty: none")
	str(&c.logLevel, "log-level", "GATEHOUSE_LOG_LEVEL", "info", "debug, info, warn or error")
	resync := "10m"
	str(&resync, "resync", "GATEHOUSE_RESYNC", resync, "how often every Service is reconciled again")
	workers := "2"
	str(&workers, "workers", "GATEHOUSE_WORKERS", workers, "Services reconciled at once")
	ingresses := "true"
	str(&ingresses, "ingresses", "GATEHOUSE_INGRESSES", ingresses, "also publish Ingresses annotated gatehouse.io/api (needs list and watch on ingresses)")
	fs.BoolVar(&c.showVersion, "version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.token == "" { // read here so that --help never prints it
		c.token = os.Getenv("GATEHOUSE_TOKEN")
	}
	var err error
	if c.resync, err = time.ParseDuration(resync); err != nil || c.resync <= 0 {
		return c, fmt.Errorf("--resync %q: want a positive duration such as 10m", resync)
	}
	if _, err := fmt.Sscan(workers, &c.workers); err != nil || c.workers <= 0 {
		return c, fmt.Errorf("--workers %q: want a positive number", workers)
	}
	if c.ingresses, err = strconv.ParseBool(ingresses); err != nil {
		return c, fmt.Errorf("--ingresses %q: want true or false", ingresses)
	}
	return c, nil
}

// newLogger returns the process's JSON logger, and routes client-go's
// own logging to it.
func newLogger(level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
	slog.SetDefault(log)
	klog.SetSlogLogger(log.With("component", "client-go"))
	return log, nil
}

// run starts the controller and the metrics listener until ctx is done.
func run(ctx context.Context, cfg config, log *slog.Logger) error {
	token := cfg.token
	if cfg.tokenFile != "" {
		b, err := os.ReadFile(cfg.tokenFile)
		if err != nil {
			return fmt.Errorf("token file: %w", err)
		}
		token = strings.TrimSpace(string(b))
	}
	kc, err := kubeClient(cfg.kubeconfig)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	var namespaces []string
	for _, ns := range strings.Split(cfg.namespaces, ",") {
		if ns = strings.TrimSpace(ns); ns != "" {
			namespaces = append(namespaces, ns)
		}
	}
	ctl, err := controller.New(controller.Options{
		Kubernetes: kc, Endpoint: cfg.endpoint, Token: token, Namespaces: namespaces, Ingresses: cfg.ingresses,
		Cluster: cfg.cluster, ClusterDomain: cfg.clusterDomain, Resync: cfg.resync, Workers: cfg.workers,
		Logger: log, Registerer: reg,
	})
	if err != nil {
		return err
	}
	if cfg.metricsAddr != "" {
		ln, err := net.Listen("tcp", cfg.metricsAddr)
		if err != nil {
			return fmt.Errorf("metrics listener: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
		mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(ln)
		defer srv.Close()
		log.Info("metrics listening", "addr", ln.Addr().String())
	}
	return ctl.Run(ctx)
}

// kubeClient returns a client from kubeconfig, or from the pod's service
// account when kubeconfig is empty.
func kubeClient(kubeconfig string) (kubernetes.Interface, error) {
	var rc *rest.Config
	var err error
	if kubeconfig == "" {
		rc, err = rest.InClusterConfig()
	} else {
		rc, err = clientcmd.BuildConfigFromFlags("", kubeconfig)
	}
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	rc.UserAgent = "gatehouse-controller/" + version
	kc, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	return kc, nil
}
