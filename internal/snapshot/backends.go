package snapshot

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
