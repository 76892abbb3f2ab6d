package builtin

import (
	"net/url"
	"testing"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// TestRewriteURIResolvesDotSegments: a rewritten path is resolved as the
// gateway resolves request paths; one that climbs above the service URL's
// base path, or holds a backslash, is refused with 400.
func TestRewriteURIResolvesDotSegments(t *testing.T) {
	tests := []struct {
		name, name2 string
		want        string // the path sent; empty: refused
	}{
		{name: "plain", name2: "report.pdf", want: "/files/report.pdf"},
		{name: "dot dot within", name2: "../archive/old.pdf", want: "/archive/old.pdf"},
		{name: "dot", name2: "./x", want: "/files/x"},
		{name: "climbs above the base", name2: "../../admin"},
		{name: "climbs further", name2: "a/../../../etc/passwd"},
		{name: "backslash", name2: `..\..\admin`},
		{name: "NUL", name2: "a\x00"},
		{name: "percent is a character", name2: "%2e%2e", want: "/files/%2e%2e"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := run(t, inbound(`<rewrite-uri template="/files/{name}" />`), func(c *policy.Context) {
				c.Request.URL.Query = url.Values{"name": {tt.name2}}
			})
			if tt.want == "" {
				refusedWith(t, c, 400, msgBadBackendPath)
				if c.LastError == nil || c.LastError.Reason != "InvalidPath" || c.LastError.Source != "rewrite-uri" {
					t.Errorf("LastError = %+v, want rewrite-uri InvalidPath", c.LastError)
				}
				return
			}
			if c.Ended() && c.Response.StatusCode != 200 || c.Path != tt.want {
				t.Errorf("path %q (ended %v), want %q", c.Path, c.Ended(), tt.want)
			}
		})
	}
}

// TestSetBackendServiceRefusesDotSegments: a base URL built by an
// expression is refused with 400 when its path has dot segments, an
// encoded slash or a control character; a literal one does not compile.
func TestSetBackendServiceRefusesDotSegments(t *testing.T) {
	doc := inbound(`<set-backend-service base-url="@(&quot;http://backend.local/tenants/&quot; + context.Request.Headers.GetValueOrDefault(&quot;X-Tenant&quot;, &quot;&quot;))" />`)
	tests := []struct {
		tenant string
		ok     bool
	}{
		{"acme", true},
		{"acme/v2", true},
		{"..", false},
		{"../admin", false},
		{"%2e%2e/admin", false},
		{"acme/./v2", false},
		{"..%2fadmin", false},
		{"a%00", false},
	}
	for _, tt := range tests {
		t.Run(tt.tenant, func(t *testing.T) {
			t.Parallel()
			c := run(t, doc, func(c *policy.Context) { c.Request.Headers.Set("X-Tenant", tt.tenant) })
			if tt.ok {
				if c.Backend.String() != "http://backend.local/tenants/"+tt.tenant {
					t.Errorf("backend %s", c.Backend)
				}
				return
			}
			refusedWith(t, c, 400, msgBadBackendPath)
		})
	}
	checkCompileErrors(t, []compileErrorCase{
		{"literal base-url with dot dot", inbound(`<set-backend-service base-url="http://backend.local/scripts/../admin" />`), "the path has dot segments"},
		{"literal base-url above its root", inbound(`<set-backend-service base-url="http://backend.local/%2e%2e/admin" />`), "climb above its root"},
		{"literal base-url with an encoded slash", inbound(`<set-backend-service base-url="http://backend.local/a%2Fb" />`), "encoded slash"},
		{"literal template above the root", inbound(`<rewrite-uri template="/../admin" />`), "climb above its root"},
		{"literal template with a backslash", inbound(`<rewrite-uri template="/a\b" />`), "backslash"},
	})
}
