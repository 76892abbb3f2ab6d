package apiops

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/openapi"
)

// Config is a whole configuration: what a folder describes, or what a
// management plane holds. Properties are canonical: decoded into the model
// type, normalised and encoded again, so equal configurations compare
// equal byte for byte.
type Config struct {
	APIs     []API
	Products []Product
	Groups   []Resource
	// Tags are the tags that APIs and products carry.
	Tags        []Resource
	NamedValues []Resource
	Backends    []Resource
	// Schemas are the global schemas (validate-content's schema-id).
	Schemas  []Resource
	Gateways []Gateway
	// Policies are the policy documents, one per scope. A policy's Name
	// is its management path without the leading '/' ("policy",
	// "products/starter/policy", "apis/echo/policy",
	// "apis/echo/operations/get/policy"); its Properties are
	// {"format": "rawxml", "value": DOCUMENT} with the document's
	// trailing white space removed, so equal documents compare equal.
	// Ordered outer scopes first.
	Policies []Resource
	// Fragments are the policy fragments, canonical as policies are
	// (with "description" when there is one).
	Fragments []Resource
	// Certificates are the certificates with their material.
	Certificates []Certificate
	// VersionSets are the API version sets.
	VersionSets []Resource
	// Loggers are the loggers diagnostics write to; Diagnostics the
	// global diagnostics; APIDiagnostics, by API name, the diagnostics of
	// APIs (an API missing from it: not described).
	Loggers        []Resource
	Diagnostics    []Resource
	APIDiagnostics map[string][]Resource
	// APISchemas are, by API or revision name, the schemas of APIs (an
	// API missing from it: not described).
	APISchemas map[string][]Resource
	// Workspaces are the workspaces; the resources in them say so in
	// their workspaceId.
	Workspaces []Resource
	// Subscriptions are the subscriptions, without keys.
	Subscriptions []Resource
	// SubscriptionKeys are, by subscription name in lower case, the keys
	// a folder gives through placeholders (an empty key: generated or
	// kept), or the keys a management plane holds.
	SubscriptionKeys map[string]model.SubscriptionKeys
	// Users are the names of a management plane's users, which
	// subscriptions may be owned by; a folder has none.
	Users []string
	// Unsupported lists what a folder holds that Gatehouse does not apply.
	Unsupported []Unsupported
	// Warnings list what a folder says that its format does not allow
	// but that is applied as Azure API Management applies it.
	Warnings []Warning
}

// Warning is one part of a folder applied although its format does not
// allow it (an OpenAPI 3.1 specification with 3.0's boolean bounds).
type Warning struct {
	File   string
	Detail string
}

// String renders w as "apis/a/specification.yaml: /paths/...: ...".
func (w Warning) String() string { return w.File + ": " + w.Detail }

// Resource is one named resource with its canonical properties.
type Resource struct {
	Name       string
	Properties json.RawMessage
	// File is where the resource was read from, for messages; empty for
	// a management plane's resources.
	File string
}

// API is an API with its operations. Spec is the document the operations
// came from (nil when the folder has none: the API's operations are then
// left as they are): an OpenAPI document, or, as SpecFormat says, the WSDL
// of a SOAP API or the schema of a GraphQL API, which the management plane
// keeps (the API's definition) and an export writes back.
type API struct {
	Resource
	Spec []byte
	// SpecFormat is "" for an OpenAPI Spec, else the import format that
	// reads it: "wsdl" or "graphql".
	SpecFormat string
	SpecFile   string
	Operations []openapi.Operation
	// Tags are the tags the API carries; nil means "not described" (its
	// tags are left as they are). Revisions share their API's tags.
	Tags []string
	// Revision is, for an API (not one of its revisions, whose Name is
	// "echo;rev=2"), the number of its current revision when the folder
	// or the management plane says it; "" otherwise. Apply creates an
	// API at that revision; it makes another revision current only with
	// a release of that revision in the folder (see Releases).
	Revision string
	// Releases are the API's releases (of an API, not of one of its
	// revisions); nil means "not described" (they are left as they are).
	// Their apiId is "/apis/<api>;rev=<n>".
	Releases []Resource
}

// Product is a product with the APIs it contains, the groups that see it
// and the tags it carries. A nil list means "not described": its links
// are left as they are.
type Product struct {
	Resource
	APIs   []string
	Groups []string
	Tags   []string
}

// Gateway is a gateway with the APIs it serves, the certificate
// authorities it trusts (by certificate name) and the federated
// credentials it signs in with. A nil list means "not described": it is
// left as it is.
type Gateway struct {
	Resource
	APIs                   []string
	CertificateAuthorities []Resource
	FederatedCredentials   []Resource
}

// Unsupported is one part of a folder that is not applied.
type Unsupported struct {
	Type   string // "API policy"
	File   string // "apis/echo/policy.xml"
	Detail string // optional: which property
}

// String renders u as "FILE: TYPE is not supported yet".
func (u Unsupported) String() string {
	s := u.File + ": " + u.Type + " is not supported yet"
	if u.Detail != "" {
		s += " (" + u.Detail + ")"
	}
	return s
}

// canonical decodes props strictly into kind's model type, normalises and
// validates them, and encodes them again.
func canonical(kind model.Kind, props []byte) (json.RawMessage, error) {
	p := model.NewProperties(kind)
	if p == nil {
		return nil, fmt.Errorf("kind %s has no properties", kind)
	}
	if err := model.DecodeStrict(props, "properties", p); err != nil {
		return nil, err
	}
	p.Normalize()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	clearServerFilled(p)
	return json.Marshal(p)
}

// clearServerFilled removes what the management plane fills in of its
// own and a folder does not say: an API's version set details, revision
// number and isCurrent, so that a folder compares equal to the plane.
func clearServerFilled(p model.Properties) {
	if a, ok := p.(*model.API); ok {
		a.APIVersionSet, a.APIRevision, a.IsCurrent = nil, "", nil
	}
	if r, ok := p.(*model.APIRelease); ok {
		r.CreatedDateTime, r.UpdatedDateTime = nil, nil
	}
	if s, ok := p.(*model.Subscription); ok {
		s.CreatedDate, s.PrimaryKey, s.SecondaryKey = nil, "", ""
	}
}

// specFiles are the names of the non-OpenAPI specification files of an
// API folder, by the format that imports them, as the APIOps extractor
// writes them.
var specFiles = map[string]string{"wsdl": "specification.wsdl", "graphql": "specification.graphql", "wadl": "specification.wadl"}

// importFormats are the management API's import formats (properties.format)
// of the non-OpenAPI specifications.
var importFormats = map[string]string{"wsdl": "wsdl", "graphql": "graphql", "wadl": "wadl-xml"}

// splitDefinition moves the definition a management plane keeps for a
// SOAP, GraphQL or WADL-imported http API out of a's properties into Spec, as a folder holds
// it in a specification file.
func splitDefinition(a *API) error {
	var p model.API
	if err := json.Unmarshal(a.Properties, &p); err != nil {
		return fmt.Errorf("api %s: %w", a.Name, err)
	}
	if p.Definition == "" {
		return nil
	}
	switch p.Type {
	case model.TypeSOAP:
		a.SpecFormat = "wsdl"
	case model.TypeGraphQL:
		a.SpecFormat = "graphql"
	case model.TypeHTTP, "":
		a.SpecFormat = "wadl" // an OpenAPI import keeps no definition
	default:
		return nil
	}
	a.Spec, p.Definition = []byte(p.Definition), ""
	b, err := json.Marshal(&p)
	if err != nil {
		return fmt.Errorf("api %s: %w", a.Name, err)
	}
	a.Properties = b
	return nil
}

// knownProperties returns the JSON names of kind's properties.
func knownProperties(kind model.Kind) map[string]bool {
	out := map[string]bool{}
	t := reflect.TypeOf(model.NewProperties(kind)).Elem()
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out[name] = true
		}
	}
	return out
}

// splitProperties separates the properties Gatehouse knows for kind from
// the others, whose names it returns sorted. Null values count as absent.
func splitProperties(kind model.Kind, raw json.RawMessage) (json.RawMessage, []string, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, nil, fmt.Errorf("properties: want a JSON object: %w", err)
	}
	known := knownProperties(kind)
	var unknown []string
	for k, v := range m {
		if string(v) == "null" {
			delete(m, k)
			continue
		}
		if !known[k] {
			unknown = append(unknown, k)
			delete(m, k)
		}
	}
	slices.Sort(unknown)
	b, err := json.Marshal(m)
	return b, unknown, err
}

var notEnvChar = regexp.MustCompile(`[^A-Z0-9]+`)

// SecretEnv is the environment variable that holds the value of the secret
// named value name: GATEHOUSE_SECRET_ and the name in upper case with
// other characters as '_'.
func SecretEnv(name string) string {
	return "GATEHOUSE_SECRET_" + envName(name)
}

// envName is name in upper case with characters other than letters and
// digits as '_', for environment variable names.
func envName(name string) string {
	return strings.Trim(notEnvChar.ReplaceAllString(strings.ToUpper(name), "_"), "_")
}

// placeholder matches a value that names an environment variable.
var placeholder = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$`)

// lastSegment returns the last '/'-separated part of an APIM resource id
// ("/subscriptions/.../service/apim/apis/echo" gives "echo").
func lastSegment(id string) string {
	return id[strings.LastIndex(id, "/")+1:]
}

func sortResources(rs []Resource) {
	slices.SortFunc(rs, func(a, b Resource) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
}

func sortedNames(names []string) []string {
	out := slices.Clone(names)
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return slices.CompactFunc(out, strings.EqualFold)
}
