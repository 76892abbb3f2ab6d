package mgmt

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/control"
	"github.com/gatehouse/gatehouse/internal/lockout"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
)

// Options configures a Server.
type Options struct {
	// Store holds the configuration. Required.
	Store control.Store
	// AdminToken is the bootstrap administrator's bearer token. Required.
	AdminToken string
	// Logger receives errors that become 500 answers. Nil: discard.
	Logger *slog.Logger
	// Now is the clock. Nil: time.Now.
	Now func() time.Time
	// Status reports self-hosted gateway nodes. Nil: no nodes.
	Status StatusSource
	// MaxBodyBytes bounds a request body (413 beyond). 0:
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxBatchBytes bounds the body of a batch (POST /mgmt/batch), whose
	// requests are each bounded by MaxBodyBytes. 0: DefaultMaxBatchBytes.
	MaxBatchBytes int64
}

// DefaultMaxBodyBytes is the default bound of a management request body:
// room for the largest document an API import takes (4 MiB) with JSON's
// escapes.
const DefaultMaxBodyBytes = maxBodyBytes

// Server is the management API. It is safe for concurrent use.
type Server struct {
	control    *control.Service
	adminToken [sha256.Size]byte
	log        *slog.Logger
	now        nowFunc
	mux        *http.ServeMux
	routes     []Route
	status     StatusSource
	failures   *lockout.Limiter // wrong admin tokens per address
	policies   *policy.Registry
	maxBody    int64
	maxBatch   int64
}

// Route is one registered method and ServeMux pattern.
type Route struct {
	Method  string
	Pattern string
}

// NewServer returns a management API server over opts.Store.
func NewServer(opts Options) *Server {
	s := &Server{
		adminToken: sha256.Sum256([]byte(opts.AdminToken)),
		log:        opts.Logger,
		now:        opts.Now,
		status:     opts.Status,
		policies:   builtin.NewRegistry(),
		mux:        http.NewServeMux(),
		maxBody:    opts.MaxBodyBytes,
		maxBatch:   opts.MaxBatchBytes,
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	if s.maxBatch <= 0 {
		s.maxBatch = DefaultMaxBatchBytes
	}
	// Every call goes through the control layer, which checks each write
	// against what the gateways will compile.
	s.control = control.NewService(control.ServiceOptions{Store: opts.Store, Policies: s.policies, Now: s.now, PropertyLimits: checkLengths})
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.failures = lockout.New(lockout.Options{Failures: maxTokenFailures, Window: time.Minute, Now: s.now})
	s.register()
	return s
}

// Routes returns every registered route, for documentation checks.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

func (s *Server) handle(method, pattern string, f apiFunc) {
	s.routes = append(s.routes, Route{Method: method, Pattern: pattern})
	s.mux.Handle(method+" "+pattern, s.authorize(s.adapt(f)))
}

func (s *Server) register() {
	for _, rt := range resourceTypes {
		s.handle(http.MethodGet, rt.collectionPattern(), rt.guard(s.listResources(rt)))
		s.handle(http.MethodGet, rt.itemPattern(), rt.guard(s.getResource(rt)))
		s.handle(http.MethodPut, rt.itemPattern(), rt.guard(s.putResource(rt)))
		s.handle(http.MethodPatch, rt.itemPattern(), rt.guard(s.patchResource(rt)))
		s.handle(http.MethodDelete, rt.itemPattern(), rt.guard(s.deleteResource(rt)))
	}
	s.handle(http.MethodPost, servicePrincipalsType.itemPattern()+"/generateToken", s.generateServicePrincipalToken)
	for _, lt := range linkTypes {
		s.handle(http.MethodGet, lt.collectionPattern(), s.listLinks(lt))
		s.handle(http.MethodGet, lt.itemPattern(), s.getLink(lt))
		s.handle(http.MethodPut, lt.itemPattern(), s.putLink(lt))
		s.handle(http.MethodDelete, lt.itemPattern(), s.deleteLink(lt))
	}
	s.handle(http.MethodGet, apisType.itemPattern()+"/revisions", s.listRevisions)
	sub := subscriptionsType.itemPattern()
	s.handle(http.MethodPost, sub+"/listSecrets", s.listSecrets)
	s.handle(http.MethodPost, sub+"/regeneratePrimaryKey", s.regenerateKey(true))
	s.handle(http.MethodPost, sub+"/regenerateSecondaryKey", s.regenerateKey(false))
	s.handle(http.MethodPost, namedValuesType.itemPattern()+"/listValue", s.listValue)
	s.handle(http.MethodPost, certificatesType.itemPattern()+"/listSecrets", s.listCertificateSecrets)
	for _, rt := range []*resourceType{namedValuesType, backendsType, fragmentsType, certificatesType, schemasType} {
		s.handle(http.MethodGet, rt.itemPattern()+"/references", s.references(rt))
	}
	for _, ps := range policyScopes {
		s.handle(http.MethodGet, ps.pattern, s.getPolicy(ps))
		s.handle(http.MethodPut, ps.pattern, s.putPolicy(ps))
		s.handle(http.MethodDelete, ps.pattern, s.deletePolicy(ps))
	}
	s.handle(http.MethodPost, batchPath, s.batch)
	gw := gatewaysType.itemPattern()
	s.handle(http.MethodPost, gw+"/generateToken", s.generateToken)
	s.handle(http.MethodPost, gw+"/regenerateKey", s.regenerateGatewayKey)
	s.handle(http.MethodGet, gw+"/status", s.gatewayStatus)
	s.routes = append(s.routes, Route{Method: http.MethodGet, Pattern: "/mgmt/openapi.json"})
	s.mux.Handle("GET /mgmt/openapi.json", s.adapt(s.openAPI))
	s.mux.Handle("/mgmt/", s.authorize(http.HandlerFunc(s.unrouted)))
}

// ServeHTTP serves the management API under /mgmt.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	limit := s.maxBody
	if r.Method == http.MethodPost && r.URL.Path == batchPath {
		limit = s.maxBatch
	}
	r.Body = &clientBody{http.MaxBytesReader(w, r.Body, limit)}
	s.mux.ServeHTTP(w, r)
}

type principalKey struct{}

// principalOf returns the principal authorize found for r; the zero
// Principal, which the control layer refuses, when there is none.
func principalOf(r *http.Request) control.Principal {
	p, _ := r.Context().Value(principalKey{}).(control.Principal)
	return p
}

// authorize lets through requests that carry the admin bearer token or a
// service principal's token, with their principal.
func (s *Server) authorize(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		token = strings.TrimSpace(token)
		if !strings.EqualFold(scheme, "Bearer") {
			s.unauthorized(w, r)
			return
		}
		sum := sha256.Sum256([]byte(token))
		p := control.Admin()
		if subtle.ConstantTimeCompare(sum[:], s.adminToken[:]) != 1 {
			var ok bool
			var err error
			if control.IsServicePrincipalToken(token) {
				p, ok, err = s.control.AuthenticateServicePrincipal(r.Context(), token)
			}
			if err != nil {
				s.log.Error("management API token check failed", "err", err)
			}
			if !ok {
				s.unauthorized(w, r)
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}
