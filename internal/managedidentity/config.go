package managedidentity

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// How a policy's resource goes into the token request (Config.ResourceParameter).
const (
	// ResourceAuto is ResourceAzureV2 for a token URL whose path ends in
	// /oauth2/v2.0/token (Microsoft Entra ID), else ResourceScope.
	ResourceAuto = "auto"
	// ResourceAzureV2 sends scope={resource}/.default, as Entra ID's v2
	// endpoint wants (a resource ending in "/" gets ".default" only).
	ResourceAzureV2 = "azure-v2"
	// ResourceScope sends scope={resource}.
	ResourceScope = "scope"
	// ResourceIndicator sends resource={resource} (RFC 8707; Entra ID's
	// v1 endpoint).
	ResourceIndicator = "resource"
	// ResourceAudience sends audience={resource} (Auth0, Keycloak's token
	// exchange and others).
	ResourceAudience = "audience"
)

// Azure Workload Identity's environment variables.
const (
	EnvAzureClientID           = "AZURE_CLIENT_ID"
	EnvAzureTenantID           = "AZURE_TENANT_ID"
	EnvAzureFederatedTokenFile = "AZURE_FEDERATED_TOKEN_FILE"
	EnvAzureAuthorityHost      = "AZURE_AUTHORITY_HOST"
)

// DefaultAuthorityHost is Entra ID's public-cloud authority, used when
// AZURE_AUTHORITY_HOST is not set.
const DefaultAuthorityHost = "https://login.microsoftonline.com/"

// Defaults of a Config's zero fields.
const (
	// DefaultFetchTimeout bounds one token request.
	DefaultFetchTimeout = 10 * time.Second
	// DefaultFailureMemo is how long a failed fetch is remembered: calls
	// for the same key meanwhile get its error without a request.
	DefaultFailureMemo = 5 * time.Second
	// DefaultLifetime is assumed for a token whose response has no
	// expires_in.
	DefaultLifetime = 5 * time.Minute
)

// Config configures a Provider. TokenURL, and one of ClientSecret,
// ClientSecretFile and FederatedTokenFile, are required.
type Config struct {
	// TokenURL is the OAuth 2.0 token endpoint, an absolute http(s) URL.
	TokenURL string
	// ClientID is the client id of tokens for which a policy names none.
	// Empty: a policy must name one (client-id).
	ClientID string
	// ClientSecret authenticates the client (client_secret_post).
	ClientSecret string
	// ClientSecretFile holds the client secret; it is read at every
	// fetch, so a rotated secret is picked up.
	ClientSecretFile string
	// FederatedTokenFile holds a JWT that authenticates the client as a
	// client assertion (client_assertion_type
	// urn:ietf:params:oauth:client-assertion-type:jwt-bearer), such as a
	// projected Kubernetes service-account token. It is read at every
	// fetch, as the kubelet rotates it.
	FederatedTokenFile string
	// ResourceParameter is one of the Resource* constants. Empty:
	// ResourceAuto.
	ResourceParameter string

	// HTTPClient sends token requests. Nil: http.DefaultClient.
	HTTPClient *http.Client
	// Logger receives failed fetches (without secrets). Nil: discard.
	Logger *slog.Logger
	// Now is the clock. Nil: time.Now.
	Now func() time.Time
	// FetchTimeout bounds one token request. 0: DefaultFetchTimeout.
	FetchTimeout time.Duration
	// FailureMemo is how long a failed fetch is remembered. 0:
	// DefaultFailureMemo.
	FailureMemo time.Duration
}

// Configured reports whether c names a token endpoint, that is whether a
// Provider should be made from it.
func (c Config) Configured() bool { return c.TokenURL != "" }

// WithAzureEnvironment returns c with the fields it leaves empty taken
// from Azure Workload Identity's environment, read with getenv: TokenURL
// {AZURE_AUTHORITY_HOST}{AZURE_TENANT_ID}/oauth2/v2.0/token, ClientID
// AZURE_CLIENT_ID and, when c has no client secret, FederatedTokenFile
// AZURE_FEDERATED_TOKEN_FILE.
func (c Config) WithAzureEnvironment(getenv func(string) string) Config {
	if c.TokenURL == "" {
		if tenant := strings.TrimSpace(getenv(EnvAzureTenantID)); tenant != "" {
			host := getenv(EnvAzureAuthorityHost)
			if host == "" {
				host = DefaultAuthorityHost
			}
			c.TokenURL = strings.TrimRight(host, "/") + "/" + url.PathEscape(tenant) + "/oauth2/v2.0/token"
		}
	}
	if c.ClientID == "" {
		c.ClientID = getenv(EnvAzureClientID)
	}
	if c.ClientSecret == "" && c.ClientSecretFile == "" && c.FederatedTokenFile == "" {
		c.FederatedTokenFile = getenv(EnvAzureFederatedTokenFile)
	}
	return c
}

// validate checks c and returns the resource parameter to use.
func (c Config) validate() (string, error) {
	u, err := url.Parse(c.TokenURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("managed identity: token URL %q is not an absolute http or https URL", c.TokenURL)
	}
	creds := 0
	for _, s := range []string{c.ClientSecret, c.ClientSecretFile, c.FederatedTokenFile} {
		if s != "" {
			creds++
		}
	}
	switch {
	case creds == 0:
		return "", errors.New("managed identity: no client credential: give a client secret, a client secret file or a federated token file")
	case creds > 1:
		return "", errors.New("managed identity: give only one of a client secret, a client secret file and a federated token file")
	}
	param := c.ResourceParameter
	switch param {
	case "", ResourceAuto:
		param = ResourceScope
		if strings.HasSuffix(strings.TrimRight(u.Path, "/"), "/oauth2/v2.0/token") {
			param = ResourceAzureV2
		}
	case ResourceAzureV2, ResourceScope, ResourceIndicator, ResourceAudience:
	default:
		return "", fmt.Errorf("managed identity: resource parameter %q: want %s, %s, %s, %s or %s",
			param, ResourceAuto, ResourceAzureV2, ResourceScope, ResourceIndicator, ResourceAudience)
	}
	return param, nil
}

// credential names the kind of client credential, for logs.
func (c Config) credential() string {
	switch {
	case c.FederatedTokenFile != "":
		return "federated token file " + c.FederatedTokenFile
	case c.ClientSecretFile != "":
		return "client secret file " + c.ClientSecretFile
	default:
		return "client secret"
	}
}

// AzureScope returns the Entra ID v2 scope of resource: resource +
// "/.default", or resource + ".default" when it ends in "/" (as the Azure
// CLI does), or resource when it already ends in "/.default".
func AzureScope(resource string) string {
	switch {
	case strings.HasSuffix(resource, "/.default"):
		return resource
	case strings.HasSuffix(resource, "/"):
		return resource + ".default"
	default:
		return resource + "/.default"
	}
}
