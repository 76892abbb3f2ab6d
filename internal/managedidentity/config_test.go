package managedidentity_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/managedidentity"
	"github.com/gatehouse/gatehouse/internal/oauthtest"
)

func TestManagedIdentityAzureEnvironment(t *testing.T) {
	env := map[string]string{
		"AZURE_CLIENT_ID":            clientID,
		"AZURE_TENANT_ID":            "72f988bf-86f1-41af-91ab-2d7cd011db47",
		"AZURE_FEDERATED_TOKEN_FILE": "/var/run/secrets/azure/tokens/azure-identity-token",
	}
	getenv := func(k string) string { return env[k] }
	got := managedidentity.Config{}.WithAzureEnvironment(getenv)
	want := managedidentity.Config{TokenURL: "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token",
		ClientID: clientID, FederatedTokenFile: env["AZURE_FEDERATED_TOKEN_FILE"]}
	if got.TokenURL != want.TokenURL || got.ClientID != want.ClientID || got.FederatedTokenFile != want.FederatedTokenFile {
		t.Errorf("from the environment: %+v, want %+v", got, want)
	}

	env["AZURE_AUTHORITY_HOST"] = "https://login.microsoftonline.us/"
	if got := (managedidentity.Config{}).WithAzureEnvironment(getenv); !strings.HasPrefix(got.TokenURL, "https://login.microsoftonline.us/72f9") {
		t.Errorf("authority host: token URL %q", got.TokenURL)
	}

	// Explicit settings win, and a client secret keeps the federated
	// token file out.
	explicit := managedidentity.Config{TokenURL: "https://idp.example.com/token", ClientID: "gw", ClientSecretFile: "/etc/gw/secret"}
	got = explicit.WithAzureEnvironment(getenv)
	if got.TokenURL != explicit.TokenURL || got.ClientID != "gw" || got.FederatedTokenFile != "" {
		t.Errorf("explicit settings: %+v", got)
	}
	if (managedidentity.Config{}).WithAzureEnvironment(func(string) string { return "" }).Configured() {
		t.Error("an empty environment configures an identity")
	}
}

func TestManagedIdentityConfigErrors(t *testing.T) {
	tests := []struct {
		cfg  managedidentity.Config
		want string
	}{
		{managedidentity.Config{TokenURL: "idp.example.com/token", ClientSecret: "x"}, "not an absolute http or https URL"},
		{managedidentity.Config{TokenURL: "https://idp.example.com/token"}, "no client credential"},
		{managedidentity.Config{TokenURL: "https://idp.example.com/token", ClientSecret: "x", FederatedTokenFile: "/f"}, "only one of"},
		{managedidentity.Config{TokenURL: "https://idp.example.com/token", ClientSecret: "x", ResourceParameter: "body"}, `resource parameter "body"`},
	}
	for _, tt := range tests {
		if _, err := managedidentity.New(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%+v): err %v, want %q", tt.cfg, err, tt.want)
		}
	}
}

func TestManagedIdentityResourceParameters(t *testing.T) {
	ep := oauthtest.NewEndpoint(t)
	tests := []struct {
		param, url, resource string
		want                 oauthtest.Request
	}{
		{"", "/tenant-1/oauth2/v2.0/token", "https://management.azure.com/", oauthtest.Request{Scope: "https://management.azure.com/.default"}},
		{"", "/tenant-1/oauth2/v2.0/token", "api://orders/.default", oauthtest.Request{Scope: "api://orders/.default"}},
		{"", "/realms/apps/protocol/openid-connect/token", "orders", oauthtest.Request{Scope: "orders"}},
		{"azure-v2", "/token", "api://orders", oauthtest.Request{Scope: "api://orders/.default"}},
		{"scope", "/tenant-1/oauth2/v2.0/token", "orders.read orders.write", oauthtest.Request{Scope: "orders.read orders.write"}},
		{"resource", "/tenant-1/oauth2/token", "https://orders.example.com", oauthtest.Request{Resource: "https://orders.example.com"}},
		{"audience", "/oauth/token", "https://orders.example.com", oauthtest.Request{Audience: "https://orders.example.com"}},
	}
	for i, tt := range tests {
		p := newProvider(t, ep, newClock(), nil, func(c *managedidentity.Config) {
			c.ResourceParameter, c.TokenURL = tt.param, ep.Base+tt.url
		})
		if _, err := p.Token(context.Background(), "", tt.resource); err != nil {
			t.Fatalf("%s %s: %v", tt.param, tt.url, err)
		}
		got := ep.Requests()[i]
		if got.Scope != tt.want.Scope || got.Resource != tt.want.Resource || got.Audience != tt.want.Audience || got.Path != tt.url {
			t.Errorf("%q %s %s: request %+v, want %+v", tt.param, tt.url, tt.resource, got, tt.want)
		}
	}
}

func TestManagedIdentityLogValueHasNoSecret(t *testing.T) {
	ep := oauthtest.NewEndpoint(t)
	logs := &syncBuffer{}
	p := newProvider(t, ep, newClock(), nil)
	slog.New(slog.NewJSONHandler(logs, nil)).Info("managed identity", "identity", p)
	s := logs.String()
	for _, want := range []string{ep.URL, clientID, `"credential":"client secret"`, `"resource_parameter":"azure-v2"`} {
		if !strings.Contains(s, want) {
			t.Errorf("log line lacks %s: %s", want, s)
		}
	}
	if strings.Contains(s, secret) {
		t.Errorf("log line carries the secret: %s", s)
	}
}
