package model

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// Backend describes a service that policies route requests to.
type Backend struct {
	URL            string              `json:"url"`
	Protocol       string              `json:"protocol"`
	Description    string              `json:"description,omitempty"`
	Credentials    *BackendCredentials `json:"credentials,omitempty"`
	TLS            *BackendTLS         `json:"tls,omitempty"`
	CircuitBreaker *CircuitBreaker     `json:"circuitBreaker,omitempty"`
	Type           string              `json:"type"`
	Pool           *BackendPool        `json:"pool,omitempty"`
	Title          string              `json:"title,omitempty"`
	ResourceID     string              `json:"resourceId,omitempty"`
	// Proxy is the HTTP forward proxy that requests to the backend go
	// through. Nil: none.
	Proxy *BackendProxy `json:"proxy,omitempty"`
	// Properties (Service Fabric) are APIM's; the gateways do not support
	// them, so a backend with them is refused.
	Properties json.RawMessage `json:"properties,omitempty"`
	// WorkspaceID names the workspace the resource belongs to (APIOps's
	// workspaces/<id>/ folder); empty at service level. It describes the
	// resource: ids stay unique across workspaces and the service.
	WorkspaceID string `json:"workspaceId,omitempty"`
}

// BackendProxy is APIM's HTTP proxy to reach a backend through:
// url is http://host:port; username and password, when given, go to the
// proxy as Basic credentials (Proxy-Authorization). Each may hold
// {{named values}}, which the gateways receive resolved.
type BackendProxy struct {
	URL      string `json:"url"`
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
}

// BackendCredentials are added to every request sent to the backend.
type BackendCredentials struct {
	Header         map[string][]string   `json:"header,omitempty"`
	Query          map[string][]string   `json:"query,omitempty"`
	Authorization  *BackendAuthorization `json:"authorization,omitempty"`
	CertificateIDs []string              `json:"certificateIds,omitempty"`
	// Certificate lists client certificates by thumbprint, APIM's older
	// form: used when CertificateIDs is empty.
	Certificate []string `json:"certificate,omitempty"`
}

// BackendAuthorization is an Authorization header sent to the backend.
type BackendAuthorization struct {
	Scheme    string `json:"scheme"`
	Parameter string `json:"parameter"`
}

// BackendTLS controls the verification of the backend's certificate.
type BackendTLS struct {
	ValidateCertificateChain *bool `json:"validateCertificateChain,omitempty"`
	ValidateCertificateName  *bool `json:"validateCertificateName,omitempty"`
}

// ChainValidated reports whether the backend's certificate chain is
// verified: true unless validateCertificateChain is false.
func (t *BackendTLS) ChainValidated() bool {
	return t == nil || t.ValidateCertificateChain == nil || *t.ValidateCertificateChain
}

// NameValidated reports whether the backend's certificate must name the
// backend's host: true unless validateCertificateName is false.
func (t *BackendTLS) NameValidated() bool {
	return t == nil || t.ValidateCertificateName == nil || *t.ValidateCertificateName
}

// CircuitBreaker holds APIM's circuit breaker rules: the gateways stop
// sending requests to a backend for a while once it failed too often.
type CircuitBreaker struct {
	Rules []CircuitBreakerRule `json:"rules"`
}

// CircuitBreakerRule trips the breaker after a number (or a percentage)
// of failures within an interval, for a trip duration.
type CircuitBreakerRule struct {
	Name             string           `json:"name"`
	TripDuration     string           `json:"tripDuration,omitempty"`
	AcceptRetryAfter bool             `json:"acceptRetryAfter,omitempty"`
	FailureCondition FailureCondition `json:"failureCondition"`
}

// FailureCondition says which responses count as failures and how many
// of them, within Interval, trip the breaker.
type FailureCondition struct {
	Count            int               `json:"count,omitempty"`
	Percentage       int               `json:"percentage,omitempty"`
	Interval         string            `json:"interval,omitempty"`
	StatusCodeRanges []StatusCodeRange `json:"statusCodeRanges,omitempty"`
	ErrorReasons     []string          `json:"errorReasons,omitempty"`
}

// StatusCodeRange is an inclusive range of HTTP status codes.
type StatusCodeRange struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

// BackendPool is a load-balanced pool of other backends.
type BackendPool struct {
	Services []PoolMember `json:"services"`
}

// PoolMember is one backend in a pool. Requests go to the members of the
// lowest priority that has one available, spread by weight among them.
type PoolMember struct {
	ID       string `json:"id"`
	Weight   int    `json:"weight,omitempty"`
	Priority int    `json:"priority,omitempty"`
}

// MaxPoolMembers is how many backends a pool may hold, as in APIM.
const MaxPoolMembers = 30

// Normalize defaults protocol and type, and turns the references to pool
// members and certificates into plain ids (see RefID).
func (b *Backend) Normalize() {
	if b.Protocol == "" {
		b.Protocol = "http"
	}
	switch {
	case b.Type == "", strings.EqualFold(b.Type, "Single"):
		b.Type = "Single"
	case strings.EqualFold(b.Type, "Pool"):
		b.Type = "Pool"
	}
	if b.Pool != nil {
		for i := range b.Pool.Services {
			b.Pool.Services[i].ID = RefID("backends", b.Pool.Services[i].ID)
		}
	}
	if b.Credentials != nil {
		for i, id := range b.Credentials.CertificateIDs {
			b.Credentials.CertificateIDs[i] = RefID("certificates", id)
		}
	}
}

// PolicyURL is the backend as set-backend-service backend-id sees it
// when compiled: its URL, or "" for a pool, whose members have the URLs
// (a pool's own url, which APIM allows, is not used).
func (b *Backend) PolicyURL() string {
	if strings.EqualFold(b.Type, "Pool") {
		return ""
	}
	return b.URL
}

// Validate checks the backend's own fields.
func (b *Backend) Validate() error {
	var fe fieldErrors
	validateWorkspaceID(&fe, b.WorkspaceID)
	if b.Protocol != "http" {
		fe.add("protocol", "%q is not supported: want http", b.Protocol)
	}
	switch b.Type {
	case "Single":
		if msg := validateAbsoluteURL(b.URL); msg != "" {
			fe.add("url", "%s", msg)
		}
		if b.Pool != nil {
			fe.add("pool", "only a backend of type Pool has a pool")
		}
	case "Pool":
		if b.URL != "" {
			if msg := validateAbsoluteURL(b.URL); msg != "" {
				fe.add("url", "%s", msg)
			}
		}
		b.validatePool(&fe)
		if b.CircuitBreaker != nil {
			fe.add("circuitBreaker", "a pool has no circuit breaker of its own: give its members one")
		}
	default:
		fe.add("type", "%q is not a backend type: want Single or Pool", b.Type)
	}
	if b.CircuitBreaker != nil && b.Type == "Single" {
		validateBreaker(b.CircuitBreaker, &fe)
	}
	if c := b.Credentials; c != nil && c.Authorization != nil && c.Authorization.Scheme == "" {
		fe.add("credentials.authorization.scheme", "is required")
	}
	if c := b.Credentials; c != nil {
		for _, id := range c.CertificateIDs {
			if err := ValidateID(id); err != nil {
				fe.add("credentials.certificateIds", "certificate id %v", err)
			}
		}
		if len(c.CertificateIDs) > 32 {
			fe.add("credentials.certificateIds", "at most 32 certificates are allowed")
		}
		for _, tp := range c.Certificate {
			if !isThumbprint(tp) {
				fe.add("credentials.certificate", "%q is not a certificate thumbprint: want 40 hexadecimal digits", tp)
			}
		}
		if len(c.Certificate) > 32 {
			fe.add("credentials.certificate", "at most 32 certificates are allowed")
		}
	}
	if b.Proxy != nil {
		b.Proxy.validate(&fe)
	}
	if len(b.Properties) > 0 && string(b.Properties) != "null" && string(b.Properties) != "{}" {
		fe.unsupported("properties", "Service Fabric backends; give a url instead")
	}
	return fe.err()
}

// validatePool checks a pool's members: 1 to 30 distinct backend ids
// with priorities and weights from 0 to 100.
func (b *Backend) validatePool(fe *fieldErrors) {
	if b.Pool == nil || len(b.Pool.Services) == 0 {
		fe.add("pool.services", "a Pool backend needs at least one member")
		return
	}
	if len(b.Pool.Services) > MaxPoolMembers {
		fe.add("pool.services", "at most %d backends are allowed in a pool", MaxPoolMembers)
	}
	seen := map[string]bool{}
	for i, m := range b.Pool.Services {
		field := fmt.Sprintf("pool.services[%d]", i)
		if err := ValidateID(m.ID); err != nil {
			fe.add(field+".id", "backend id %v (want x or /backends/x)", err)
		} else if seen[strings.ToLower(m.ID)] {
			fe.add(field+".id", "backend %q is in the pool twice", m.ID)
		}
		seen[strings.ToLower(m.ID)] = true
		if m.Priority < 0 || m.Priority > 100 {
			fe.add(field+".priority", "%d is out of range: want 0 to 100", m.Priority)
		}
		if m.Weight < 0 || m.Weight > 100 {
			fe.add(field+".weight", "%d is out of range: want 0 to 100", m.Weight)
		}
	}
}

// validateBreaker checks a circuit breaker: one rule (as APIM allows),
// named, with a positive count or a percentage from 1 to 100, an
// interval and a trip duration, and status code ranges within 100-599.
func validateBreaker(cb *CircuitBreaker, fe *fieldErrors) {
	if len(cb.Rules) != 1 {
		fe.add("circuitBreaker.rules", "a circuit breaker has exactly one rule")
		return
	}
	r := cb.Rules[0]
	const p = "circuitBreaker.rules[0]."
	if r.Name == "" {
		fe.add(p+"name", "is required")
	}
	if d, err := ParseISODuration(r.TripDuration); err != nil {
		fe.add(p+"tripDuration", "%v", err)
	} else if d <= 0 {
		fe.add(p+"tripDuration", "must be longer than zero")
	}
	fc := r.FailureCondition
	const q = p + "failureCondition."
	if fc.Count < 0 {
		fe.add(q+"count", "%d is out of range: want 1 or more", fc.Count)
	}
	if fc.Percentage < 0 || fc.Percentage > 100 {
		fe.add(q+"percentage", "%d is out of range: want 1 to 100", fc.Percentage)
	}
	if fc.Count == 0 && fc.Percentage == 0 {
		fe.add(q+"count", "a count or a percentage of failures is required")
	}
	if d, err := ParseISODuration(fc.Interval); err != nil {
		fe.add(q+"interval", "%v", err)
	} else if d <= 0 {
		fe.add(q+"interval", "must be longer than zero")
	}
	if len(fc.StatusCodeRanges) == 0 && len(fc.ErrorReasons) == 0 {
		fe.add(q+"statusCodeRanges", "status code ranges or error reasons are required: they say what a failure is")
	}
	for i, sr := range fc.StatusCodeRanges {
		if sr.Min < 100 || sr.Max > 599 || sr.Min > sr.Max {
			fe.add(fmt.Sprintf(q+"statusCodeRanges[%d]", i), "%d-%d is not a range of status codes: want min <= max within 100-599", sr.Min, sr.Max)
		}
	}
	for i, er := range fc.ErrorReasons {
		if strings.TrimSpace(er) == "" || len(er) > 200 {
			fe.add(fmt.Sprintf(q+"errorReasons[%d]", i), "must be 1 to 200 characters")
		}
	}
}

// Gateway is a place where APIs are served: the built-in managed gateway or
// a self-hosted one.
type Gateway struct {
	Description  string        `json:"description,omitempty"`
	LocationData *LocationData `json:"locationData,omitempty"`
}

// LocationData says where a gateway runs.
type LocationData struct {
	Name            string `json:"name"`
	City            string `json:"city,omitempty"`
	District        string `json:"district,omitempty"`
	CountryOrRegion string `json:"countryOrRegion,omitempty"`
}

// ManagedGatewayID is the id of the gateway embedded in `gatehouse serve`.
const ManagedGatewayID = "managed"

// Normalize has nothing to default.
func (g *Gateway) Normalize() {}

// Validate checks the gateway's own fields.
func (g *Gateway) Validate() error {
	var fe fieldErrors
	if g.LocationData != nil && g.LocationData.Name == "" {
		fe.add("locationData.name", "is required")
	}
	return fe.err()
}

// isThumbprint reports whether s is a SHA-1 thumbprint: 40 hexadecimal
// digits.
func isThumbprint(s string) bool {
	if len(s) != 40 {
		return false
	}
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f' || 'A' <= r && r <= 'F') {
			return false
		}
	}
	return true
}

// validate checks the proxy's url: an absolute http:// URL of a host and
// port, without credentials or path (APIM: "Only HTTP (not HTTPS) is
// supported between the gateway and the proxy"). A url that is a named
// value is checked when it is resolved.
func (p *BackendProxy) validate(fe *fieldErrors) {
	raw := strings.TrimSpace(p.URL)
	if raw == "" {
		fe.add("proxy.url", "is required")
		return
	}
	if strings.Contains(raw, "{{") {
		return
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		fe.add("proxy.url", "%q: want http://host:port", raw)
	case u.Scheme != "http":
		fe.add("proxy.url", "%q: only http:// proxies are supported", raw)
	case u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
		fe.add("proxy.url", "%q: want http://host:port without credentials or path; give username and password", u.Redacted())
	}
	if p.Password != "" && p.Username == "" {
		fe.add("proxy.username", "is required with a password")
	}
}
