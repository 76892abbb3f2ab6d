package mgmt

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/certificate/certtest"
)

// openAPISteps are the requests TestOpenAPIDocumentDescribesResponses
// sends, in order: together they exercise every route with its answers.
func openAPISteps(t *testing.T) []openAPIStep {
	filter := func(f string) string { return url.QueryEscape(f) }
	props := func(p string) string { return `{"properties": ` + p + `}` }
	expiry := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
	huge := props(`{"description": "` + strings.Repeat("x", maxBodyBytes) + `"}`)
	// propsOf marshals properties given as name/value pairs into an envelope.
	propsOf := func(kv ...string) string {
		p := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			p[kv[i]] = kv[i+1]
		}
		b, err := json.Marshal(map[string]any{"properties": p})
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	xmlBody := func(ct string) []string { return []string{"Content-Type", ct} }
	validateAddress := func(schemaID string) string {
		return `<policies><inbound><base /><validate-content unspecified-content-type-action="ignore" max-size="1024" size-exceeded-action="prevent">` +
			`<content type="application/json" validate-as="json" action="prevent" schema-id="` + schemaID + `" /></validate-content></inbound></policies>`
	}
	const (
		globalPolicy = `<policies><inbound><set-header name="x-gateway" exists-action="override"><value>gatehouse</value></set-header></inbound>` +
			`<backend><forward-request /></backend><outbound /><on-error /></policies>`
		productPolicy = `<policies><inbound><base /><set-query-parameter name="tier" exists-action="override"><value>gold</value></set-query-parameter></inbound></policies>`
		apiPolicy     = `<policies><inbound><base /><include-fragment fragment-id="add-key" /><set-backend-service backend-id="orders" /></inbound>` +
			`<backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`
		operationPolicy = `<policies><outbound><base /><set-header name="x-operation" exists-action="override"><value>get-item</value></set-header></outbound></policies>`
		// Two problems: a bad exists-action and an unknown element.
		invalidPolicy = `<policies><inbound><set-header name="x" exists-action="sometimes"><value>x</value></set-header><rate-limit-by-key calls="1" /></inbound></policies>`
		fragment      = `<fragment><set-header name="x-key" exists-action="override"><value>{{backend-key}}</value></set-header></fragment>`
	)
	client := certtest.NewCA(t, "OpenAPI CA").Issue(t, certtest.Options{CommonName: "client"})
	steps := []openAPIStep{
		{method: "GET", target: "/mgmt/openapi.json", noToken: true, want: 200},
		{method: "GET", target: "/mgmt/apis", noToken: true, want: 401},

		// APIs.
		{method: "PUT", target: "/mgmt/apis/echo?api-version=2022-08-01", body: props(`{"displayName": "Echo", "path": "echo", "serviceUrl": "https://echo.example.com"}`), want: 201},
		{method: "PUT", target: "/mgmt/apis/Echo", body: props(`{"path": "/echo/"}`), header: []string{"If-Match", "*"}, want: 200},
		{method: "PUT", target: "/mgmt/apis/echo", body: props(`{"path": "echo"}`), header: []string{"If-None-Match", "*"}, want: 412},
		{method: "PUT", target: "/mgmt/apis/echo", body: props(`{"path": "echo"}`), header: []string{"If-Match", `"0"`}, want: 412},
		{method: "PUT", target: "/mgmt/apis/other", body: props(`{"path": "ECHO"}`), want: 409},
		{method: "PUT", target: "/mgmt/apis/other", body: props(`{"path": "a b"}`), want: 400},
		{method: "PUT", target: "/mgmt/apis/other", body: `{"properties": {}, "extra": 1}`, invalid: true, want: 400},
		{method: "PUT", target: "/mgmt/apis/other", body: huge, invalid: true, want: 413},
		{method: "PUT", target: "/mgmt/apis/v2", body: props(`{"path": "v2"}`), want: 201},
		{method: "PATCH", target: "/mgmt/apis/echo", body: props(`{"description": "Says it back.", "subscriptionRequired": false}`), want: 200},
		{method: "PATCH", target: "/mgmt/apis/v2", body: props(`{"path": "echo"}`), want: 409},
		{method: "PATCH", target: "/mgmt/apis/missing", body: props(`{}`), want: 404},
		{method: "GET", target: "/mgmt/apis/echo", want: 200},
		{method: "GET", target: "/mgmt/apis/missing", want: 404},
		{method: "GET", target: "/mgmt/apis/echo?export=openapi&gatewayUrl=" + url.QueryEscape("https://gw.example.com"), want: 200,
			wantBody: []string{`"openapi": "3.1.0"`, `"url": "https://gw.example.com/echo"`}},
		{method: "GET", target: "/mgmt/apis/missing?export=openapi", want: 404},
		{method: "GET", target: "/mgmt/apis/bad%20id", invalid: true, want: 400},
		{method: "GET", target: "/mgmt/apis?$top=1", want: 200},
		{method: "GET", target: "/mgmt/apis?$filter=" + filter("name eq 'echo' and subscriptionRequired eq false"), want: 200},
		{method: "GET", target: "/mgmt/apis?$filter=" + filter("name eq echo"), want: 400},
		{method: "GET", target: "/mgmt/apis?$top=5000", invalid: true, want: 400},

		// Operations.
		{method: "PUT", target: "/mgmt/apis/echo/operations/get-item", body: props(`{"method": "get", "urlTemplate": "/items/{id}"}`), want: 201},
		{method: "PUT", target: "/mgmt/apis/echo/operations/get-item2", body: props(`{"method": "GET", "urlTemplate": "/items/{key}"}`), want: 409},
		{method: "PUT", target: "/mgmt/apis/echo/operations/bad", body: props(`{"method": "GET", "urlTemplate": "/items/{"}`), want: 400},
		{method: "PUT", target: "/mgmt/apis/missing/operations/get-item", body: props(`{"method": "GET", "urlTemplate": "/x"}`), want: 404},
		{method: "PUT", target: "/mgmt/apis/echo/operations/post-item", body: props(`{"method": "POST", "urlTemplate": "/items"}`), want: 201},
		{method: "PATCH", target: "/mgmt/apis/echo/operations/post-item", body: props(`{"urlTemplate": "/items/{id}", "method": "GET"}`), want: 409},
		{method: "PATCH", target: "/mgmt/apis/echo/operations/post-item", body: props(`{"description": "Adds one."}`), want: 200},
		{method: "GET", target: "/mgmt/apis/echo/operations/get-item", want: 200},
		{method: "GET", target: "/mgmt/apis/echo/operations", want: 200},
		{method: "GET", target: "/mgmt/apis/missing/operations", want: 404},
		{method: "DELETE", target: "/mgmt/apis/echo/operations/post-item", want: 200},
		{method: "DELETE", target: "/mgmt/apis/echo/operations/post-item", want: 204},
		{method: "PUT", target: "/mgmt/apis/echo;rev=2", body: props(`{"apiRevisionDescription": "Tries a change."}`), want: 201},
		{method: "PUT", target: "/mgmt/apis/echo;rev=3", body: props(`{"path": "other"}`), want: 400},
		{method: "GET", target: "/mgmt/apis/echo/revisions", want: 200, wantBody: []string{`"privateUrl": "/echo;rev=2"`}},
		{method: "GET", target: "/mgmt/apis/missing/revisions", want: 404},
		{method: "PUT", target: "/mgmt/apis/echo/releases/r1", body: props(`{"apiId": "/apis/echo;rev=2", "notes": "Faster."}`), want: 201},
		{method: "PUT", target: "/mgmt/apis/echo/releases/r2", body: props(`{"apiId": "/apis/v2;rev=2"}`), want: 400},
		{method: "PATCH", target: "/mgmt/apis/echo/releases/r1", body: props(`{"notes": "Much faster."}`), want: 200},
		{method: "GET", target: "/mgmt/apis/echo/releases/r1", want: 200},
		{method: "GET", target: "/mgmt/apis/echo/releases", want: 200},
		{method: "DELETE", target: "/mgmt/apis/echo;rev=2", want: 409},
		{method: "DELETE", target: "/mgmt/apis/echo/releases/r1", want: 200},

		// Version sets.
		{method: "PUT", target: "/mgmt/apiVersionSets/orders", body: props(`{"displayName": "Orders", "versioningScheme": "Query", "versionQueryName": "api-version"}`), want: 201},
		{method: "PUT", target: "/mgmt/apiVersionSets/bad", body: props(`{"displayName": "Bad", "versioningScheme": "Header"}`), want: 400},
		{method: "PATCH", target: "/mgmt/apiVersionSets/orders", body: props(`{"description": "Every version of Orders."}`), want: 200},
		{method: "PUT", target: "/mgmt/apis/orders-v1", body: props(`{"path": "orders", "apiVersion": "v1", "apiVersionSetId": "/apiVersionSets/orders"}`), want: 201},
		{method: "PUT", target: "/mgmt/apis/orders-v1b", body: props(`{"path": "orders", "apiVersion": "v1", "apiVersionSetId": "orders"}`), want: 409},
		{method: "GET", target: "/mgmt/apiVersionSets/orders", want: 200},
		{method: "GET", target: "/mgmt/apiVersionSets", want: 200},
		{method: "DELETE", target: "/mgmt/apiVersionSets/orders", want: 409},
		{method: "DELETE", target: "/mgmt/apis/orders-v1", want: 200},
		{method: "DELETE", target: "/mgmt/apiVersionSets/orders", want: 200},

		// Products, groups, users and their links.
		{method: "PUT", target: "/mgmt/products/starter", body: props(`{"displayName": "Starter", "state": "published"}`), want: 201},
		{method: "PUT", target: "/mgmt/products/bad", body: props(`{"displayName": ""}`), want: 400},
		{method: "PATCH", target: "/mgmt/products/starter", body: props(`{"subscriptionsLimit": 2}`), want: 200},
		{method: "GET", target: "/mgmt/products/starter", want: 200},
		{method: "GET", target: "/mgmt/products", want: 200},
		{method: "PUT", target: "/mgmt/products/starter/apis/echo", want: 201},
		{method: "PUT", target: "/mgmt/products/starter/apis/echo", want: 200},
		{method: "PUT", target: "/mgmt/products/starter/apis/missing", want: 404},
		{method: "GET", target: "/mgmt/products/starter/apis/echo", want: 200},
		{method: "GET", target: "/mgmt/products/starter/apis/v2", want: 404},
		{method: "GET", target: "/mgmt/products/starter/apis?$filter=" + filter("startswith(path,'ec')"), want: 200},
		{method: "GET", target: "/mgmt/products/missing/apis", want: 404},
		{method: "PUT", target: "/mgmt/groups/partners", body: props(`{"displayName": "Partners"}`), want: 201},
		{method: "PUT", target: "/mgmt/groups/partners", body: props(`{"displayName": "Partners", "builtIn": true}`), want: 400},
		{method: "PATCH", target: "/mgmt/groups/partners", body: props(`{"description": "Our partners."}`), want: 200},
		{method: "GET", target: "/mgmt/groups/partners", want: 200},
		{method: "GET", target: "/mgmt/groups", want: 200},
		{method: "PUT", target: "/mgmt/products/starter/groups/partners", want: 201},
		{method: "GET", target: "/mgmt/products/starter/groups/partners", want: 200},
		{method: "GET", target: "/mgmt/products/starter/groups", want: 200},
		{method: "DELETE", target: "/mgmt/products/starter/groups/partners", want: 200},
		{method: "DELETE", target: "/mgmt/products/starter/groups/partners", want: 204},
		{method: "PUT", target: "/mgmt/users/alice", body: props(`{"email": "alice@example.com", "firstName": "Alice", "lastName": "Liddell", "password": "correct horse"}`), want: 201},
		{method: "PUT", target: "/mgmt/users/bob", body: props(`{"email": "ALICE@example.com", "firstName": "Bob", "lastName": "B"}`), want: 409},
		{method: "PATCH", target: "/mgmt/users/alice", body: props(`{"note": "Tester."}`), want: 200},
		{method: "GET", target: "/mgmt/users/alice", want: 200},
		{method: "GET", target: "/mgmt/users", want: 200},
		{method: "PUT", target: "/mgmt/groups/partners/users/alice", want: 201},
		{method: "GET", target: "/mgmt/groups/partners/users/alice", want: 200},
		{method: "GET", target: "/mgmt/groups/partners/users", want: 200},

		// Tags and the APIs and products that carry them.
		{method: "PUT", target: "/mgmt/tags/public", body: props(`{"displayName": "Public"}`), want: 201},
		{method: "PUT", target: "/mgmt/tags/public", body: props(`{"displayName": "Public"}`), header: []string{"If-None-Match", "*"}, want: 412},
		{method: "PUT", target: "/mgmt/tags/bad", body: props(`{"displayName": ""}`), want: 400, wantBody: []string{"properties.displayName"}},
		{method: "PUT", target: "/mgmt/tags/bad", body: propsOf("displayName", strings.Repeat("t", 161)), invalid: true, want: 400,
			wantBody: []string{"at most 160 characters"}},
		{method: "PATCH", target: "/mgmt/tags/public", body: props(`{"displayName": "Public APIs"}`), want: 200},
		{method: "PATCH", target: "/mgmt/tags/missing", body: props(`{}`), want: 404},
		{method: "GET", target: "/mgmt/tags/public", want: 200, wantBody: []string{`"displayName": "Public APIs"`}},
		{method: "GET", target: "/mgmt/tags/missing", want: 404},
		{method: "GET", target: "/mgmt/tags?$filter=" + filter("properties/displayName eq 'public apis'"), want: 200, wantBody: []string{`"count": 1`}},
		{method: "PUT", target: "/mgmt/apis/echo/tags/public", want: 201, wantBody: []string{`"id": "/apis/echo/tags/public"`, `"type": "apis/tags"`}},
		{method: "PUT", target: "/mgmt/apis/echo/tags/public", want: 200},
		{method: "PUT", target: "/mgmt/apis/echo/tags/missing", want: 404},
		{method: "PUT", target: "/mgmt/apis/missing/tags/public", want: 404},
		{method: "GET", target: "/mgmt/apis/echo/tags/public", want: 200},
		{method: "GET", target: "/mgmt/apis/v2/tags/public", want: 404},
		{method: "GET", target: "/mgmt/apis/echo/tags?$filter=" + filter("name eq 'public'"), want: 200, wantBody: []string{`"count": 1`}},
		{method: "GET", target: "/mgmt/apis/missing/tags", want: 404},
		{method: "DELETE", target: "/mgmt/apis/echo/tags/public", want: 200},
		{method: "DELETE", target: "/mgmt/apis/echo/tags/public", want: 204},
		{method: "PUT", target: "/mgmt/apis/echo/tags/public", want: 201},
		{method: "PUT", target: "/mgmt/products/starter/tags/public", want: 201, wantBody: []string{`"id": "/products/starter/tags/public"`, `"type": "products/tags"`}},
		{method: "PUT", target: "/mgmt/products/starter/tags/public", want: 200},
		{method: "PUT", target: "/mgmt/products/starter/tags/missing", want: 404},
		{method: "GET", target: "/mgmt/products/starter/tags/public", want: 200},
		{method: "GET", target: "/mgmt/products/starter/tags", want: 200, wantBody: []string{`"count": 1`}},
		{method: "GET", target: "/mgmt/products/missing/tags", want: 404},
		{method: "DELETE", target: "/mgmt/products/starter/tags/public", want: 200},
		{method: "DELETE", target: "/mgmt/products/starter/tags/public", want: 204},
		// Deleting a tag deletes its links; deleting an API or a product
		// deletes its tag links.
		{method: "PUT", target: "/mgmt/tags/internal", body: props(`{"displayName": "Internal"}`), want: 201},
		{method: "PUT", target: "/mgmt/products/starter/tags/internal", want: 201},
		{method: "PUT", target: "/mgmt/apis/echo/tags/internal", want: 201},
		{method: "DELETE", target: "/mgmt/tags/internal", header: []string{"If-Match", `"0"`}, want: 412},
		{method: "DELETE", target: "/mgmt/tags/internal", want: 200},
		{method: "DELETE", target: "/mgmt/tags/internal", want: 204},
		{method: "PUT", target: "/mgmt/tags/internal", body: props(`{"displayName": "Internal"}`), want: 201},
		{method: "GET", target: "/mgmt/products/starter/tags/internal", want: 404},
		{method: "GET", target: "/mgmt/apis/echo/tags/internal", want: 404},
		{method: "PUT", target: "/mgmt/apis/tagged", body: props(`{"path": "tagged"}`), want: 201},
		{method: "PUT", target: "/mgmt/apis/tagged/tags/internal", want: 201},
		{method: "DELETE", target: "/mgmt/apis/tagged", want: 200},
		{method: "PUT", target: "/mgmt/apis/tagged", body: props(`{"path": "tagged"}`), want: 201},
		{method: "GET", target: "/mgmt/apis/tagged/tags", want: 200, wantBody: []string{`"count": 0`}},
		{method: "DELETE", target: "/mgmt/apis/tagged", want: 200},
		{method: "PUT", target: "/mgmt/products/tagged", body: props(`{"displayName": "Tagged"}`), want: 201},
		{method: "PUT", target: "/mgmt/products/tagged/tags/internal", want: 201},
		{method: "DELETE", target: "/mgmt/products/tagged", want: 200},
		{method: "PUT", target: "/mgmt/products/tagged", body: props(`{"displayName": "Tagged"}`), want: 201},
		{method: "GET", target: "/mgmt/products/tagged/tags/internal", want: 404},
		{method: "DELETE", target: "/mgmt/products/tagged", want: 200},
		{method: "DELETE", target: "/mgmt/tags/internal", want: 200},

		// Subscriptions.
		{method: "PUT", target: "/mgmt/subscriptions/alice-starter", body: props(`{"displayName": "Alice on Starter", "scope": "/products/starter", "ownerId": "/users/alice", "primaryKey": "alice-primary-key-1"}`), want: 201},
		{method: "PUT", target: "/mgmt/subscriptions/echo-only", body: props(`{"displayName": "Echo only", "scope": "/apis/echo", "primaryKey": "alice-primary-key-1"}`), want: 409},
		{method: "PUT", target: "/mgmt/subscriptions/echo-only", body: props(`{"displayName": "Echo only", "scope": "/apis/missing"}`), want: 400},
		{method: "PUT", target: "/mgmt/subscriptions/echo-only", body: props(`{"displayName": "Echo only", "scope": "/apis/echo"}`), want: 201},
		{method: "PATCH", target: "/mgmt/subscriptions/alice-starter", body: props(`{"state": "suspended"}`), want: 200},
		{method: "GET", target: "/mgmt/subscriptions/alice-starter", want: 200},
		{method: "GET", target: "/mgmt/subscriptions?$filter=" + filter("properties/state eq 'suspended'"), want: 200},
		{method: "POST", target: "/mgmt/subscriptions/alice-starter/listSecrets", want: 200},
		{method: "POST", target: "/mgmt/subscriptions/missing/listSecrets", want: 404},
		{method: "POST", target: "/mgmt/subscriptions/alice-starter/regeneratePrimaryKey", want: 204},
		{method: "POST", target: "/mgmt/subscriptions/alice-starter/regenerateSecondaryKey", want: 204},
		{method: "POST", target: "/mgmt/subscriptions/missing/regenerateSecondaryKey", want: 404},
		{method: "DELETE", target: "/mgmt/products/starter", want: 409},
		{method: "DELETE", target: "/mgmt/users/alice", want: 409},
		{method: "DELETE", target: "/mgmt/products/starter?deleteSubscriptions=true", want: 200},
		{method: "DELETE", target: "/mgmt/users/alice?deleteSubscriptions=true", want: 200},
		{method: "DELETE", target: "/mgmt/users/alice", want: 204},
		{method: "DELETE", target: "/mgmt/subscriptions/echo-only", header: []string{"If-Match", `"0"`}, want: 412},
		{method: "DELETE", target: "/mgmt/subscriptions/echo-only", want: 200},

		// Named values.
		{method: "PUT", target: "/mgmt/namedValues/backend-key", body: props(`{"displayName": "backend-key", "value": "s3cr3t-value", "secret": true}`), want: 201},
		{method: "PUT", target: "/mgmt/namedValues/region", body: props(`{"displayName": "Backend-Key", "value": "eu"}`), want: 409},
		{method: "PUT", target: "/mgmt/namedValues/region", body: props(`{"displayName": "region"}`), want: 400},
		{method: "PUT", target: "/mgmt/namedValues/region", body: props(`{"displayName": "region", "value": "eu"}`), want: 201},
		{method: "PATCH", target: "/mgmt/namedValues/backend-key", body: props(`{"tags": ["backend"]}`), want: 200},
		{method: "GET", target: "/mgmt/namedValues/backend-key", want: 200},
		{method: "GET", target: "/mgmt/namedValues", want: 200},
		{method: "POST", target: "/mgmt/namedValues/backend-key/listValue", want: 200},
		{method: "POST", target: "/mgmt/namedValues/missing/listValue", want: 404},
		{method: "DELETE", target: "/mgmt/namedValues/region", want: 200},

		// Batches.
		{method: "POST", target: "/mgmt/batch?dryRun=true", body: `{"requests": [{"method": "PUT", "url": "/namedValues/zone", "body": {"properties": {"displayName": "zone", "value": "a"}}}, {"method": "GET", "url": "/namedValues/zone"}]}`, want: 200},
		{method: "POST", target: "/mgmt/batch", body: `{"requests": [{"method": "PUT", "url": "/namedValues/zone", "body": {"properties": {"displayName": "zone"}}}]}`, want: 400},
		{method: "POST", target: "/mgmt/batch", body: `{"requests": [{"method": "DELETE", "url": "/namedValues/zone"}]}`, want: 200},
		{method: "POST", target: "/mgmt/batch", body: `{"requests": [{"method": "PUT", "url": "/namedValues/zone", "headers": {"If-Match": "\"1\""}, "body": {"properties": {"displayName": "zone", "value": "a"}}}]}`, want: 412},
		{method: "POST", target: "/mgmt/batch", body: `{"requests": []}`, invalid: true, want: 400},

		// Backends.
		// Certificates.
		{method: "PUT", target: "/mgmt/certificates/client", body: propsOf("data", client.PFXBase64(t, "pfx-pw"), "password", "pfx-pw"), want: 201},
		{method: "PUT", target: "/mgmt/certificates/client", body: propsOf("data", client.PFXBase64(t, "pfx-pw"), "password", "wrong"), want: 400,
			wantBody: []string{"properties.password"}},
		{method: "PUT", target: "/mgmt/certificates/bad", body: propsOf("data", "bm90IGEgY2VydGlmaWNhdGU="), want: 400, wantBody: []string{"properties.data"}},
		{method: "PUT", target: "/mgmt/certificates/root", body: propsOf("data", client.Issuer.CertPEM()), want: 201},
		{method: "PATCH", target: "/mgmt/certificates/client", body: props(`{}`), want: 200},
		{method: "GET", target: "/mgmt/certificates/client/references", want: 200, wantBody: []string{`"count": 0`}},
		{method: "POST", target: "/mgmt/certificates/client/listSecrets", want: 200, wantBody: []string{`"certificate": "-----BEGIN CERTIFICATE-----`, `"privateKey": "-----BEGIN`}},
		{method: "POST", target: "/mgmt/certificates/missing/listSecrets", want: 404},
		{method: "PATCH", target: "/mgmt/certificates/missing", body: props(`{}`), want: 404},
		{method: "GET", target: "/mgmt/certificates/client", want: 200},
		{method: "GET", target: "/mgmt/certificates/missing", want: 404},
		{method: "GET", target: "/mgmt/certificates", want: 200},
		{method: "PUT", target: "/mgmt/backends/mtls", body: props(`{"url": "https://mtls.internal", "credentials": {"certificateIds": ["root"]}}`), want: 400},
		{method: "PUT", target: "/mgmt/backends/mtls", body: props(`{"url": "https://mtls.internal", "credentials": {"certificateIds": ["client"]}, "tls": {"validateCertificateName": false}}`), want: 201},
		{method: "DELETE", target: "/mgmt/certificates/client", want: 409, wantBody: []string{"mtls"}},
		{method: "DELETE", target: "/mgmt/backends/mtls", want: 200},
		{method: "DELETE", target: "/mgmt/certificates/client", want: 200},
		{method: "DELETE", target: "/mgmt/certificates/client", want: 204},

		{method: "PUT", target: "/mgmt/backends/orders", body: props(`{"url": "https://orders.internal:8443", "credentials": {"header": {"x-key": ["k"]}}}`), want: 201},
		{method: "PUT", target: "/mgmt/backends/pool", body: props(`{"type": "Pool", "pool": {"services": [{"id": "/backends/orders", "weight": 1, "priority": 0}]}}`), want: 201,
			wantBody: []string{`"id": "orders"`}},
		{method: "PUT", target: "/mgmt/backends/pool2", body: props(`{"type": "Pool", "pool": {"services": [{"id": "missing"}]}}`), want: 400,
			wantBody: []string{`"target": "properties.pool.services[0].id"`}},
		{method: "DELETE", target: "/mgmt/backends/orders", want: 409, wantBody: []string{"pool"}},
		{method: "DELETE", target: "/mgmt/backends/pool", want: 200},
		{method: "PUT", target: "/mgmt/backends/breaker", body: props(`{"url": "https://b.internal", "circuitBreaker": {"rules": [{"name": "r", "tripDuration": "PT1M",
			"failureCondition": {"count": 3, "interval": "PT1M", "statusCodeRanges": [{"min": 500, "max": 599}]}}]}}`), want: 201},
		{method: "DELETE", target: "/mgmt/backends/breaker", want: 200},
		{method: "PATCH", target: "/mgmt/backends/orders", body: props(`{"tls": {"validateCertificateChain": false}}`), want: 200},
		{method: "GET", target: "/mgmt/backends/orders", want: 200},
		{method: "GET", target: "/mgmt/backends", want: 200},

		// Policies and policy fragments.
		{method: "GET", target: "/mgmt/policy", want: 404},
		{method: "GET", target: "/mgmt/policy?effective=true", want: 200, wantBody: []string{"forward-request"}},
		{method: "PUT", target: "/mgmt/policyFragments/add-key", body: propsOf("value", fragment), want: 201},
		{method: "PUT", target: "/mgmt/policyFragments/bad", body: propsOf("value", `<fragment><set-header /></fragment>`), want: 400,
			wantBody: []string{`"target": "properties.value"`, "set-header"}},
		{method: "PUT", target: "/mgmt/policyFragments/bad", body: propsOf("value", `<policies />`), want: 400},
		{method: "PATCH", target: "/mgmt/policyFragments/add-key", body: props(`{"description": "Sends the backend key."}`), want: 200},
		{method: "PATCH", target: "/mgmt/policyFragments/missing", body: props(`{}`), want: 404},
		{method: "GET", target: "/mgmt/policyFragments/add-key", want: 200, wantBody: []string{`"type": "policyFragments"`, `"format": "xml"`}},
		{method: "GET", target: "/mgmt/policyFragments?$filter=" + filter("startswith(name,'add')"), want: 200, wantBody: []string{`"count": 1`}},
		{method: "PUT", target: "/mgmt/policy", body: globalPolicy, header: xmlBody("application/xml"), want: 201,
			wantBody: []string{`"id": "/policy"`, `"type": "policies"`, `"format": "rawxml"`}},
		{method: "PUT", target: "/mgmt/products/gold", body: props(`{"displayName": "Gold"}`), want: 201},
		{method: "PUT", target: "/mgmt/products/gold/policy", body: propsOf("value", productPolicy), want: 201,
			wantBody: []string{`"id": "/products/gold/policy"`, `"type": "products/policies"`, `"format": "xml"`}},
		{method: "PUT", target: "/mgmt/products/missing/policy", body: propsOf("value", productPolicy), want: 404},
		{method: "PUT", target: "/mgmt/apis/echo/policy", body: apiPolicy, header: xmlBody("text/xml"), want: 201,
			wantBody: []string{`"id": "/apis/echo/policy"`, `"name": "policy"`, `"type": "apis/policies"`}},
		{method: "PUT", target: "/mgmt/apis/Echo/policy", body: propsOf("format", "rawxml", "value", apiPolicy), header: []string{"If-Match", "*"}, want: 200},
		{method: "PUT", target: "/mgmt/apis/echo/policy", body: apiPolicy, header: []string{"Content-Type", "application/xml", "If-Match", `"0"`}, want: 412},
		{method: "PUT", target: "/mgmt/apis/echo/policy", body: apiPolicy, header: []string{"Content-Type", "application/xml", "If-None-Match", "*"}, want: 412},
		{method: "PUT", target: "/mgmt/apis/echo/policy", body: invalidPolicy, header: xmlBody("application/xml"), want: 400,
			wantBody: []string{`"target": "properties.value"`, `set-header> exists-action: \"sometimes\"`, "rate-limit-by-key"}},
		{method: "PUT", target: "/mgmt/apis/echo/policy", body: `<policies><inbound>`, header: xmlBody("application/xml"), want: 400},
		{method: "PUT", target: "/mgmt/apis/v2/policy", body: propsOf("value", `<policies><inbound><set-header name="x" exists-action="override"><value>{{nope}}</value></set-header></inbound></policies>`),
			want: 400, wantBody: []string{"named value {{nope}} does not exist"}},
		{method: "PUT", target: "/mgmt/apis/v2/policy", body: propsOf("format", "xml-link", "value", "https://example.com/policy.xml"), invalid: true, want: 400},
		{method: "PUT", target: "/mgmt/apis/missing/policy", body: apiPolicy, header: xmlBody("application/xml"), want: 404},
		{method: "PUT", target: "/mgmt/apis/echo/operations/get-item/policy", body: operationPolicy, header: xmlBody("application/vnd.ms-azure-apim.policy.raw+xml"), want: 201,
			wantBody: []string{`"id": "/apis/echo/operations/get-item/policy"`, `"type": "apis/operations/policies"`}},
		{method: "PUT", target: "/mgmt/apis/echo/operations/missing/policy", body: operationPolicy, header: xmlBody("application/xml"), want: 404},
		{method: "GET", target: "/mgmt/policy", want: 200},
		{method: "GET", target: "/mgmt/products/gold/policy", want: 200},
		{method: "GET", target: "/mgmt/products/gold/policy?effective=true", want: 200, wantBody: []string{"x-gateway", "tier"}},
		{method: "GET", target: "/mgmt/apis/echo/policy", want: 200, wantBody: []string{`"format": "rawxml"`}},
		{method: "GET", target: "/mgmt/apis/echo/policy?effective=true", want: 200, wantBody: []string{"x-gateway", "x-key", "orders"}},
		{method: "GET", target: "/mgmt/apis/echo/operations/get-item/policy", want: 200},
		{method: "GET", target: "/mgmt/apis/echo/operations/get-item/policy?effective=true&productId=gold", want: 200,
			wantBody: []string{"x-gateway", "tier", "x-key", "x-operation"}},
		{method: "GET", target: "/mgmt/apis/v2/policy", want: 404},
		{method: "GET", target: "/mgmt/apis/missing/policy?effective=true", want: 404},
		{method: "GET", target: "/mgmt/apis/echo/operations/missing/policy", want: 404},
		{method: "GET", target: "/mgmt/apis/bad%20id/policy", invalid: true, want: 400},
		{method: "GET", target: "/mgmt/policyFragments/add-key/references", want: 200, wantBody: []string{`"api": "echo"`, `"resource": "/apis/echo/policy"`}},
		{method: "GET", target: "/mgmt/namedValues/backend-key/references", want: 200, wantBody: []string{`"resource": "/policyFragments/add-key"`}},
		{method: "GET", target: "/mgmt/backends/orders/references", want: 200, wantBody: []string{`"element": "inbound/set-backend-service[1]"`}},
		// Schemas: validate-content's schema-id names one; it cannot be deleted while used.
		{method: "PUT", target: "/mgmt/schemas/address", body: props(`{"schemaType": "json", "document": {"type": "object", "required": ["city"], "properties": {"city": {"type": "string"}}}}`), want: 201},
		{method: "PUT", target: "/mgmt/schemas/bad", body: props(`{"schemaType": "json", "document": "city"}`), invalid: true, want: 400, wantBody: []string{"properties.document"}},
		{method: "PUT", target: "/mgmt/schemas/bad", body: props(`{"schemaType": "json", "document": {"$ref": "https://example.com/address.json"}}`), want: 400,
			wantBody: []string{"properties.document", "The schema cannot be used", "only references inside the schema"}},
		{method: "PUT", target: "/mgmt/schemas/soap", body: props(`{"schemaType": "xml", "value": "<xs:schema />"}`), want: 400, wantBody: []string{"not supported yet"}},
		{method: "PATCH", target: "/mgmt/schemas/address", body: props(`{"description": "A postal address."}`), want: 200},
		{method: "GET", target: "/mgmt/schemas/address", want: 200, wantBody: []string{`"schemaType": "json"`}},
		{method: "GET", target: "/mgmt/schemas", want: 200, wantBody: []string{`"count": 1`}},
		{method: "PUT", target: "/mgmt/apis/v2/policy", body: propsOf("value", validateAddress("nope")), want: 400, wantBody: []string{`schema \"nope\" does not exist`}},
		{method: "PUT", target: "/mgmt/apis/v2/policy", body: propsOf("value", validateAddress("address")), want: 201},
		{method: "GET", target: "/mgmt/schemas/address/references", want: 200, wantBody: []string{`"api": "v2"`, `"element": "inbound/validate-content[1]/content[1]"`}},
		{method: "DELETE", target: "/mgmt/schemas/address", want: 409, wantBody: []string{"API v2", `schema \"address\" does not exist`}},
		{method: "DELETE", target: "/mgmt/apis/v2/policy", want: 200},
		{method: "DELETE", target: "/mgmt/schemas/address", want: 200},
		{method: "DELETE", target: "/mgmt/policyFragments/add-key", want: 409, wantBody: []string{"API echo", "/apis/echo/policy"}},
		{method: "DELETE", target: "/mgmt/namedValues/backend-key", want: 409, wantBody: []string{"add-key"}},
		{method: "DELETE", target: "/mgmt/apis/echo/operations/get-item/policy", want: 200},
		{method: "DELETE", target: "/mgmt/apis/echo/operations/get-item/policy", want: 204},
		{method: "DELETE", target: "/mgmt/apis/echo/operations/missing/policy", want: 404},
		{method: "DELETE", target: "/mgmt/apis/echo/policy", header: []string{"If-Match", `"0"`}, want: 412},
		{method: "DELETE", target: "/mgmt/apis/echo/policy", want: 200},
		{method: "DELETE", target: "/mgmt/apis/echo/policy", want: 204},
		{method: "DELETE", target: "/mgmt/policyFragments/add-key", want: 200},
		{method: "DELETE", target: "/mgmt/policyFragments/add-key", want: 204},
		{method: "DELETE", target: "/mgmt/products/missing/policy", want: 404},
		{method: "DELETE", target: "/mgmt/policy", want: 200},
		{method: "DELETE", target: "/mgmt/policy", want: 204},
		// Deleting a product deletes its policy.
		{method: "DELETE", target: "/mgmt/products/gold", want: 200},
		{method: "PUT", target: "/mgmt/products/gold", body: props(`{"displayName": "Gold"}`), want: 201},
		{method: "GET", target: "/mgmt/products/gold/policy", want: 404},
		{method: "DELETE", target: "/mgmt/products/gold/policy", want: 204},
		{method: "DELETE", target: "/mgmt/products/gold", want: 200},

		// Gateways.
		{method: "PUT", target: "/mgmt/gateways/fra", body: props(`{"description": "Frankfurt", "locationData": {"name": "fra-1"}}`), want: 201},
		{method: "PATCH", target: "/mgmt/gateways/fra", body: props(`{"locationData": {"name": "fra-2", "city": "Frankfurt"}}`), want: 200},
		{method: "GET", target: "/mgmt/gateways/fra", want: 200},
		{method: "GET", target: "/mgmt/gateways", want: 200},
		{method: "PUT", target: "/mgmt/gateways/fra/apis/echo", want: 201},
		{method: "GET", target: "/mgmt/gateways/fra/apis/echo", want: 200},
		{method: "GET", target: "/mgmt/gateways/fra/apis", want: 200},
		{method: "PUT", target: "/mgmt/gateways/fra/federatedCredentials/aks", body: props(`{"issuer": "https://oidc.example.com/c1/", "subject": "system:serviceaccount:gatehouse:gateway"}`), want: 201},
		{method: "PUT", target: "/mgmt/gateways/fra/federatedCredentials/bad", body: props(`{"issuer": "oidc", "subject": "s"}`), want: 400},
		{method: "PUT", target: "/mgmt/gateways/missing/federatedCredentials/aks", body: props(`{"issuer": "https://oidc.example.com", "subject": "s"}`), want: 404},
		{method: "PATCH", target: "/mgmt/gateways/fra/federatedCredentials/aks", body: props(`{"description": "The AKS cluster."}`), want: 200},
		{method: "GET", target: "/mgmt/gateways/fra/federatedCredentials/aks", want: 200},
		{method: "GET", target: "/mgmt/gateways/fra/federatedCredentials", want: 200},
		{method: "DELETE", target: "/mgmt/gateways/fra/federatedCredentials/aks", want: 200},
		{method: "DELETE", target: "/mgmt/gateways/fra/federatedCredentials/aks", want: 204},
		{method: "PUT", target: "/mgmt/gateways/fra/certificateAuthorities/root", body: props(`{"isTrusted": true}`), want: 201},
		{method: "PUT", target: "/mgmt/gateways/fra/certificateAuthorities/missing", body: props(`{"isTrusted": true}`), want: 404},
		{method: "PUT", target: "/mgmt/gateways/missing/certificateAuthorities/root", body: props(`{"isTrusted": true}`), want: 404},
		{method: "PATCH", target: "/mgmt/gateways/fra/certificateAuthorities/root", body: props(`{"isTrusted": false}`), want: 200},
		{method: "GET", target: "/mgmt/gateways/fra/certificateAuthorities/root", want: 200},
		{method: "GET", target: "/mgmt/gateways/fra/certificateAuthorities", want: 200},
		{method: "DELETE", target: "/mgmt/certificates/root", want: 409, wantBody: []string{"fra"}},
		{method: "DELETE", target: "/mgmt/gateways/fra/certificateAuthorities/root", want: 200},
		{method: "DELETE", target: "/mgmt/gateways/fra/certificateAuthorities/root", want: 204},
		{method: "DELETE", target: "/mgmt/certificates/root", want: 200},
		{method: "POST", target: "/mgmt/gateways/fra/generateToken", body: `{"keyType": "primary", "expiry": "` + expiry + `"}`, want: 200},
		{method: "POST", target: "/mgmt/gateways/fra/generateToken", body: `{"keyType": "secondary"}`, invalid: true, want: 400},
		{method: "POST", target: "/mgmt/gateways/managed/generateToken", body: `{"keyType": "primary", "expiry": "` + expiry + `"}`, want: 409},
		{method: "POST", target: "/mgmt/gateways/missing/generateToken", body: `{"keyType": "primary", "expiry": "` + expiry + `"}`, want: 404},
		{method: "POST", target: "/mgmt/gateways/fra/regenerateKey", body: `{"keyType": "secondary"}`, want: 204},
		{method: "POST", target: "/mgmt/gateways/managed/regenerateKey", body: `{"keyType": "primary"}`, want: 409},
		{method: "GET", target: "/mgmt/gateways/fra/status", want: 200},
		{method: "GET", target: "/mgmt/gateways/missing/status", want: 404},
		{method: "DELETE", target: "/mgmt/gateways/managed", want: 409},
		{method: "DELETE", target: "/mgmt/groups/Administrators", want: 409},

		// Deleting an API removes what hangs on it.
		{method: "DELETE", target: "/mgmt/apis/echo", want: 200},
		{method: "GET", target: "/mgmt/gateways/fra/apis/echo", want: 404},
		{method: "DELETE", target: "/mgmt/gateways/fra/apis/echo", want: 204},
		{method: "DELETE", target: "/mgmt/products/starter/apis/echo", want: 204},
		{method: "DELETE", target: "/mgmt/groups/partners/users/alice", want: 204},
		{method: "DELETE", target: "/mgmt/apis/echo", want: 204},
		{method: "DELETE", target: "/mgmt/gateways/fra", want: 200},
		{method: "DELETE", target: "/mgmt/groups/partners", want: 200},
		{method: "DELETE", target: "/mgmt/tags/public", want: 200},
		{method: "DELETE", target: "/mgmt/namedValues/backend-key", want: 200},
		{method: "DELETE", target: "/mgmt/backends/orders", want: 200},
		{method: "DELETE", target: "/mgmt/products/starter", want: 204},
	}
	return steps
}
