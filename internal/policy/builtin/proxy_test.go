package builtin

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/policy"
)

func TestProxyCompile(t *testing.T) {
	checkCompileErrors(t, []compileErrorCase{
		{"url required", inbound(`<proxy username="u" />`), "<proxy>: attribute url is required"},
		{"https proxy", inbound(`<proxy url="https://proxy:8443" />`), "only http:// proxies are supported"},
		{"credentials in the url", inbound(`<proxy url="http://u:p@proxy:8080" />`), "without credentials, path or query"},
		{"not inbound", `<policies><outbound><proxy url="http://proxy:8080" /></outbound></policies>`, "<proxy>: belongs in inbound"},
		{"unknown attribute", inbound(`<proxy url="http://proxy:8080" domain="x" />`), "domain: unknown attribute"},
	})
}

func TestProxyRun(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"literal", inbound(`<proxy url="http://proxy.internal:3128" username="gw" password="{{env}}" />`), "http://gw:prod@proxy.internal:3128"},
		{"no credentials", inbound(`<proxy url="http://10.0.0.1:8080" />`), "http://10.0.0.1:8080"},
		{"expressions", inbound(`<proxy url="@("http://proxy-" + context.Request.Headers.GetValueOrDefault("X-In", "") + ":8080")" username="@("u" + "1")" password="p" />`), "http://u1:p@proxy-1:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := run(t, tt.doc, nil)
			if c.Proxy == nil || c.Proxy.String() != tt.want {
				t.Errorf("context proxy %v, want %s", c.Proxy, tt.want)
			}
		})
	}
	// An expression making a bad URL fails the element.
	d, _ := policy.ParseIn(inbound(`<proxy url="@("ftp://" + "x")" />`), policy.Env{})
	eff, _ := policy.Merge(nil, d)
	p, err := NewRegistry().Compile(eff, policy.Env{})
	if err != nil {
		t.Fatal(err)
	}
	c := &policy.Context{}
	if err := p.Run(policy.Inbound, c); err == nil || c.Proxy != nil {
		t.Errorf("ftp proxy from an expression: err %v, proxy %v", err, c.Proxy)
	}
}

// FuzzParseProxyURL: any input gives either an http://host URL without
// path or query, or an error that does not repeat the password.
func FuzzParseProxyURL(f *testing.F) {
	for _, s := range []string{"http://proxy:3128", "https://p:1", "http://u:p@h:1", "http://h:1/x?y", "proxy:3128", "", "http://[::1]:8080"} {
		f.Add(s, "user", "pw-secret")
	}
	f.Fuzz(func(t *testing.T, raw, user, pass string) {
		u, err := ParseProxyURL(raw, user, pass)
		if err != nil {
			if len(pass) > 3 && strings.Contains(err.Error(), pass) && !strings.Contains(raw, pass) {
				t.Fatalf("error shows the password: %v", err)
			}
			return
		}
		if u.Scheme != "http" || u.Host == "" || u.Path != "" || u.RawQuery != "" {
			t.Fatalf("ParseProxyURL(%q) = %v", raw, u)
		}
	})
}
