package source

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/internal/compile"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/snapshot"
	"github.com/gatehouse/gatehouse/internal/store"
)

// buildBackends fills s.Backends with the backend entities that its
// policies use (and the members of those that are pools), s.Certificates
// with the certificates those backends and the policies use and the
// gateway's certificate authorities, and s.CertificateAuthorities.
func buildBackends(ctx context.Context, r store.Reader, s *snapshot.Snapshot, used *uses, certs catalogue) error {
	all, err := r.List(ctx, store.Query{Kind: model.KindBackend})
	if err != nil {
		return fmt.Errorf("build snapshot: backends: %w", err)
	}
	backends := make(map[string]*model.Backend, len(all))
	for _, rec := range all {
		var b model.Backend
		if err := json.Unmarshal(rec.Props, &b); err != nil {
			return fmt.Errorf("build snapshot: backend %s: %w", rec.ID, err)
		}
		backends[strings.ToLower(rec.ID)] = &b
	}
	nv := s.Policy.NamedValues
	wantCerts := map[string]bool{}
	for id := range used.of["certificates"] {
		wantCerts[id] = true
	}
	queue := []string{}
	for id := range used.of["backends"] {
		queue = append(queue, id)
	}
	if used.of["backends"][policy.AnyBackendID] {
		// a policy chooses its backend at run time: the gateway needs
		// them all
		for id := range backends {
			queue = append(queue, id)
			used.of["backends"][id] = true
		}
	}
	sort.Strings(queue)
	seen := map[string]bool{}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		b := backends[id]
		if b == nil || seen[id] {
			continue
		}
		seen[id] = true
		if s.Backends == nil {
			s.Backends = map[string]snapshot.Backend{}
		}
		s.Backends[id] = gatewayBackend(b, nv, certs)
		for _, c := range s.Backends[id].CertificateIDs {
			wantCerts[c] = true
		}
		if b.Pool != nil {
			for _, m := range b.Pool.Services {
				queue = append(queue, strings.ToLower(m.ID))
				used.of["backends"][strings.ToLower(m.ID)] = true
			}
		}
	}
	cas, err := r.List(ctx, store.Query{Kind: model.KindGatewayCertificateAuthority, Parent: s.Gateway})
	if err != nil {
		return fmt.Errorf("build snapshot: certificate authorities: %w", err)
	}
	for _, rec := range cas {
		var ca model.GatewayCertificateAuthority
		if err := json.Unmarshal(rec.Props, &ca); err != nil {
			return fmt.Errorf("build snapshot: certificate authority %s: %w", rec.ID, err)
		}
		id := strings.ToLower(rec.ID)
		wantCerts[id] = true
		s.CertificateAuthorities = append(s.CertificateAuthorities, snapshot.CertificateAuthority{CertificateID: id, Trusted: ca.IsTrusted})
	}
	for id := range wantCerts {
		if c, ok := certs[id]; ok {
			if s.Certificates == nil {
				s.Certificates = map[string]snapshot.Certificate{}
			}
			s.Certificates[id] = c
		}
	}
	return nil
}

// gatewayBackend converts a backend entity, resolving named values in its
// credentials and the thumbprints of credentials.certificate.
func gatewayBackend(b *model.Backend, nv map[string]string, certs catalogue) snapshot.Backend {
	out := snapshot.Backend{URL: b.URL, ValidateCertificateChain: b.TLS.ChainValidated(), ValidateCertificateName: b.TLS.NameValidated()}
	if b.Type == "Pool" && b.Pool != nil {
		out.URL = ""
		for _, m := range b.Pool.Services {
			out.Pool = append(out.Pool, snapshot.PoolMember{ID: strings.ToLower(m.ID), Priority: m.Priority, Weight: m.Weight})
		}
	}
	if cb := b.CircuitBreaker; cb != nil && len(cb.Rules) > 0 {
		out.CircuitBreaker = gatewayBreaker(&cb.Rules[0])
	}
	if p := b.Proxy; p != nil {
		out.Proxy = &snapshot.Proxy{URL: model.ExpandNamedValues(p.URL, nv), Username: model.ExpandNamedValues(p.Username, nv),
			Password: model.ExpandNamedValues(p.Password, nv)}
	}
	expand := func(in map[string][]string) map[string][]string {
		if len(in) == 0 {
			return nil
		}
		m := make(map[string][]string, len(in))
		for k, vs := range in {
			for _, v := range vs {
				m[k] = append(m[k], model.ExpandNamedValues(v, nv))
			}
		}
		return m
	}
	if c := b.Credentials; c != nil {
		out.Header, out.Query = expand(c.Header), expand(c.Query)
		if a := c.Authorization; a != nil {
			out.Authorization = &snapshot.Authorization{Scheme: model.ExpandNamedValues(a.Scheme, nv), Parameter: model.ExpandNamedValues(a.Parameter, nv)}
		}
		for _, id := range c.CertificateIDs {
			out.CertificateIDs = append(out.CertificateIDs, strings.ToLower(id))
		}
		if len(c.CertificateIDs) == 0 {
			// APIM's older form, by thumbprint
			for _, tp := range c.Certificate {
				if id, ok := certs.byThumbprint(tp); ok {
					out.CertificateIDs = append(out.CertificateIDs, id)
				}
			}
		}
	}
	return out
}

// forwardFailureReasons are the reasons of a forward that got no
// response, as context.LastError.Reason words them, by lower case.
var forwardFailureReasons = map[string]string{"backendconnectionfailure": "BackendConnectionFailure", "timeout": "Timeout"}

// gatewayBreaker converts a circuit breaker rule. Of the error reasons
// only those naming a forward failure are kept: APIM's others ("Server
// errors") are labels, and leaving none makes every failure count.
func gatewayBreaker(r *model.CircuitBreakerRule) *snapshot.CircuitBreaker {
	fc := r.FailureCondition
	interval, _ := model.ParseISODuration(fc.Interval) // validated when stored
	trip, _ := model.ParseISODuration(r.TripDuration)
	out := &snapshot.CircuitBreaker{Name: r.Name, Count: fc.Count, Percentage: fc.Percentage, Interval: interval,
		TripDuration: trip, AcceptRetryAfter: r.AcceptRetryAfter}
	for _, sr := range fc.StatusCodeRanges {
		out.StatusCodeRanges = append(out.StatusCodeRanges, [2]int{sr.Min, sr.Max})
	}
	for _, er := range fc.ErrorReasons {
		if reason, ok := forwardFailureReasons[strings.ToLower(strings.TrimSpace(er))]; ok {
			out.ErrorReasons = append(out.ErrorReasons, reason)
		}
	}
	return out
}

// catalogue holds every stored certificate by lower-case id.
type catalogue map[string]snapshot.Certificate

// readCertificates reads every certificate with its material.
func readCertificates(ctx context.Context, r store.Reader) (catalogue, error) {
	recs, err := r.List(ctx, store.Query{Kind: model.KindCertificate})
	if err != nil {
		return nil, fmt.Errorf("build snapshot: certificates: %w", err)
	}
	out := make(catalogue, len(recs))
	for _, rec := range recs {
		var c model.Certificate
		if err := json.Unmarshal(rec.Props, &c); err != nil {
			return nil, fmt.Errorf("build snapshot: certificate %s: %w", rec.ID, err)
		}
		out[strings.ToLower(rec.ID)] = snapshot.Certificate{ID: rec.ID, Thumbprint: c.Thumbprint, PEM: string(rec.Secret)}
	}
	return out, nil
}

// byThumbprint returns the lower-case id of the certificate with
// thumbprint tp (any case), the first by id when several have it.
func (c catalogue) byThumbprint(tp string) (string, bool) {
	found := ""
	for id, sc := range c {
		if strings.EqualFold(sc.Thumbprint, tp) && (found == "" || id < found) {
			found = id
		}
	}
	return found, found != ""
}

// policy returns the certificates as the compiler sees them when it only
// checks: id, thumbprint and whether there is a private key.
func (c catalogue) policy() map[string]*policy.Certificate {
	out := make(map[string]*policy.Certificate, len(c))
	for id, sc := range c {
		out[id] = &policy.Certificate{ID: sc.ID, Thumbprint: sc.Thumbprint, HasKey: strings.Contains(sc.PEM, "PRIVATE KEY")}
	}
	return out
}

// uses collects what the compiled policies refer to, by kind and
// lower-case id (named values by lower-case name).
type uses struct {
	of map[string]map[string]bool
}

func newUses() *uses {
	u := &uses{of: map[string]map[string]bool{}}
	for _, k := range []string{"namedValues", "backends", "certificates", "policyFragments", "schemas", "loggers", "authorizationProviders"} {
		u.of[k] = map[string]bool{}
	}
	return u
}

func (u *uses) add(ref compile.Reference) {
	if m := u.of[ref.Kind]; m != nil {
		m[strings.ToLower(ref.ID)] = true
	}
}

// prune leaves in s's policy environment only what its APIs use. Named
// values in backend credentials were resolved into s.Backends already.
func (u *uses) prune(s *snapshot.Snapshot) {
	keep := func(m map[string]string, used map[string]bool) {
		for k := range m {
			if !used[k] {
				delete(m, k)
			}
		}
	}
	keep(s.Policy.NamedValues, u.of["namedValues"])
	keep(s.Policy.Fragments, u.of["policyFragments"])
	keep(s.Policy.Backends, u.of["backends"])
	for k := range s.Policy.Schemas {
		if !u.of["schemas"][k] {
			delete(s.Policy.Schemas, k)
		}
	}
	if len(s.Policy.Schemas) == 0 {
		s.Policy.Schemas = nil
	}
	secrets := s.Policy.Secrets[:0:0]
	for _, name := range s.Policy.Secrets {
		if _, ok := s.Policy.NamedValues[name]; ok {
			secrets = append(secrets, name)
		}
	}
	s.Policy.Secrets = secrets
}
