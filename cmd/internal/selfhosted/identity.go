package selfhosted

import (
	"errors"
	"log/slog"

	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/internal/managedidentity"
)

// EnvIdentityClientSecret holds the identity's client secret. It has no
// flag, so that the secret never shows in a process list.
const EnvIdentityClientSecret = "GATEHOUSE_IDENTITY_CLIENT_SECRET"

// IdentitySettings configure the identity whose tokens
// authentication-managed-identity sets (see package managedidentity).
// What they leave empty comes from Azure Workload Identity's environment.
type IdentitySettings struct {
	TokenURL           string
	ClientID           string
	ClientSecret       string // from EnvIdentityClientSecret when empty
	ClientSecretFile   string
	FederatedTokenFile string
	ResourceParameter  string
}

// addFlags defines the settings' flags on f.
func (s *IdentitySettings) addFlags(f *pflag.FlagSet) {
	f.StringVar(&s.TokenURL, "identity-token-url", "", "OAuth 2.0 token endpoint of the identity behind authentication-managed-identity; default from $AZURE_TENANT_ID and $AZURE_AUTHORITY_HOST (Entra ID)")
	f.StringVar(&s.ClientID, "identity-client-id", "", "client id of that identity (a policy's client-id overrides it); default $AZURE_CLIENT_ID")
	f.StringVar(&s.ClientSecretFile, "identity-client-secret-file", "", "file holding the identity's client secret, re-read at each token fetch (or set "+EnvIdentityClientSecret+")")
	f.StringVar(&s.FederatedTokenFile, "identity-federated-token-file", "", "file holding a JWT (a projected service-account token) sent as a federated client assertion, re-read at each token fetch; default $AZURE_FEDERATED_TOKEN_FILE")
	f.StringVar(&s.ResourceParameter, "identity-resource-parameter", managedidentity.ResourceAuto, "how a policy's resource goes in the token request: auto, azure-v2 (scope={resource}/.default), scope, resource or audience; auto: azure-v2 for .../oauth2/v2.0/token URLs, else scope")
}

// provider returns the identity the settings and the environment (read
// with getenv) describe, or nil when there is none, and says which in
// log. Bad explicit settings are an error; a bad Azure environment alone
// (such as AZURE_CLIENT_ID set for the Azure CLI) only a warning.
func (s IdentitySettings) provider(log *slog.Logger, getenv func(string) string) (*managedidentity.Provider, error) {
	cfg := managedidentity.Config{TokenURL: s.TokenURL, ClientID: s.ClientID, ClientSecret: s.ClientSecret,
		ClientSecretFile: s.ClientSecretFile, FederatedTokenFile: s.FederatedTokenFile,
		ResourceParameter: s.ResourceParameter, Logger: log}
	if cfg.ClientSecret == "" {
		cfg.ClientSecret = getenv(EnvIdentityClientSecret)
	}
	explicit := cfg.TokenURL != "" || cfg.ClientID != "" || cfg.ClientSecret != "" || cfg.ClientSecretFile != "" || cfg.FederatedTokenFile != ""
	cfg = cfg.WithAzureEnvironment(getenv)
	source := "gatehouse settings"
	if !explicit {
		source = "azure workload identity environment"
	}
	if !cfg.Configured() {
		if explicit {
			return nil, errors.New("managed identity: --identity-token-url is required with the other identity settings (or AZURE_TENANT_ID for Entra ID)")
		}
		log.Info("managed identity: none configured; authentication-managed-identity policies fail until --identity-token-url or AZURE_TENANT_ID and AZURE_CLIENT_ID are set")
		return nil, nil
	}
	p, err := managedidentity.New(cfg)
	switch {
	case err != nil && explicit:
		return nil, err
	case err != nil:
		log.Warn("managed identity: the Azure environment does not make one; authentication-managed-identity policies will fail", "err", err)
		return nil, nil
	}
	log.Info("managed identity for authentication-managed-identity", "source", source, "identity", p)
	return p, nil
}
