package mgmt

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// How the configuration uses a property of a resource.
const (
	// byGateway: the gateways act on it.
	byGateway = "gateway"
	// byManagement: the management plane acts on it (uniqueness, limits,
	// references, secrets, imports, the configuration endpoint's tokens).
	byManagement = "management"
	// describes: it describes the resource to people and tools (GET,
	// exports, the portal); there is nothing to enforce.
	describes = "documentation"
	// refused: a value other than the default is refused with 400, "is
	// not supported yet", until the gateways enforce it.
	refused = "refused"
)

// propertyUse is how one property of the OpenAPI document is used. A
// subtree use covers the properties under it that have no use of their
// own.
type propertyUse struct {
	how     string
	subtree bool
	why     string
}

func own(how, why string) propertyUse  { return propertyUse{how: how, why: why} }
func tree(how, why string) propertyUse { return propertyUse{how: how, subtree: true, why: why} }

// propertyUses says, for every property the management API stores, who
// acts on it, so that no setting is accepted and then ignored: a property
// added to the OpenAPI document fails TestEveryPropertyIsEnforcedOrRefused
// until it is listed here.
var propertyUses = map[string]propertyUse{
	"ApiProperties.displayName":                   own(describes, "title in lists, exports and the portal"),
	"ApiProperties.description":                   own(describes, "exports and the portal"),
	"ApiProperties.path":                          own(byGateway, "routes requests by it"),
	"ApiProperties.serviceUrl":                    own(byGateway, "forwards to it"),
	"ApiProperties.protocols":                     tree(byGateway, "serves the API only over these schemes (404 otherwise)"),
	"ApiProperties.subscriptionRequired":          own(byGateway, "asks for a key or not"),
	"ApiProperties.subscriptionKeyParameterNames": tree(byGateway, "reads the key from this header and query parameter"),
	"ApiProperties.apiVersion":                    own(byGateway, "routes requests that name it to this version of the version set"),
	"ApiProperties.apiVersionDescription":         own(describes, "lists, exports and the portal"),
	"ApiProperties.apiVersionSetId":               own(byGateway, "shares the path with the set's other versions, routed by its scheme"),
	"ApiProperties.apiVersionSet":                 tree(byManagement, "filled from the set apiVersionSetId names"),
	"ApiProperties.isCurrent":                     own(byManagement, "set by the management plane; a release makes a revision current"),
	"ApiProperties.apiRevision":                   own(byManagement, "set by the management plane from the id"),
	"ApiProperties.apiRevisionDescription":        own(describes, "for administrators"),
	"ApiProperties.sourceApiId":                   own(byManagement, "copies operations and policies on create"),
	"ApiProperties.type":                          own(byGateway, "http, soap (matched by SOAP action) and graphql are served; the others are refused"),
	"ApiProperties.apiType":                       own(byManagement, "chooses the type of an import; SOAP-to-REST is refused"),
	"ApiProperties.definition":                    own(byManagement, "the imported WSDL or GraphQL schema, written back by exports"),
	"ApiProperties.format":                        own(byManagement, "imports the definition in value"),
	"ApiProperties.value":                         own(byManagement, "the imported definition"),

	"OperationProperties.displayName":                                    own(describes, "the portal and exports"),
	"OperationProperties.description":                                    own(describes, "the portal and exports"),
	"OperationProperties.method":                                         own(byGateway, "routes by it"),
	"OperationProperties.urlTemplate":                                    own(byGateway, "routes by it; its parameters are context.Request.MatchedParameters"),
	"OperationProperties.templateParameters":                             tree(describes, "the request contract, for the portal, exports and clients"),
	"OperationProperties.request":                                        tree(describes, "the request contract, for the portal, exports and clients"),
	"OperationProperties.responses":                                      tree(describes, "the response contract, for the portal, exports and clients"),
	"OperationProperties.responses[].statusCode":                         own(byGateway, "mock-response answers with it"),
	"OperationProperties.responses[].representations[].examples.*.value": own(byGateway, "mock-response answers with it"),
	"OperationProperties.responses[].representations[].contentType":      own(byGateway, "mock-response's Content-Type"),

	"ProductProperties.displayName":          own(describes, "lists and the portal"),
	"ProductProperties.description":          own(describes, "lists and the portal"),
	"ProductProperties.terms":                own(describes, "shown to developers who subscribe; subscriptions made by administrators bypass them, as in APIM"),
	"ProductProperties.state":                own(byGateway, "only a published product's keys pass"),
	"ProductProperties.subscriptionRequired": own(refused, "open products: only true"),
	"ProductProperties.approvalRequired": own(byManagement,
		"holds subscriptions developers request; subscriptions made by administrators through this API need no approval, as in APIM"),
	"ProductProperties.subscriptionsLimit": own(byManagement, "refuses an owner's subscription past it (409)"),

	"SubscriptionProperties.workspaceId":  own(describes, "the workspace folder exports write the subscription to"),
	"SubscriptionProperties.displayName":  own(describes, "lists"),
	"SubscriptionProperties.scope":        own(byGateway, "what the keys open"),
	"SubscriptionProperties.ownerId":      own(byGateway, "context.User; and subscriptionsLimit counts by it"),
	"SubscriptionProperties.state":        own(byGateway, "only active subscriptions pass"),
	"SubscriptionProperties.allowTracing": own(refused, "request tracing: only false"),
	"SubscriptionProperties.createdDate":  own(byManagement, "set when created, kept on replace"),
	"SubscriptionProperties.primaryKey":   own(byGateway, "the key that passes"),
	"SubscriptionProperties.secondaryKey": own(byGateway, "the key that passes"),

	"UserProperties.email":            own(byGateway, "context.User.Email; unique"),
	"UserProperties.firstName":        own(byGateway, "context.User.FirstName"),
	"UserProperties.lastName":         own(byGateway, "context.User.LastName"),
	"UserProperties.state":            own(refused, "blocked and pending users: only active"),
	"UserProperties.note":             own(describes, "for administrators"),
	"UserProperties.registrationDate": own(byManagement, "set when created, kept on replace"),
	"UserProperties.password":         own(byManagement, "kept as a bcrypt hash, never returned, for the portal's sign-in"),

	"GroupProperties.workspaceId": own(describes, "the workspace folder exports write the group to"),
	"GroupProperties.displayName": own(byGateway, "context.User.Groups' names; cache-lookup varies by groups"),
	"GroupProperties.description": own(describes, "lists and the portal"),
	"GroupProperties.builtIn":     own(byManagement, "set by the server for the built-in groups"),
	"GroupProperties.type":        own(refused, "external groups: custom or system"),

	"LoggerProperties.workspaceId": own(describes, "the workspace folder exports write the logger to"),
	"LoggerProperties.loggerType":  own(byGateway, "stdout, file, http or azureEventHub, where the gateways write records and log-to-eventhub's messages; APIM's other types are refused"),
	"LoggerProperties.description": own(describes, "lists and exports"),
	"LoggerProperties.credentials": tree(byGateway, "a file logger's path, an http logger's url and headers, an event hub's connection string and name; other keys refused"),
	"LoggerProperties.isBuffered":  own(describes, "records are always written in batches off the request path"),
	"LoggerProperties.resourceId":  own(refused, "names an Azure resource"),

	"DiagnosticProperties.loggerId":                  own(byGateway, "the logger the records go to"),
	"DiagnosticProperties.alwaysLog":                 own(byGateway, "records every failed request whether sampled or not"),
	"DiagnosticProperties.sampling":                  tree(byGateway, "the share of requests recorded"),
	"DiagnosticProperties.logClientIp":               own(byGateway, "the record carries the client's address"),
	"DiagnosticProperties.verbosity":                 own(refused, "only information; records carry no trace entries"),
	"DiagnosticProperties.frontend":                  tree(refused, "records hold no bodies yet; masking has nothing to mask"),
	"DiagnosticProperties.frontend.request.headers":  tree(byGateway, "the record holds these headers of the client's request (never the key header)"),
	"DiagnosticProperties.frontend.response.headers": tree(byGateway, "the record holds these headers of the response"),
	"DiagnosticProperties.backend":                   tree(refused, "records hold no headers or bodies yet"),
	"DiagnosticProperties.httpCorrelationProtocol":   own(refused, "Application Insights setting; only None"),
	"DiagnosticProperties.operationNameFormat":       own(refused, "records name operations by id; only Name"),
	"DiagnosticProperties.metrics":                   own(refused, "Application Insights setting"),

	"TagProperties.workspaceId": own(describes, "the workspace folder exports write the tag to"),
	"TagProperties.displayName": own(describes, "lists, the portal and exports; the gateways do not use tags"),

	"ServicePrincipalProperties.displayName": own(describes, "lists and logs"),
	"ServicePrincipalProperties.description": own(describes, "for administrators"),
	"ServicePrincipalProperties.role":        own(byManagement, "the management API allows the principal's token what the role grants"),

	"SchemaProperties.schemaType":              own(byGateway, "json: validate-content's schema-id validates with the document; xml is refused, not supported yet"),
	"SchemaProperties.description":             own(describes, "lists"),
	"SchemaProperties.document":                tree(byGateway, "validate-content's schema-id (and schema-ref into it) validates bodies against it"),
	"SchemaProperties.value":                   own(refused, "XML schemas"),
	"WorkspaceProperties.displayName":          own(describes, "lists and exports"),
	"WorkspaceProperties.description":          own(describes, "lists and exports"),
	"ApiProperties.workspaceId":                own(describes, "the workspace folder exports write the API to"),
	"ProductProperties.workspaceId":            own(describes, "the workspace folder exports write the product to"),
	"NamedValueProperties.workspaceId":         own(describes, "the workspace folder exports write the named value to"),
	"BackendProperties.workspaceId":            own(describes, "the workspace folder exports write the backend to"),
	"ApiSchemaProperties.contentType":          own(describes, "what the document holds; exports write it back"),
	"ApiSchemaProperties.document":             own(describes, "the API's definitions; exports write them back"),
	"ApiSchemaProperties.document.value":       own(describes, "the schema's text"),
	"ApiSchemaProperties.document.components":  own(describes, "OpenAPI components"),
	"ApiSchemaProperties.document.definitions": own(describes, "Swagger definitions"),

	"NamedValueProperties.displayName": own(byGateway, "the {{name}} policies use"),
	"NamedValueProperties.value":       own(byGateway, "what {{name}} stands for"),
	"NamedValueProperties.secret":      own(byManagement, "encrypts the value and keeps it from GET"),
	"NamedValueProperties.tags":        tree(describes, "for administrators"),

	"BackendProperties.url":                                               own(byGateway, "set-backend-service sends there"),
	"BackendProperties.protocol":                                          own(byGateway, "http, the only protocol, is what the gateways speak"),
	"BackendProperties.description":                                       own(describes, "lists"),
	"BackendProperties.credentials":                                       tree(byGateway, "added to every request to the backend, certificates presented"),
	"BackendProperties.tls":                                               tree(byGateway, "verifies the backend's certificate so"),
	"BackendProperties.circuitBreaker":                                    tree(byGateway, "each node stops sending to the backend for tripDuration once failureCondition is met (503, or other pool members)"),
	"BackendProperties.type":                                              own(byGateway, "Single sends to url; Pool picks a member per forward"),
	"BackendProperties.pool":                                              tree(byGateway, "the members, by priority then weight, skipping those whose breaker is open"),
	"BackendProperties.title":                                             own(describes, "lists"),
	"BackendProperties.resourceId":                                        own(describes, "what runs behind the backend, for administrators"),
	"AuthorizationProviderProperties.displayName":                         own(describes, "lists and exports"),
	"AuthorizationProviderProperties.identityProvider":                    own(byGateway, "oauth2 or aad: where the gateways get tokens"),
	"AuthorizationProviderProperties.oauth2":                              own(byGateway, "the provider's OAuth 2.0 settings"),
	"AuthorizationProviderProperties.oauth2.grantTypes":                   own(byGateway, "the grant types offered, at least one"),
	"AuthorizationProviderProperties.oauth2.redirectUrl":                  own(describes, "the consent flow's, which there is not yet"),
	"AuthorizationProviderProperties.oauth2.grantTypes.clientCredentials": tree(byGateway, "client id, secret, token URL and scopes of the gateways' token requests"),
	"AuthorizationProviderProperties.oauth2.grantTypes.authorizationCode": tree(byManagement, "stored; its connections are not connected (no consent flow yet)"),
	"AuthorizationProperties.authorizationType":                           own(byManagement, "OAuth2 only"),
	"AuthorizationProperties.oauth2grantType":                             own(byGateway, "ClientCredentials connections get tokens; AuthorizationCode ones are answered not connected"),
	"AuthorizationProperties.parameters":                                  tree(refused, "connection-level client settings"),
	"AuthorizationProperties.status":                                      own(describes, "read-only"),
	"AuthorizationProperties.error":                                       tree(describes, "read-only"),
	"BackendProperties.proxy":                                             tree(byGateway, "the HTTP forward proxy the gateways reach the backend through"),
	"BackendProperties.properties":                                        tree(refused, "Service Fabric backends"),

	"CertificateProperties.data":           own(byGateway, "presented to backends, or trusted"),
	"CertificateProperties.password":       own(byManagement, "opens data; never stored"),
	"CertificateProperties.subject":        own(byManagement, "read from data"),
	"CertificateProperties.thumbprint":     own(byManagement, "read from data"),
	"CertificateProperties.expirationDate": own(byManagement, "read from data"),

	"GatewayCertificateAuthorityProperties.isTrusted": own(byGateway, "trusts the root, or uses the intermediate to build chains"),

	"FederatedCredentialProperties.issuer":      own(byManagement, "the configuration endpoint accepts tokens from it"),
	"FederatedCredentialProperties.subject":     own(byManagement, "the configuration endpoint accepts tokens for it"),
	"FederatedCredentialProperties.audiences":   tree(byManagement, "the configuration endpoint accepts tokens for them"),
	"FederatedCredentialProperties.description": own(describes, "lists"),

	"GatewayProperties.description":  own(describes, "lists"),
	"GatewayProperties.locationData": tree(describes, "where the gateway runs, for administrators"),

	"PolicyProperties.format": own(byGateway, "how value is read"),
	"PolicyProperties.value":  own(byGateway, "the policies the gateways run"),

	"ApiReleaseProperties.apiId":           own(byGateway, "the revision the gateways serve as current"),
	"ApiReleaseProperties.notes":           own(describes, "the change log"),
	"ApiReleaseProperties.createdDateTime": own(byManagement, "set when created"),
	"ApiReleaseProperties.updatedDateTime": own(byManagement, "set on every write"),

	"ApiVersionSetProperties.displayName":       own(describes, "lists and the APIs' apiVersionSet"),
	"ApiVersionSetProperties.description":       own(describes, "lists and the APIs' apiVersionSet"),
	"ApiVersionSetProperties.versioningScheme":  own(byGateway, "where the gateways read the version"),
	"ApiVersionSetProperties.versionQueryName":  own(byGateway, "the query parameter the gateways read the version from"),
	"ApiVersionSetProperties.versionHeaderName": own(byGateway, "the header the gateways read the version from"),

	"PolicyFragmentProperties.format":      own(byGateway, "how value is read"),
	"PolicyFragmentProperties.value":       own(byGateway, "what include-fragment inserts"),
	"PolicyFragmentProperties.description": own(describes, "lists"),
	"ApiVersionSetProperties.workspaceId":  own(describes, "the workspace folder exports write the version set to"),
	"PolicyFragmentProperties.workspaceId": own(describes, "the workspace folder exports write the fragment to"),
}

// useOf returns the use of the property at path of schema, its own or
// its nearest listed ancestor's subtree use.
func useOf(schema, path string) (propertyUse, bool) {
	for p, own := path, true; p != ""; own = false {
		if u, ok := propertyUses[schema+"."+p]; ok && (own || u.subtree) {
			return u, true
		}
		if trimmed, ok := strings.CutSuffix(p, "[]"); ok {
			p = trimmed
		} else if i := strings.LastIndexByte(p, '.'); i >= 0 {
			p = p[:i]
		} else {
			p = ""
		}
	}
	return propertyUse{}, false
}

// TestEveryPropertyIsEnforcedOrRefused walks the OpenAPI document's
// properties of every resource: each must be listed in propertyUses, and
// each listed one must be in the document.
func TestEveryPropertyIsEnforcedOrRefused(t *testing.T) {
	w := newSchemaWalker(t)
	seen := map[string]bool{}
	for kind, schema := range propertiesSchemas {
		for path := range w.properties(t, kind) {
			seen[schema+"."+path] = true
			if _, ok := useOf(schema, path); !ok {
				t.Errorf("%s.%s is in the OpenAPI document but not in propertyUses: enforce it, or refuse it (400, not supported yet), and list it", schema, path)
			}
		}
	}
	for name, u := range propertyUses {
		if !seen[name] {
			t.Errorf("propertyUses lists %s, which the OpenAPI document does not have", name)
		}
		if !slices.Contains([]string{byGateway, byManagement, describes, refused}, u.how) || u.why == "" {
			t.Errorf("%s: use %q, %q", name, u.how, u.why)
		}
	}
}

// TestUnsupportedSettingsAreRefused sends a request setting each refused
// property: it is answered 400 naming the property and saying it is not
// supported yet, and nothing is stored.
func TestUnsupportedSettingsAreRefused(t *testing.T) {
	a := newTestAPI(t)
	tests := []struct {
		property, path, body, target string
	}{
		{"ProductProperties.subscriptionRequired", "/products/open", `{"displayName": "Open", "subscriptionRequired": false}`, "properties.subscriptionRequired"},
		{"SubscriptionProperties.allowTracing", "/subscriptions/s", `{"displayName": "S", "scope": "/apis", "allowTracing": true}`, "properties.allowTracing"},
		{"UserProperties.state", "/users/u", `{"email": "u@example.com", "firstName": "U", "lastName": "V", "state": "blocked"}`, "properties.state"},
		{"GroupProperties.type", "/groups/g", `{"displayName": "G", "type": "external"}`, "properties.type"},
		{"AuthorizationProperties.parameters", "/authorizationProviders/p/authorizations/a", `{"oauth2grantType": "ClientCredentials", "parameters": {"clientId": "x"}}`, "properties.parameters"},
		{"BackendProperties.properties", "/backends/b", `{"url": "http://b", "properties": {"serviceFabricCluster": {"managementEndpoints": ["https://sf"]}}}`, "properties.properties"},
		{"SchemaProperties.value", "/schemas/s", `{"schemaType": "json", "document": {}, "value": "<xs:schema />"}`, "properties.value"},
		{"LoggerProperties.resourceId", "/loggers/l", `{"loggerType": "stdout", "resourceId": "/subscriptions/s/resourceGroups/g/providers/microsoft.insights/components/ai"}`, "properties.resourceId"},
		{"DiagnosticProperties.verbosity", "/diagnostics/d", `{"loggerId": "l", "verbosity": "verbose"}`, "properties.verbosity"},
		{"DiagnosticProperties.metrics", "/diagnostics/d", `{"loggerId": "l", "metrics": true}`, "properties.metrics"},
		{"DiagnosticProperties.httpCorrelationProtocol", "/diagnostics/d", `{"loggerId": "l", "httpCorrelationProtocol": "W3C"}`, "properties.httpCorrelationProtocol"},
		{"DiagnosticProperties.operationNameFormat", "/diagnostics/d", `{"loggerId": "l", "operationNameFormat": "Url"}`, "properties.operationNameFormat"},
		{"DiagnosticProperties.frontend", "/diagnostics/d", `{"loggerId": "l", "frontend": {"response": {"body": {"bytes": 1024}}}}`, "properties.frontend.response.body.bytes"},
		{"DiagnosticProperties.backend", "/diagnostics/d", `{"loggerId": "l", "backend": {"request": {"headers": ["Content-Type"]}}}`, "properties.backend.request.headers"},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.property] = true
		v := a.version()
		r := a.do("PUT", tt.path, `{"properties": `+tt.body+`}`)
		code, target, msg := errorOf(t, r)
		if r.status != http.StatusBadRequest || code != "ValidationError" || target != tt.target || !strings.Contains(msg, "is not supported yet") {
			t.Errorf("%s: %d %s %s %q; want 400 naming %s, not supported yet", tt.property, r.status, code, target, msg, tt.target)
		}
		if a.version() != v {
			t.Errorf("%s: the refused request changed the configuration", tt.property)
		}
	}
	for name, u := range propertyUses {
		if u.how == refused && !covered[name] {
			t.Errorf("%s is refused, but no request here checks it", name)
		}
	}
	// Defaults pass.
	a.must("PUT", "/apis/v", `{"properties": {"path": "v", "isCurrent": true}}`)
	a.must("PUT", "/backends/b", `{"properties": {"url": "http://b", "type": "Single"}}`)
	a.must("PUT", "/users/u", `{"properties": {"email": "u@example.com", "firstName": "U", "lastName": "V", "state": "active"}}`)
	a.must("PUT", "/loggers/l", `{"properties": {"loggerType": "stdout", "isBuffered": true}}`)
	a.must("PUT", "/diagnostics/d", `{"properties": {"loggerId": "/loggers/l", "verbosity": "information", "httpCorrelationProtocol": "None",
		"operationNameFormat": "Name", "metrics": false, "frontend": {"request": {"headers": [], "body": {"bytes": 0}}, "response": {"headers": [], "body": {"bytes": 0}}},
		"backend": {"request": {"headers": [], "body": {"bytes": 0}, "dataMasking": {}}}}}`)
}

func TestSubscriptionsLimit(t *testing.T) {
	a := newTestAPI(t)
	a.must("PUT", "/products/p", `{"properties": {"displayName": "P", "subscriptionsLimit": 1}}`)
	a.must("PUT", "/products/q", `{"properties": {"displayName": "Q"}}`)
	a.must("PUT", "/users/ann", `{"properties": {"email": "ann@example.com", "firstName": "Ann", "lastName": "Lee"}}`)
	a.must("PUT", "/subscriptions/one", `{"properties": {"displayName": "1", "scope": "/products/p", "ownerId": "/users/ann"}}`)
	r := a.do("PUT", "/subscriptions/two", `{"properties": {"displayName": "2", "scope": "/products/p", "ownerId": "/users/ann"}}`)
	if _, target, _ := errorOf(t, r); r.status != http.StatusConflict || target != "properties.ownerId" {
		t.Errorf("a second subscription past the limit: %d %s", r.status, r.raw)
	}
	// Moving a subscription into the product counts too; one that is
	// cancelled does not hold a place.
	a.must("PUT", "/subscriptions/two", `{"properties": {"displayName": "2", "scope": "/products/q", "ownerId": "/users/ann"}}`)
	if r := a.do("PATCH", "/subscriptions/two", `{"properties": {"scope": "/products/p"}}`); r.status != http.StatusConflict {
		t.Errorf("moving a subscription into a full product: %d %s", r.status, r.raw)
	}
	a.must("PATCH", "/subscriptions/one", `{"properties": {"state": "cancelled"}}`)
	a.must("PATCH", "/subscriptions/two", `{"properties": {"scope": "/products/p"}}`)
	// Changing a held subscription is not refused, and other owners have
	// their own count.
	a.must("PATCH", "/subscriptions/two", `{"properties": {"displayName": "renamed"}}`)
	a.must("PUT", "/subscriptions/three", `{"properties": {"displayName": "3", "scope": "/products/p"}}`)
}
