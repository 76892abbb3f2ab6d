package model

import (
	"strings"
	"testing"
)

func TestBackendProxyValidation(t *testing.T) {
	tests := []struct {
		name  string
		proxy BackendProxy
		want  string // "" valid; else in the error
	}{
		{"host and port", BackendProxy{URL: "http://proxy.corp:3128"}, ""},
		{"credentials", BackendProxy{URL: "http://10.0.0.1:8080", Username: "gw", Password: "{{proxy-password}}"}, ""},
		{"named value url", BackendProxy{URL: "{{proxy-url}}"}, ""},
		{"missing url", BackendProxy{Username: "gw"}, "proxy.url: is required"},
		{"https", BackendProxy{URL: "https://proxy:8443"}, "only http:// proxies"},
		{"not a URL", BackendProxy{URL: "proxy:3128"}, "want http://host:port"},
		{"credentials in the url", BackendProxy{URL: "http://u:secret@proxy:3128"}, "without credentials"},
		{"password without user", BackendProxy{URL: "http://proxy:3128", Password: "p"}, "proxy.username"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.proxy
			b := &Backend{URL: "http://orders", Protocol: "http", Type: "Single", Proxy: &p}
			err := b.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate: %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
}
