package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/oauthtest"
)

const (
	miClientID = "11111111-aaaa-4bbb-8ccc-000000000001"
	miOtherID  = "22222222-aaaa-4bbb-8ccc-000000000002"
)

// miAPI creates an API at path, without subscription keys, whose policy
// has inbound elements, and waits until the gateway serves it. The
// operation comes last, so the policy is live once the operation is.
func miAPI(t *testing.T, in *instance, backend, path, inbound string) {
	t.Helper()
	in.must("PUT", "/apis/"+path, `{"properties":{"displayName":"x","path":"`+path+`","serviceUrl":"`+backend+`","subscriptionRequired":false}}`)
	putDocument(t, in, "/apis/"+path+"/policy", "", `<policies><inbound><base />`+inbound+`</inbound>`+
		`<backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`)
	in.must("PUT", "/apis/"+path+"/operations/all", `{"properties":{"method":"GET","urlTemplate":"/*"}}`)
	eventually(t, 10*time.Second, "API "+path+" live", func() bool {
		return in.call("GET", "/"+path+"/probe").status != http.StatusNotFound
	})
}

// TestManagedIdentityWorkloadIdentity runs serve in Azure Workload
// Identity's environment: the gateway exchanges the projected
// service-account token at the (loopback) Entra ID token endpoint, and
// the backend sees the access token.
func TestManagedIdentityWorkloadIdentity(t *testing.T) {
	ep := oauthtest.NewEndpoint(t)
	const assertion = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6Z2F0ZWhvdXNlOmd3In0.sig"
	tokenFile := filepath.Join(t.TempDir(), "azure-identity-token")
	if err := os.WriteFile(tokenFile, []byte(assertion), 0o600); err != nil {
		t.Fatal(err)
	}
	ep.SetAssertion(miClientID, assertion)
	ep.SetAssertion(miOtherID, assertion)
	t.Setenv("AZURE_CLIENT_ID", miClientID)
	t.Setenv("AZURE_TENANT_ID", ep.Tenant)
	t.Setenv("AZURE_AUTHORITY_HOST", ep.Base+"/")
	t.Setenv("AZURE_FEDERATED_TOKEN_FILE", tokenFile)
	t.Setenv("GATEHOUSE_IDENTITY_CLIENT_SECRET", "")

	backend := newBackend(t)
	in := startServe(t, t.TempDir(), "")
	miAPI(t, in, backend.URL, "orders", `<authentication-managed-identity resource="api://orders" />`)
	miAPI(t, in, backend.URL, "reports", `<authentication-managed-identity resource="api://reports" client-id="`+miOtherID+`" output-token-variable-name="tok" />`+
		`<set-header name="X-Report-Token"><value>@((string)context.Variables["tok"])</value></set-header>`)
	miAPI(t, in, backend.URL, "broken", `<authentication-managed-identity resource="api://broken" client-id="33333333-unknown" />`)
	miAPI(t, in, backend.URL, "lenient", `<authentication-managed-identity resource="api://broken" client-id="33333333-unknown" ignore-error="true" />`)

	for range 5 {
		s := decodeSeen(t, in.call("GET", "/orders/items/1", "Authorization: Bearer from-the-client"))
		if got, want := s.Header.Get("Authorization"), "Bearer "+oauthtest.Token(1, miClientID, "api://orders/.default"); got != want {
			t.Fatalf("backend saw Authorization %q, want %q", got, want)
		}
	}
	s := decodeSeen(t, in.call("GET", "/reports/x"))
	if got, want := s.Header.Get("X-Report-Token"), oauthtest.Token(2, miOtherID, "api://reports/.default"); got != want || s.Header.Get("Authorization") != "" {
		t.Errorf("output variable: backend saw X-Report-Token %q (want %q), Authorization %q", got, want, s.Header.Get("Authorization"))
	}
	good := 0
	for _, r := range ep.Requests() {
		if r.ClientID == miClientID || r.ClientID == miOtherID {
			good++
		}
		if !r.Assertion || r.Secret || r.Path != "/"+ep.Tenant+"/oauth2/v2.0/token" {
			t.Errorf("token request %+v: want a federated assertion at Entra ID's v2 path", r)
		}
	}
	if good != 2 {
		t.Errorf("requests for two resources made %d token requests, want 2", good)
	}

	if r := in.call("GET", "/broken/x"); r.status != http.StatusInternalServerError {
		t.Errorf("a failed token fetch: %d %s, want 500", r.status, r.body)
	}
	if s := decodeSeen(t, in.call("GET", "/lenient/x", "Authorization: Bearer from-the-client")); s.Header.Get("Authorization") != "Bearer from-the-client" {
		t.Errorf("ignore-error: backend saw Authorization %q", s.Header.Get("Authorization"))
	}
	logs := in.logs.String()
	if !strings.Contains(logs, `"source":"azure workload identity environment"`) || !strings.Contains(logs, tokenFile) {
		t.Errorf("no startup line naming the identity settings:\n%s", logs)
	}
	if !strings.Contains(logs, "token fetch failed") || strings.Contains(logs, assertion) || strings.Contains(logs, "at-1.") {
		t.Errorf("logs: want the failed fetch, never the assertion or a token:\n%s", logs)
	}
}

// TestManagedIdentityExplicitSettings runs serve with Gatehouse's own
// identity settings against a non-Azure token endpoint: the resource goes
// as the scope, the secret comes from a file.
func TestManagedIdentityExplicitSettings(t *testing.T) {
	ep := oauthtest.NewEndpoint(t)
	const secret = "gw-client-secret-from-a-file"
	ep.AddClient("gatehouse-gw", secret)
	secretFile := filepath.Join(t.TempDir(), "client-secret")
	if err := os.WriteFile(secretFile, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	backend := newBackend(t)
	in := startServe(t, t.TempDir(), "", func(c *serveConfig) {
		c.Identity.TokenURL = ep.Base + "/realms/apps/protocol/openid-connect/token"
		c.Identity.ClientID = "gatehouse-gw"
		c.Identity.ClientSecretFile = secretFile
		c.Identity.ResourceParameter = "auto"
	})
	miAPI(t, in, backend.URL, "orders", `<authentication-managed-identity resource="orders.read" />`)
	s := decodeSeen(t, in.call("GET", "/orders/x"))
	if got, want := s.Header.Get("Authorization"), "Bearer "+oauthtest.Token(1, "gatehouse-gw", "orders.read"); got != want {
		t.Errorf("backend saw Authorization %q, want %q", got, want)
	}
	if r := ep.Requests(); len(r) != 1 || !r[0].Secret || r[0].Scope != "orders.read" {
		t.Errorf("token requests %+v", r)
	}
	if logs := in.logs.String(); !strings.Contains(logs, `"source":"gatehouse settings"`) || strings.Contains(logs, secret) {
		t.Errorf("logs: want the settings line, never the secret:\n%s", logs)
	}
}
