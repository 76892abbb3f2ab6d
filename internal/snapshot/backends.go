package snapshot

import "time"

// Backend is a backend entity as the gateway applies it when a policy's
// set-backend-service names it.
type Backend struct {
	URL string `json:"url"`
	// Header and Query are added to every request sent to the backend
	// (named values already resolved).
	Header        map[string][]string `json:"header,omitempty"`
	Query         map[string][]string `json:"query,omitempty"`
	Authorization *Authorization      `json:"authorization,omitempty"`
	// CertificateIDs are lower-case keys of Snapshot.Certificates: the
	// first one with a private key is the client certificate.
	CertificateIDs           []string `json:"certificateIds,omitempty"`
	ValidateCertificateChain bool     `json:"validateCertificateChain"`
	ValidateCertificateName  bool     `json:"validateCertificateName"`
	// Pool, when not empty, makes the backend a load-balanced pool of
	// the backends it names (keys of Backends); URL and credentials are
	// then the members' own.
	Pool []PoolMember `json:"pool,omitempty"`
	// CircuitBreaker, when set, stops requests to the backend for a
	// while once it failed too often. Each gateway node keeps its own
	// count, as in APIM.
	CircuitBreaker *CircuitBreaker `json:"circuitBreaker,omitempty"`
	// Proxy, when set, is the HTTP forward proxy requests to the backend
	// go through (named values already resolved).
	Proxy *Proxy `json:"proxy,omitempty"`
}

// Proxy is an HTTP forward proxy: URL is http://host:port; Username and
// Password, when Username is not empty, are sent to it as Basic
// credentials.
type Proxy struct {
	URL      string `json:"url"`
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
}

// PoolMember is one backend of a pool.
type PoolMember struct {
	ID       string `json:"id"` // lower-case key of Snapshot.Backends
	Priority int    `json:"priority"`
	Weight   int    `json:"weight"`
}

// CircuitBreaker is a backend's circuit breaker rule, its durations
// parsed.
type CircuitBreaker struct {
	Name string `json:"name"`
	// Count trips the breaker after that many failures within Interval;
	// Percentage after that share of the requests within Interval
	// failed. Zero: not a condition.
	Count      int           `json:"count,omitempty"`
	Percentage int           `json:"percentage,omitempty"`
	Interval   time.Duration `json:"interval"`
	// StatusCodeRanges are the responses that count as failures, each
	// [min, max] inclusive.
	StatusCodeRanges [][2]int `json:"statusCodeRanges,omitempty"`
	// ErrorReasons are the forward failures that count (as
	// context.LastError.Reason words them, such as Timeout); empty: every
	// forward that got no response counts.
	ErrorReasons     []string      `json:"errorReasons,omitempty"`
	TripDuration     time.Duration `json:"tripDuration"`
	AcceptRetryAfter bool          `json:"acceptRetryAfter,omitempty"`
}

// Authorization is an Authorization header sent to a backend.
type Authorization struct {
	Scheme    string `json:"scheme"`
	Parameter string `json:"parameter"`
}

// Certificate is a certificate this gateway presents or trusts.
type Certificate struct {
	ID         string `json:"id"`
	Thumbprint string `json:"thumbprint"`
	// PEM holds the chain and, for client certificates, the private key.
	// A snapshot travels over TLS and a gateway's backup file is sealed.
	PEM string `json:"pem"`
}

// CertificateAuthority is a certificate authority of this gateway: a
// trusted root, or an intermediate used to build chains.
type CertificateAuthority struct {
	CertificateID string `json:"certificateId"` // key of Snapshot.Certificates
	Trusted       bool   `json:"trusted"`
}
