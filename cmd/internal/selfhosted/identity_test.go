package selfhosted

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestManagedIdentitySettings(t *testing.T) {
	azure := map[string]string{"AZURE_CLIENT_ID": "c1", "AZURE_TENANT_ID": "t1", "AZURE_FEDERATED_TOKEN_FILE": "/var/run/secrets/azure/tokens/azure-identity-token"}
	tests := []struct {
		name     string
		settings IdentitySettings
		env      map[string]string
		wantErr  string // "": no error
		wantNil  bool
		wantLog  string
	}{
		{name: "nothing", wantNil: true, wantLog: "managed identity: none configured"},
		{name: "azure workload identity", env: azure, wantLog: `source="azure workload identity environment"`},
		{name: "secret from the environment", settings: IdentitySettings{TokenURL: "https://idp.example.com/token", ClientID: "gw"},
			env: map[string]string{EnvIdentityClientSecret: "hunter2"}, wantLog: "credential=\"client secret\""},
		{name: "explicit without a URL", settings: IdentitySettings{ClientID: "gw", ClientSecretFile: "/s"}, wantErr: "--identity-token-url is required"},
		{name: "explicit without a credential", settings: IdentitySettings{TokenURL: "https://idp.example.com/token", ClientID: "gw"}, wantErr: "no client credential"},
		{name: "explicit bad parameter", settings: IdentitySettings{TokenURL: "https://idp.example.com/token", ClientSecretFile: "/s", ResourceParameter: "x"}, wantErr: `resource parameter "x"`},
		// The Azure CLI's variables alone make no identity, and do not
		// stop the gateway.
		{name: "azure cli variables", env: map[string]string{"AZURE_CLIENT_ID": "c1", "AZURE_TENANT_ID": "t1"}, wantNil: true, wantLog: "the Azure environment does not make one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			p, err := tt.settings.provider(log, func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (p == nil) != tt.wantNil {
				t.Errorf("provider %v, want nil: %v", p, tt.wantNil)
			}
			if !strings.Contains(logs.String(), tt.wantLog) || strings.Contains(logs.String(), "hunter2") {
				t.Errorf("log %q: want %q and no secret", logs.String(), tt.wantLog)
			}
		})
	}
}
