package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// SchemaVersion is the version of the snapshot format this build writes
// and reads. It grows when a field is added that a gateway must not
// ignore.
// Version 2 added version sets and revisions, backend pools and circuit
// breakers: a gateway that ignored them would route every version of an
// API to one of them, or send requests to a tripped backend. A snapshot
// that uses none of them is written as version 1 (see SchemaOf), so
// gateways of the previous release go on taking it.
const SchemaVersion = 2

// SchemaOf returns the oldest schema version that can carry s.
func SchemaOf(s *Snapshot) int {
	if len(s.VersionSets) > 0 {
		return 2
	}
	for i := range s.APIs {
		if s.APIs[i].NotCurrent {
			return 2
		}
	}
	for _, b := range s.Backends {
		if len(b.Pool) > 0 || b.CircuitBreaker != nil || b.Proxy != nil {
			return 2
		}
	}
	return 1
}

// Snapshot is the configuration of one gateway at one configuration
// version. It is plain data; once built it must not be modified.
type Snapshot struct {
	// Schema is the version of this format (SchemaVersion when built). A
	// gateway refuses a snapshot of a schema newer than it knows.
	Schema        int            `json:"schema"`
	Version       int64          `json:"version"`
	Gateway       string         `json:"gateway"`
	APIs          []API          `json:"apis"`
	Products      []Product      `json:"products"`
	Subscriptions []Subscription `json:"subscriptions"`
	// Users are the owners of Subscriptions, by lower-case id.
	Users map[string]User `json:"users,omitempty"`
	// RoutesDigest is RoutesDigest of this snapshot, set by whoever sends
	// it; empty: unknown. A gateway whose installed snapshot has the same
	// digest rebuilds only its key tables.
	RoutesDigest string `json:"routesDigest,omitempty"`
	// Policy holds what the gateway's policies need beyond APIs and
	// products. Secret named values are in it in plaintext: a snapshot is
	// sent over the configuration endpoint and kept by gateways only.
	Policy PolicyEnv `json:"policy"`
	// AuthorizationProviders holds the credential manager's providers and
	// their authorizations, by lower-case id, when a policy of this
	// gateway uses get-authorization-context. A gateway of an older
	// release refuses that element, so this needs no schema change.
	AuthorizationProviders map[string]AuthorizationProvider `json:"authorizationProviders,omitempty"`
	// Backends holds the backend entities this gateway's policies name,
	// by lower-case id, with their credentials and TLS settings.
	Backends map[string]Backend `json:"backends,omitempty"`
	// Certificates holds, by lower-case id, the certificates this gateway
	// needs: its backends' client certificates, those its policies'
	// authentication-certificate elements name, and its certificate
	// authorities. Client certificates carry their private keys.
	Certificates map[string]Certificate `json:"certificates,omitempty"`
	// CertificateAuthorities are the gateway's certificate authorities.
	CertificateAuthorities []CertificateAuthority `json:"certificateAuthorities,omitempty"`
	// VersionSets holds, by lower-case id, the version sets of this
	// gateway's APIs.
	VersionSets map[string]VersionSet `json:"versionSets,omitempty"`
	// Loggers holds, by lower-case id, the loggers Diagnostics write to.
	Loggers map[string]Logger `json:"loggers,omitempty"`
	// Diagnostics are the global diagnostics and those of this gateway's
	// APIs, ordered by API and id.
	Diagnostics []Diagnostic `json:"diagnostics,omitempty"`
}

// VersionSet says how the gateway tells the versions of an API apart.
type VersionSet struct {
	// Scheme is "Segment", "Query" or "Header".
	Scheme string `json:"scheme"`
	// Name is the query parameter (Query) or header (Header) that holds
	// the version; empty for Segment.
	Name string `json:"name,omitempty"`
}

// PolicyEnv is the global policy and what policies refer to.
type PolicyEnv struct {
	Global      string            `json:"global,omitempty"`      // the global <policies> document
	Fragments   map[string]string `json:"fragments,omitempty"`   // lower-case id → <fragment> document
	NamedValues map[string]string `json:"namedValues,omitempty"` // lower-case name → value
	Backends    map[string]string `json:"backends,omitempty"`    // lower-case id → URL (see Snapshot.Backends)
	// Schemas holds the global schemas policies name (validate-content's
	// schema-id), by lower-case id.
	Schemas map[string]Schema `json:"schemas,omitempty"`
	// Secrets are the lower-case names, sorted, of the secret named
	// values: compile reports never show their values.
	Secrets []string `json:"secrets,omitempty"`
	// Loggers maps the lower-case ids of the loggers log-to-eventhub
	// names to their types (see Snapshot.Loggers for their settings). Nil:
	// not known (an older management plane); any logger id compiles.
	Loggers map[string]string `json:"loggers,omitempty"`
}

// Schema is a global schema.
type Schema struct {
	Type     string          `json:"type"`               // "json" or "xml"
	Document json.RawMessage `json:"document,omitempty"` // a JSON schema's document
}

// API is one API served by the gateway.
type API struct {
	ID                   string      `json:"id"`
	Path                 string      `json:"path"` // URL suffix without leading or trailing '/'
	ServiceURL           string      `json:"serviceUrl"`
	SubscriptionRequired bool        `json:"subscriptionRequired"`
	KeyHeader            string      `json:"keyHeader"`
	KeyQuery             string      `json:"keyQuery"`
	Protocols            []string    `json:"protocols,omitempty"` // "http", "https": the schemes it is served over; empty: both
	Operations           []Operation `json:"operations"`
	Policy               string      `json:"policy,omitempty"` // the API's <policies> document
	// Name is the display name, which context.Api.Name returns; empty:
	// the id.
	Name string `json:"name,omitempty"`
	// VersionSet is the lower-case id of the API's version set (see
	// Snapshot.VersionSets); empty when it has none.
	VersionSet string `json:"versionSet,omitempty"`
	// Version is the API's version in VersionSet; empty for the set's
	// original version, which answers requests that name none.
	Version string `json:"version,omitempty"`
	// Revision is the revision's number ("1" when empty).
	Revision string `json:"revision,omitempty"`
	// NotCurrent marks a revision that is not its API's current one (ID
	// "echo;rev=2"): it is served under "{path};rev={Revision}".
	// Subscriptions and products that reach the API reach all its
	// revisions.
	NotCurrent bool `json:"notCurrent,omitempty"`
	// Type is "soap" for a pass-through SOAP API, whose operations the
	// gateway tells apart by the request's SOAP action, or "graphql";
	// empty for an http API.
	Type string `json:"type,omitempty"`
	// GraphQLSchema is the SDL schema of a GraphQL API, which
	// validate-graphql-request validates requests against; empty: none.
	GraphQLSchema string `json:"graphqlSchema,omitempty"`
}

// Operation is one method and URL template of an API.
type Operation struct {
	ID          string `json:"id"`
	Method      string `json:"method"` // upper case, or "*"
	URLTemplate string `json:"urlTemplate"`
	Policy      string `json:"policy,omitempty"`
	// Examples are the operation's documented response examples, which
	// mock-response answers with.
	Examples []Example `json:"examples,omitempty"`
	// Name is the display name, which context.Operation.Name returns;
	// empty: the id.
	Name string `json:"name,omitempty"`
	// TemplateParameters, Request and Responses describe what the
	// operation accepts and answers, which the validation policies
	// (validate-content, validate-parameters, validate-headers,
	// validate-status-code) check messages against.
	TemplateParameters []Parameter `json:"templateParameters,omitempty"`
	Request            *Request    `json:"request,omitempty"`
	Responses          []Response  `json:"responses,omitempty"`
}

// Parameter is a documented path or query parameter or header.
type Parameter struct {
	Name     string   `json:"name"`
	Type     string   `json:"type,omitempty"`
	Required bool     `json:"required,omitempty"`
	Values   []string `json:"values,omitempty"`
	// Schema is the parameter's JSON Schema; empty: Type and Values say
	// what it takes.
	Schema json.RawMessage `json:"schema,omitempty"`
}

// Request is what an operation accepts besides its path parameters.
type Request struct {
	QueryParameters []Parameter      `json:"queryParameters,omitempty"`
	Headers         []Parameter      `json:"headers,omitempty"`
	Representations []Representation `json:"representations,omitempty"`
}

// Response is one documented answer of an operation.
type Response struct {
	StatusCode      int              `json:"statusCode"`
	Headers         []Parameter      `json:"headers,omitempty"`
	Representations []Representation `json:"representations,omitempty"`
}

// Representation is one documented content type of a body, with its
// JSON Schema when it has one.
type Representation struct {
	ContentType string          `json:"contentType"`
	TypeName    string          `json:"typeName,omitempty"`
	Schema      json.RawMessage `json:"schema,omitempty"`
}

// Example is one documented response body.
type Example struct {
	StatusCode  int    `json:"statusCode"`
	ContentType string `json:"contentType"`
	Body        string `json:"body"`
}

// Product is a product with the ids of its APIs that this gateway serves.
type Product struct {
	ID        string   `json:"id"`
	Published bool     `json:"published"`
	APIs      []string `json:"apis"`
	Policy    string   `json:"policy,omitempty"`
	// Name is the display name, which context.Product.Name returns;
	// empty: the id.
	Name string `json:"name,omitempty"`
}

// Subscription is a subscription with the digests of its keys.
type Subscription struct {
	ID    string `json:"id"`
	Scope string `json:"scope"` // "/apis", "/apis/{id}" or "/products/{id}"
	State string `json:"state"`
	Owner string `json:"owner,omitempty"` // user id
	// Keys are the digests of the primary and secondary keys.
	Keys []KeyDigest `json:"keys"`
	// Name is the display name, which context.Subscription.Name returns;
	// empty: the id.
	Name string `json:"name,omitempty"`
}

// KeyDigest is the SHA-256 digest of a subscription key. It is encoded as
// hex in JSON.
type KeyDigest [sha256.Size]byte

// DigestKey returns the digest of key.
func DigestKey(key string) KeyDigest { return sha256.Sum256([]byte(key)) }

// MarshalText encodes d as hex.
func (d KeyDigest) MarshalText() ([]byte, error) {
	return []byte(hex.EncodeToString(d[:])), nil
}

// UnmarshalText decodes hex made by MarshalText.
func (d *KeyDigest) UnmarshalText(b []byte) error {
	if hex.DecodedLen(len(b)) != len(d) {
		return fmt.Errorf("key digest: want %d hex characters", 2*len(d))
	}
	_, err := hex.Decode(d[:], b)
	if err != nil {
		return fmt.Errorf("key digest: %w", err)
	}
	return nil
}
