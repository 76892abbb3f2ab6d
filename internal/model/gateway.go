package model

import (
	"fmt"
	"strings"
	"time"
)

// KindFederatedCredential holds the workload identities allowed to read a
// gateway's configuration; the parent is the gateway.
const KindFederatedCredential Kind = "gatewayFederatedCredentials"

// FederatedCredential lets a workload identity, a JWT from Issuer with
// Subject and one of Audiences, read a gateway's configuration (the role
// APIM calls Gateway Configuration Reader).
type FederatedCredential struct {
	Issuer      string   `json:"issuer"`
	Subject     string   `json:"subject"`
	Audiences   []string `json:"audiences"`
	Description string   `json:"description,omitempty"`
}

// DefaultFederatedAudience is the audience Azure workload identity asks
// for, used when none is given.
const DefaultFederatedAudience = "api://AzureADTokenExchange"

// Normalize defaults the audience.
func (f *FederatedCredential) Normalize() {
	f.Issuer = strings.TrimSuffix(f.Issuer, "/")
	if len(f.Audiences) == 0 {
		f.Audiences = []string{DefaultFederatedAudience}
	}
}

// Validate checks the credential's own fields.
func (f *FederatedCredential) Validate() error {
	var fe fieldErrors
	if msg := validateAbsoluteURL(f.Issuer); msg != "" {
		fe.add("issuer", "%s", msg)
	}
	if f.Subject == "" || len(f.Subject) > 600 {
		fe.add("subject", "is required (for Kubernetes: system:serviceaccount:<namespace>:<name>), at most 600 characters")
	}
	for _, a := range f.Audiences {
		if a == "" || len(a) > 600 {
			fe.add("audiences", "an audience must be 1 to 600 characters")
		}
	}
	return fe.err()
}

// GatewayNode is one running instance of a gateway as its heartbeats
// describe it.
type GatewayNode struct {
	NodeID        string    `json:"nodeId"`
	Hostname      string    `json:"hostname"`
	Version       string    `json:"version"`
	ConfigVersion int64     `json:"configVersion"`
	LastHeartbeat time.Time `json:"lastHeartbeat"`
	// State is "connected", or "disconnected" after three missed heartbeats.
	State string `json:"state"`
	// Rejected lists the configuration the node could not compile: the
	// APIs it names are served at their last good version, or not at
	// all when they have none.
	Rejected []ConfigDiagnostic `json:"rejected"`
	// Circuits are the circuit breakers of the backends the node sends
	// requests to, open or closed; empty when none has one.
	Circuits []BackendCircuit `json:"circuits,omitempty"`
}

// BackendCircuit is the state of one backend's circuit breaker on one
// gateway node.
type BackendCircuit struct {
	Backend string `json:"backend"`
	Rule    string `json:"rule"`
	Open    bool   `json:"open"`
	// RetryInSeconds is how long the breaker stays open; 0 when closed.
	RetryInSeconds float64 `json:"retryInSeconds,omitempty"`
	// Trips counts the times it opened since its rule last changed.
	Trips uint64 `json:"trips"`
}

// ConfigDiagnostic is a problem that stops an API's configuration from
// compiling: which API, and where the problem is written.
type ConfigDiagnostic struct {
	// API is the API that cannot be served as configured. Empty for a
	// problem of the global policy or of Product's policy on its own
	// (which stops every API they would apply to).
	API string `json:"api,omitempty"`
	// Product is the product whose policy does not compile; set only when
	// API is empty.
	Product string `json:"product,omitempty"`
	// Resource is the id of the policy document with the problem, such as
	// "/apis/echo/policy", "/products/p/policy", "/policy" or
	// "/policyFragments/f".
	Resource string `json:"resource"`
	// Scope is global, product, api, operation or fragment.
	Scope string `json:"scope"`
	// Element is the element's path in the document, such as
	// "inbound/choose[1]/when[1]/set-header[2]".
	Element string `json:"element,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
	// Via says, for a problem in a fragment, where the API's policies
	// include it: "resource line L, column C".
	Via string `json:"via,omitempty"`
}

func (d ConfigDiagnostic) String() string {
	var s string
	switch {
	case d.API != "":
		s = "API " + d.API + ": "
	case d.Product != "":
		s = "product " + d.Product + ": "
	}
	s += d.Resource
	if d.Line > 0 {
		s += fmt.Sprintf(" line %d, column %d", d.Line, d.Column)
	}
	if d.Element != "" {
		s += " (" + d.Element + ")"
	}
	s += ": " + d.Message
	if d.Via != "" {
		s += " (included at " + d.Via + ")"
	}
	return s
}

// GatewayStatus is what GET /mgmt/gateways/{id}/status answers.
type GatewayStatus struct {
	NodeCount int           `json:"nodeCount"`
	Nodes     []GatewayNode `json:"nodes"`
}
