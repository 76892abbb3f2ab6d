package model

import (
	"fmt"
	"net/url"
	"strings"
)

// Default subscription key parameter names, as in APIM.
const (
	DefaultKeyHeader = "Ocp-Apim-Subscription-Key"
	DefaultKeyQuery  = "subscription-key"
)

// API is a published API: a path on the gateway in front of a backend URL.
type API struct {
	DisplayName                   string             `json:"displayName"`
	Description                   string             `json:"description,omitempty"`
	Path                          string             `json:"path"`
	ServiceURL                    string             `json:"serviceUrl,omitempty"`
	Protocols                     []string           `json:"protocols,omitempty"`
	SubscriptionRequired          *bool              `json:"subscriptionRequired,omitempty"`
	SubscriptionKeyParameterNames *KeyParameterNames `json:"subscriptionKeyParameterNames,omitempty"`
	APIVersion                    string             `json:"apiVersion,omitempty"`
	APIVersionDescription         string             `json:"apiVersionDescription,omitempty"`
	// APIVersionSetID names the version set the API is a version of, as
	// "/apiVersionSets/{id}" (Normalize turns a plain id into that).
	APIVersionSetID string `json:"apiVersionSetId,omitempty"`
	// APIVersionSet shows the set APIVersionSetID names; the management
	// plane fills it, whatever a request says.
	APIVersionSet *APIVersionSetDetails `json:"apiVersionSet,omitempty"`
	// APIRevision is the revision's number: "1" for a new API, n for the
	// revision "{id};rev=n".
	APIRevision            string `json:"apiRevision,omitempty"`
	APIRevisionDescription string `json:"apiRevisionDescription,omitempty"`
	// IsCurrent says whether the revision answers requests that name no
	// revision. The management plane sets it: a release makes a revision
	// current.
	IsCurrent *bool `json:"isCurrent,omitempty"`
	// SourceAPIID names, on create, the API or revision whose operations
	// and policies the new one starts with (APIM's sourceApiId).
	// Write-only: never stored or returned.
	SourceAPIID string `json:"sourceApiId,omitempty"`
	// Type is the kind of API the gateways serve: TypeHTTP (the
	// default), TypeSOAP (pass-through SOAP: requests are POSTs matched to
	// operations by their SOAP action) or TypeGraphQL (pass-through
	// GraphQL: requests are forwarded as they are).
	Type string `json:"type,omitempty"`
	// APIType is APIM's import selector (apiType, its SDKs' soapApiType):
	// "soap" imports a WSDL as a pass-through SOAP API, "graphql" makes a
	// GraphQL API. It fills Type when Type is empty and must agree with
	// it otherwise. Write-only: never stored or returned.
	APIType string `json:"apiType,omitempty"`
	// Format and Value import a definition on PUT, as in APIM: Format is
	// one of ImportFormats and Value the document (or its URL for the
	// -link formats). Both are write-only: never stored or returned.
	Format string `json:"format,omitempty"`
	Value  string `json:"value,omitempty"`
	// Definition is the WSDL, GraphQL schema or WADL the last import of a
	// SOAP, GraphQL or (WADL) http API read, kept so that an export writes
	// it back. The
	// management plane sets it from Format and Value, whatever a request
	// says; an OpenAPI import is not kept (its operations are exported).
	Definition string `json:"definition,omitempty"`
	// WorkspaceID names the workspace the resource belongs to (APIOps's
	// workspaces/<id>/ folder); empty at service level. It describes the
	// resource: ids stay unique across workspaces and the service.
	WorkspaceID string `json:"workspaceId,omitempty"`
}

// API types (API.Type) the gateways serve.
const (
	TypeHTTP    = "http"
	TypeSOAP    = "soap"
	TypeGraphQL = "graphql"
)

// ImportFormats are the accepted values of API.Format.
var ImportFormats = []string{"openapi", "openapi+json", "swagger-json", "openapi-link", "openapi+json-link", "swagger-link-json",
	"wsdl", "wsdl-link", "graphql", "graphql-link", "wadl-xml", "wadl-link-json"}

// IsWSDLFormat reports whether format imports a WSDL document.
func IsWSDLFormat(format string) bool { return format == "wsdl" || format == "wsdl-link" }

// IsWADLFormat reports whether format imports a WADL document (into an
// http API).
func IsWADLFormat(format string) bool { return format == "wadl-xml" || format == "wadl-link-json" }

// IsGraphQLFormat reports whether format imports a GraphQL schema.
func IsGraphQLFormat(format string) bool { return format == "graphql" || format == "graphql-link" }

// IsLinkFormat reports whether format names a document by URL.
func IsLinkFormat(format string) bool {
	return strings.HasSuffix(format, "-link") || format == "swagger-link-json"
}

// KeyParameterNames names where a subscription key is read from.
type KeyParameterNames struct {
	Header string `json:"header"`
	Query  string `json:"query"`
}

// Normalize fills APIM's defaults and trims slashes from Path.
func (a *API) Normalize() {
	a.Path = strings.Trim(a.Path, "/")
	if a.Protocols == nil {
		a.Protocols = []string{"http", "https"}
	}
	if a.SubscriptionRequired == nil {
		a.SubscriptionRequired = boolPtr(true)
	}
	if a.SubscriptionKeyParameterNames == nil {
		a.SubscriptionKeyParameterNames = &KeyParameterNames{}
	}
	if a.SubscriptionKeyParameterNames.Header == "" {
		a.SubscriptionKeyParameterNames.Header = DefaultKeyHeader
	}
	if a.SubscriptionKeyParameterNames.Query == "" {
		a.SubscriptionKeyParameterNames.Query = DefaultKeyQuery
	}
	if a.Type == "" {
		a.Type = strings.ToLower(a.APIType)
	}
	if a.Type == "" {
		a.Type = TypeHTTP
	}
	if a.DisplayName == "" {
		a.DisplayName = a.Path
	}
	if id, err := ParseVersionSetID(a.APIVersionSetID); err == nil {
		a.APIVersionSetID = "/apiVersionSets/" + id
	}
	if a.APIVersionSetID == "" {
		a.APIVersionSet = nil
	}
}

// VersionSet returns the id of the API's version set, or "" when it has
// none.
func (a *API) VersionSet() string {
	id, _ := ParseVersionSetID(a.APIVersionSetID)
	return id
}

// Validate checks the API's own fields.
func (a *API) Validate() error {
	var fe fieldErrors
	validateWorkspaceID(&fe, a.WorkspaceID)
	if len(a.DisplayName) > 300 {
		fe.add("displayName", "must be at most 300 characters")
	}
	if len(a.Path) > 400 {
		fe.add("path", "must be at most 400 characters")
	}
	for _, seg := range strings.Split(a.Path, "/") {
		if a.Path != "" && (seg == "" || strings.ContainsAny(seg, "?#{}* ")) {
			fe.add("path", "%q is not a valid URL suffix: use non-empty segments without '?', '#', '{', '}', '*' or spaces", a.Path)
			break
		}
	}
	if msg := apiPathProblem(a.Path); msg != "" {
		fe.add("path", "%q is not a valid URL suffix: it %s", a.Path, msg)
	}
	if a.ServiceURL != "" {
		if err := validateAbsoluteURL(a.ServiceURL); err != "" {
			fe.add("serviceUrl", "%s", err)
		}
	}
	for _, p := range a.Protocols {
		if !oneOf(p, "http", "https") {
			fe.add("protocols", "%q is not a protocol: want http or https", p)
		}
	}
	if len(a.Protocols) == 0 {
		fe.add("protocols", "must name at least one protocol")
	}
	if k := a.SubscriptionKeyParameterNames; k != nil {
		if !validToken(k.Header) {
			fe.add("subscriptionKeyParameterNames.header", "%q is not a valid header name", k.Header)
		}
		if strings.ContainsAny(k.Query, "&=#? ") {
			fe.add("subscriptionKeyParameterNames.query", "%q is not a valid query parameter name", k.Query)
		}
	}
	if a.Format != "" && !oneOf(a.Format, ImportFormats...) {
		fe.add("format", "%q is not supported: want one of %s", a.Format, strings.Join(ImportFormats, ", "))
	}
	if a.Format != "" && strings.TrimSpace(a.Value) == "" {
		fe.add("value", "is required with format %q", a.Format)
	}
	if a.Format == "" && a.Value != "" {
		fe.add("format", "is required with value")
	}
	if IsLinkFormat(a.Format) && a.Value != "" {
		if u, err := url.Parse(a.Value); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			fe.add("value", "%q is not an absolute http or https URL", a.Value)
		}
	}
	a.validateType(&fe)
	if a.APIVersionSetID != "" {
		if _, err := ParseVersionSetID(a.APIVersionSetID); err != nil {
			fe.add("apiVersionSetId", "%v", err)
		}
	}
	if hasControl(a.APIVersion) {
		fe.add("apiVersion", "must not hold control characters")
	}
	if a.APIRevision != "" && !validRevision(a.APIRevision) {
		fe.add("apiRevision", "%q is not a revision number: want 1 to %d", a.APIRevision, MaxRevision)
	}
	if a.SourceAPIID != "" {
		if _, err := ParseAPIRef(a.SourceAPIID); err != nil {
			fe.add("sourceApiId", "%v", err)
		}
	}
	return fe.err()
}

// validateType checks Type, APIType and that Format suits the type.
func (a *API) validateType(fe *fieldErrors) {
	switch a.Type {
	case TypeHTTP, TypeSOAP, TypeGraphQL:
	case "websocket", "odata", "grpc":
		fe.unsupported("type", fmt.Sprintf("%s APIs (the gateways serve http, soap and graphql APIs)", a.Type))
	default:
		fe.add("type", "%q is not an API type: want http, soap or graphql", a.Type)
	}
	if a.APIType != "" && !strings.EqualFold(a.APIType, a.Type) {
		fe.add("apiType", "%q does not agree with type %q", a.APIType, a.Type)
	}
	switch {
	case a.Format == "":
	case IsWSDLFormat(a.Format) && a.Type == TypeHTTP:
		fe.unsupported("type", "SOAP-to-REST (a WSDL imported as an http API); give type or apiType soap to import a pass-through SOAP API")
	case IsWSDLFormat(a.Format) && a.Type != TypeSOAP:
		fe.add("format", "%q imports a SOAP API: want type soap, not %q", a.Format, a.Type)
	case IsGraphQLFormat(a.Format) && a.Type != TypeGraphQL:
		fe.add("format", "%q imports a GraphQL API: want type graphql, not %q", a.Format, a.Type)
	case !IsWSDLFormat(a.Format) && !IsGraphQLFormat(a.Format) && a.Type != TypeHTTP:
		fe.add("format", "%q imports an http API: want type http, not %q", a.Format, a.Type)
	}
	if len(a.Definition) > MaxSchemaSize {
		fe.add("definition", "must be at most %d bytes", MaxSchemaSize)
	}
}

// validateAbsoluteURL returns a message when s is not an absolute http(s) URL.
func validateAbsoluteURL(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "not a URL: " + err.Error()
	case u.Scheme != "http" && u.Scheme != "https":
		return "must be an absolute http or https URL"
	case u.Host == "":
		return "must name a host"
	case u.RawQuery != "" || u.Fragment != "":
		return "must not have a query or fragment"
	}
	return ""
}

// validToken reports whether s is a valid HTTP header field name.
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}
