package selfhosted

import (
	"testing"
)

func TestAPIMEnvironment(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		changed map[string]bool
		want    Config
	}{
		{
			name: "token, as in APIM's ConfigMap",
			env:  map[string]string{"config.service.endpoint": "https://plane:8090", "config.service.auth": "GatewayKey edge&202601010000&sig", "gateway.name": "edge"},
			want: Config{ConfigEndpoint: "https://plane:8090", GatewayID: "edge", Auth: AuthToken, Token: "GatewayKey edge&202601010000&sig"},
		},
		{
			name: "workload identity",
			env:  map[string]string{"config.service.endpoint": "https://plane:8090", "config.service.auth": "workloadIdentity", "gateway.name": "edge"},
			want: Config{ConfigEndpoint: "https://plane:8090", GatewayID: "edge", Auth: AuthWorkloadIdentity},
		},
		{
			name:    "flags win",
			env:     map[string]string{"config.service.endpoint": "https://plane:8090", "gateway.name": "edge"},
			changed: map[string]bool{"config-endpoint": true},
			want:    Config{ConfigEndpoint: "from-flag", GatewayID: "edge", Auth: AuthToken},
		},
		{
			name: "GATEHOUSE_ variables win",
			env:  map[string]string{"config.service.auth": "workloadIdentity", "GATEHOUSE_AUTH": "token"},
			want: Config{ConfigEndpoint: "from-flag", Auth: AuthToken},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			cfg := Config{ConfigEndpoint: "from-flag", Auth: AuthToken}
			applyAPIMEnvironment(&cfg, func(f string) bool { return tt.changed[f] })
			if cfg.ConfigEndpoint != tt.want.ConfigEndpoint || cfg.GatewayID != tt.want.GatewayID || cfg.Auth != tt.want.Auth || cfg.Token != tt.want.Token {
				t.Errorf("got %+v, want %+v", cfg, tt.want)
			}
		})
	}
}
