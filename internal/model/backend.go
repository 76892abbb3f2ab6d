package model

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
}

// BackendCredentials are added to every request sent to the backend.
type BackendCredentials struct {
	Header         map[string][]string   `json:"header,omitempty"`
	Query          map[string][]string   `json:"query,omitempty"`
	Authorization  *BackendAuthorization `json:"authorization,omitempty"`
	CertificateIDs []string              `json:"certificateIds,omitempty"`
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

// CircuitBreaker holds APIM's circuit breaker rules.
type CircuitBreaker struct {
	Rules []CircuitBreakerRule `json:"rules"`
}

// CircuitBreakerRule trips the breaker after a number of failures.
type CircuitBreakerRule struct {
	Name             string `json:"name"`
	TripDuration     string `json:"tripDuration,omitempty"`
	AcceptRetryAfter bool   `json:"acceptRetryAfter,omitempty"`
	FailureCondition struct {
		Count            int    `json:"count,omitempty"`
		Percentage       int    `json:"percentage,omitempty"`
		Interval         string `json:"interval,omitempty"`
		StatusCodeRanges []struct {
			Min int `json:"min"`
			Max int `json:"max"`
		} `json:"statusCodeRanges,omitempty"`
		ErrorReasons []string `json:"errorReasons,omitempty"`
	} `json:"failureCondition"`
}

// BackendPool is a load-balanced pool of other backends.
type BackendPool struct {
	Services []PoolMember `json:"services"`
}

// PoolMember is one backend in a pool.
type PoolMember struct {
	ID       string `json:"id"`
	Weight   int    `json:"weight,omitempty"`
	Priority int    `json:"priority,omitempty"`
}

// Normalize defaults protocol and type.
func (b *Backend) Normalize() {
	if b.Protocol == "" {
		b.Protocol = "http"
	}
	if b.Type == "" {
		b.Type = "Single"
	}
}

// Validate checks the backend's own fields.
func (b *Backend) Validate() error {
	var fe fieldErrors
	if b.Protocol != "http" {
		fe.add("protocol", "%q is not supported: want http", b.Protocol)
	}
	switch b.Type {
	case "Single":
		if msg := validateAbsoluteURL(b.URL); msg != "" {
			fe.add("url", "%s", msg)
		}
	case "Pool":
		fe.unsupported("type", "the gateways do not balance requests over a pool of backends; use Single backends")
	default:
		fe.add("type", "%q is not a backend type: want Single or Pool", b.Type)
	}
	if b.Pool != nil {
		fe.unsupported("pool", "the gateways do not balance requests over a pool of backends; use Single backends")
	}
	if b.CircuitBreaker != nil {
		fe.unsupported("circuitBreaker", "the gateways do not trip circuit breakers; leave it out")
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
	}
	return fe.err()
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
