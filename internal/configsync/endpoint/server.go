package endpoint

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/gatehouse/gatehouse/internal/configsync"
	"github.com/gatehouse/gatehouse/internal/configsync/source"
	"github.com/gatehouse/gatehouse/internal/lockout"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

// ServerOptions configures a Server. Zero values select the defaults.
type ServerOptions struct {
	// Store holds the configuration. Required.
	Store store.Store
	// Logger receives authentication failures and errors. Nil: discard.
	Logger *slog.Logger
	// Now is the clock. Nil: time.Now.
	Now func() time.Time
	// MaxWait bounds one long poll. 0: 30 seconds.
	MaxWait time.Duration
	// HeartbeatInterval is how often gateways send heartbeats; a node
	// silent for three intervals is shown disconnected. 0: 10 seconds.
	HeartbeatInterval time.Duration
	// HTTPClient fetches OIDC discovery documents and JWKS. Nil: a client
	// with a 10-second timeout.
	HTTPClient *http.Client
	// Snapshots builds each gateway's snapshot. Required.
	Snapshots *source.Builder
}

// Server is the configuration endpoint. It is safe for concurrent use.
type Server struct {
	snapshots *snapshotCache
	store     store.Store
	log       *slog.Logger
	now       func() time.Time
	maxWait   time.Duration
	nodes     *nodeRegistry
	issuers   *issuerCache
	failures  *lockout.Limiter
	mux       *http.ServeMux
	ctx       context.Context // done when the Server is closed
	cancel    context.CancelFunc
}

// NewServer returns a configuration endpoint. Close releases it.
func NewServer(opts ServerOptions) *Server {
	s := &Server{store: opts.Store, log: opts.Logger, now: opts.Now, maxWait: opts.MaxWait, snapshots: newSnapshotCache(opts.Store, opts.Snapshots)}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.maxWait <= 0 {
		s.maxWait = 30 * time.Second
	}
	interval := opts.HeartbeatInterval
	if interval <= 0 {
		interval = 10 * time.Second
	}
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.nodes = &nodeRegistry{interval: interval, nodes: map[string]map[string]model.GatewayNode{}}
	s.issuers = &issuerCache{ctx: oidc.ClientContext(s.ctx, client), now: s.now, retryAfter: 10 * time.Second, byIssuer: map[string]*issuerEntry{}}
	s.failures = lockout.New(lockout.Options{Failures: maxFailures, Window: time.Minute, Now: s.now})
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET "+configsync.SnapshotPattern, s.guard(s.serveSnapshot))
	s.mux.HandleFunc("POST "+configsync.HeartbeatPattern, s.guard(s.serveHeartbeat))
	return s
}

// Close ends the long polls in flight (they answer 304, so the gateways
// come back at once to whoever serves next) and stops the background
// fetches of OIDC key sets. Call it before shutting the listener down.
func (s *Server) Close() error {
	s.cancel()
	return nil
}

// ServeHTTP serves the configuration endpoint under /configuration/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	s.mux.ServeHTTP(w, r)
}

// Record takes a heartbeat of a node that does not use the endpoint: the
// gateway embedded in the management plane's process reports this way,
// so its status reads like any other gateway's.
func (s *Server) Record(gateway string, hb configsync.Heartbeat) {
	s.nodes.record(gateway, hb, s.now())
}

// GatewayStatus reports the nodes of gateway from their heartbeats.
func (s *Server) GatewayStatus(gateway string) model.GatewayStatus {
	return s.nodes.status(gateway, s.now())
}

// guard authenticates the request for the gateway in its path, slowing
// down (address, gateway) pairs that keep failing (see refuse).
func (s *Server) guard(next func(w http.ResponseWriter, r *http.Request, gateway string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		gateway := r.PathValue("gatewayId")
		if err := s.authenticate(r, gateway); err != nil {
			s.refuse(w, r, remoteHost(r), gateway, err)
			return
		}
		next(w, r, gateway)
	}
}

// serveSnapshot answers with the gateway's snapshot once the configuration
// version is newer than ?after, or 304 when it is not within the wait.
// With ?delta=1 it answers with the delta from version after when it can
// (see configsync.DeltaContentType).
func (s *Server) serveSnapshot(w http.ResponseWriter, r *http.Request, gateway string) {
	after, err := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	if err != nil {
		after = -1
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.maxWait)
	defer cancel()
	stop := context.AfterFunc(s.ctx, cancel) // the Server closes: end the poll
	defer stop()
	v, _ := s.store.Wait(ctx, after)
	if v <= after { // the wait ended without a change
		if r.Context().Err() == nil {
			w.WriteHeader(http.StatusNotModified)
		}
		return
	}
	snap, err := s.snapshots.get(r.Context(), gateway, v)
	if err != nil {
		s.log.Error("build snapshot", "gateway", gateway, "err", err)
		writeError(w, http.StatusInternalServerError, "InternalError", "The configuration could not be built; the management plane's log has details.")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Query().Get("delta") == "1" && after >= 0 && after < snap.version {
		if d := s.snapshots.delta(gateway, after, snap); d != nil {
			snap = d
			w.Header().Set("Content-Type", configsync.DeltaContentType)
			w.Header().Set(configsync.DeltaHeader, strconv.FormatInt(after, 10))
		}
	}
	w.Header().Set("X-Gatehouse-Config-Version", strconv.FormatInt(snap.version, 10))
	w.Header().Add("Vary", "Accept-Encoding")
	body := snap.plain
	if acceptsGzip(r) {
		w.Header().Set("Content-Encoding", "gzip")
		body = snap.gzipped
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

// acceptsGzip reports whether r's Accept-Encoding takes gzip.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

func (s *Server) serveHeartbeat(w http.ResponseWriter, r *http.Request, gateway string) {
	var hb configsync.Heartbeat
	b, err := io.ReadAll(r.Body)
	if err == nil {
		err = json.Unmarshal(b, &hb)
	}
	if err != nil || hb.NodeID == "" || len(hb.NodeID) > 200 || len(hb.Hostname) > 255 || len(hb.Version) > 100 {
		writeError(w, http.StatusBadRequest, "ValidationError", "A heartbeat needs a nodeId (at most 200 characters), hostname and version.")
		return
	}
	s.nodes.record(gateway, hb, s.now())
	w.WriteHeader(http.StatusNoContent)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
