package builtin

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/managedidentity"
	"github.com/gatehouse/gatehouse/internal/oauthtest"
	"github.com/gatehouse/gatehouse/internal/policy"
)

const (
	miClient = "11111111-aaaa-4bbb-8ccc-000000000001"
	miOther  = "22222222-aaaa-4bbb-8ccc-000000000002"
	miSecret = "s3cret-value-never-shown"
	miVault  = "https://vault.azure.net"
)

// miTest is a policy document compiled with a real identity provider
// whose token endpoint runs on loopback.
type miTest struct {
	t    *testing.T
	ep   *oauthtest.Endpoint
	pipe *policy.Pipeline
}

func newMITest(t *testing.T, doc string) *miTest {
	t.Helper()
	ep := oauthtest.NewEndpoint(t)
	ep.AddClient(miClient, miSecret)
	ep.AddClient(miOther, miSecret)
	p, err := managedidentity.New(managedidentity.Config{TokenURL: ep.URL, ClientID: miClient, ClientSecret: miSecret})
	if err != nil {
		t.Fatal(err)
	}
	r := policy.NewRegistry()
	Register(r, Deps{ManagedIdentity: p})
	return &miTest{t: t, ep: ep, pipe: miCompile(t, r, doc)}
}

func miCompile(t *testing.T, r *policy.Registry, doc string) *policy.Pipeline {
	t.Helper()
	d, err := policy.ParseIn(doc, policy.Env{})
	if err != nil {
		t.Fatal(err)
	}
	eff, err := policy.Merge(nil, d)
	if err != nil {
		t.Fatal(err)
	}
	pipe, err := r.Compile(eff, policy.Env{})
	if err != nil {
		t.Fatal(err)
	}
	return pipe
}

// miRun runs inbound on a request carrying the client's own
// Authorization header and, when it fails, on-error as the gateway does.
func miRun(t *testing.T, pipe *policy.Pipeline) (*policy.Context, error) {
	t.Helper()
	backend, _ := url.Parse("http://backend.local/")
	c := &policy.Context{
		Context: expr.Context{
			Request:   &expr.Request{Method: "GET", Headers: http.Header{"Authorization": {"Bearer client-token"}}, URL: &expr.URL{Scheme: "https", Host: "gw", Port: 443, Path: "/x"}},
			Variables: map[string]any{},
		},
		Ctx: context.Background(), Backend: backend, Path: "/x",
	}
	err := pipe.Run(policy.Inbound, c)
	if err != nil {
		if herr := pipe.HandleError(policy.Inbound, c, err); herr != nil {
			t.Fatalf("on-error: %v", herr)
		}
	}
	return c, err
}

func TestManagedIdentitySetsAuthorization(t *testing.T) {
	mt := newMITest(t, inbound(`<authentication-managed-identity resource="@(&quot;https://vault&quot; + &quot;.azure.net&quot;)" />`))
	for range 10 {
		c, err := miRun(t, mt.pipe)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := c.Request.Headers.Get("Authorization"), "Bearer "+oauthtest.Token(1, miClient, miVault+"/.default"); got != want {
			t.Fatalf("Authorization %q, want %q", got, want)
		}
	}
	if n := mt.ep.Calls(); n != 1 {
		t.Errorf("10 requests made %d token requests, want 1", n)
	}
}

func TestManagedIdentityOutputVariableAndClientID(t *testing.T) {
	mt := newMITest(t, inbound(`<authentication-managed-identity resource="api://orders" client-id="`+miOther+`" output-token-variable-name="msi-token" />`))
	c, err := miRun(t, mt.pipe)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Variables["msi-token"], oauthtest.Token(1, miOther, "api://orders/.default"); got != want {
		t.Errorf("variable msi-token = %v, want %q", got, want)
	}
	if got := c.Request.Headers.Get("Authorization"); got != "Bearer client-token" {
		t.Errorf("with an output variable the Authorization header changed to %q", got)
	}
	if r := mt.ep.Requests()[0]; r.ClientID != miOther {
		t.Errorf("token requested for client %q, want the policy's %q", r.ClientID, miOther)
	}
}

func TestManagedIdentityFailureRunsOnError(t *testing.T) {
	doc := `<policies><inbound><authentication-managed-identity resource="` + miVault + `" /></inbound>` +
		`<on-error><set-variable name="source" value="@(context.LastError.Source)" /><set-variable name="message" value="@(context.LastError.Message)" /></on-error></policies>`
	mt := newMITest(t, doc)
	mt.ep.Fail(http.StatusInternalServerError)
	c, err := miRun(t, mt.pipe)
	if err == nil {
		t.Fatal("a failed token fetch did not fail the element")
	}
	if c.Variables["source"] != "authentication-managed-identity" {
		t.Errorf("context.LastError.Source = %v", c.Variables["source"])
	}
	msg, _ := c.Variables["message"].(string)
	if !strings.Contains(msg, "500") || strings.Contains(msg, miSecret) {
		t.Errorf("context.LastError.Message = %q: want the endpoint's status, never the secret", msg)
	}
	if got := c.Request.Headers.Get("Authorization"); got != "Bearer client-token" {
		t.Errorf("Authorization changed to %q", got)
	}
}

func TestManagedIdentityIgnoreError(t *testing.T) {
	mt := newMITest(t, inbound(`<authentication-managed-identity resource="`+miVault+`" ignore-error="true" /><set-header name="X-After"><value>ran</value></set-header>`))
	mt.ep.Fail(http.StatusInternalServerError)
	c, err := miRun(t, mt.pipe)
	if err != nil {
		t.Fatalf("ignore-error=true: %v", err)
	}
	if c.Request.Headers.Get("X-After") != "ran" || c.Request.Headers.Get("Authorization") != "Bearer client-token" {
		t.Errorf("headers %v: want the pipeline to go on without a token", c.Request.Headers)
	}
}

func TestManagedIdentityNotConfigured(t *testing.T) {
	// NewRegistry has no identity: the element compiles (an imported APIM
	// policy can be stored) and fails when it runs.
	doc := `<policies><inbound><authentication-managed-identity resource="` + miVault + `" /></inbound>` +
		`<on-error><set-variable name="source" value="@(context.LastError.Source)" /></on-error></policies>`
	c, err := miRun(t, miCompile(t, NewRegistry(), doc))
	if err == nil || !strings.Contains(err.Error(), "no managed identity is configured") {
		t.Fatalf("err %v", err)
	}
	if c.Variables["source"] != "authentication-managed-identity" {
		t.Errorf("context.LastError.Source = %v", c.Variables["source"])
	}
	c, err = miRun(t, miCompile(t, NewRegistry(), inbound(`<authentication-managed-identity resource="x" ignore-error="true" />`)))
	if err != nil || c.Request.Headers.Get("Authorization") != "Bearer client-token" {
		t.Errorf("ignore-error without an identity: err %v, headers %v", err, c.Request.Headers)
	}
}

func TestManagedIdentityCompileErrors(t *testing.T) {
	tests := []struct{ doc, want string }{
		{inbound(`<authentication-managed-identity />`), "attribute resource is required"},
		{inbound(`<authentication-managed-identity resource="x" scope="y" />`), "scope: unknown attribute"},
		{inbound(`<authentication-managed-identity resource="x" ignore-error="maybe" />`), `"maybe": want true or false`},
		{inbound(`<authentication-managed-identity resource="x" client-id="@(&quot;a&quot;)" />`), "client-id"},
		{`<policies><outbound><authentication-managed-identity resource="x" /></outbound></policies>`, "belongs in the inbound section"},
	}
	for _, tt := range tests {
		d, err := policy.ParseIn(tt.doc, policy.Env{})
		if err == nil {
			var eff *policy.Document
			if eff, err = policy.Merge(nil, d); err == nil {
				_, err = NewRegistry().Compile(eff, policy.Env{})
			}
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.doc, err, tt.want)
		}
	}
}

// TestManagedIdentityInSendRequest: inside send-request the element puts
// the identity's token on the side request only.
func TestManagedIdentityInSendRequest(t *testing.T) {
	var seen atomic.Value
	side := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Store(r.Header.Get("Authorization"))
	}))
	defer side.Close()
	mt := newMITest(t, inbound(`<send-request mode="new" response-variable-name="r"><set-url>`+side.URL+`</set-url>`+
		`<authentication-managed-identity resource="api://audit" /></send-request>`))
	c, err := miRun(t, mt.pipe)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := seen.Load(), "Bearer "+oauthtest.Token(1, miClient, "api://audit/.default"); got != want {
		t.Errorf("the side request carried Authorization %v, want %q", got, want)
	}
	if got := c.Request.Headers.Get("Authorization"); got != "Bearer client-token" {
		t.Errorf("the request's own Authorization changed to %q", got)
	}
	ignoring := newMITest(t, inbound(`<send-request mode="new" response-variable-name="r"><set-url>`+side.URL+`</set-url>`+
		`<authentication-managed-identity resource="api://audit" ignore-error="true" /></send-request>`))
	ignoring.ep.Fail(http.StatusInternalServerError)
	seen.Store("")
	if _, err := miRun(t, ignoring.pipe); err != nil || seen.Load() != "" {
		t.Errorf("ignore-error: %v, Authorization %v; want the request sent without a token", err, seen.Load())
	}
}
