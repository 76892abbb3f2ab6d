package builtin

import (
	"net/url"
	"testing"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

func TestRedirectContentURLs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, backend string
		orig          *expr.URL
		apiPath       string
		body, want    string
		location      string
		wantLocation  string
	}{
		{name: "default port", backend: "http://backend.local/base", orig: &expr.URL{Scheme: "https", Host: "gw.example", Port: 443}, apiPath: "shop",
			body: `{"self":"http://backend.local/base/items/1","other":"http://elsewhere/base"}`, want: `{"self":"https://gw.example/shop/items/1","other":"http://elsewhere/base"}`,
			location: "http://backend.local/base/items/2", wantLocation: "https://gw.example/shop/items/2"},
		{name: "explicit ports", backend: "http://10.0.0.5:8080/api/", orig: &expr.URL{Scheme: "http", Host: "gw", Port: 8000}, apiPath: "/v1/",
			body: "a http://10.0.0.5:8080/api/x b http://10.0.0.5:8080/api", want: "a http://gw:8000/v1/x b http://gw:8000/v1"},
		{name: "no api path", backend: "http://b", orig: &expr.URL{Scheme: "https", Host: "gw", Port: 443},
			body: "http://b/x", want: "https://gw/x", location: "http://b/", wantLocation: "https://gw/"},
		{name: "ipv6 gateway", backend: "http://b/p", orig: &expr.URL{Scheme: "http", Host: "::1", Port: 81}, apiPath: "a",
			body: "http://b/p/1", want: "http://[::1]:81/a/1"},
		{name: "nothing to replace", backend: "http://b/p", orig: &expr.URL{Scheme: "http", Host: "gw", Port: 80},
			body: "plain", want: "plain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := `<policies><inbound /><outbound><set-body>` + tt.body + `</set-body>`
			if tt.location != "" {
				doc += `<set-header name="Location"><value>` + tt.location + `</value></set-header>`
			}
			doc += `<redirect-content-urls /></outbound></policies>`
			c := run(t, doc, func(c *policy.Context) {
				c.Backend, _ = url.Parse(tt.backend)
				c.Request.OriginalURL = tt.orig
				c.API = &expr.API{Path: tt.apiPath}
			})
			got, _ := c.Response.Body.Bytes()
			if string(got) != tt.want {
				t.Errorf("body = %s, want %s", got, tt.want)
			}
			if loc := c.Response.Headers.Get("Location"); loc != tt.wantLocation {
				t.Errorf("Location = %q, want %q", loc, tt.wantLocation)
			}
		})
	}
}

func TestRedirectContentURLsInbound(t *testing.T) {
	t.Parallel()
	c := run(t, inbound(`<redirect-content-urls />`), func(c *policy.Context) {
		c.Request.OriginalURL = &expr.URL{Scheme: "https", Host: "gw", Port: 443}
		c.API = &expr.API{Path: "shop"}
		c.Request.Body.Set([]byte(`{"callback":"https://gw/shop/hooks/1"}`))
		c.Request.Headers.Set("Content-Location", "https://gw/shop/items/1")
	})
	got, _ := c.Request.Body.Bytes()
	if string(got) != `{"callback":"http://backend.local/base/hooks/1"}` {
		t.Errorf("body = %s", got)
	}
	if loc := c.Request.Headers.Get("Content-Location"); loc != "http://backend.local/base/items/1" {
		t.Errorf("Content-Location = %q", loc)
	}
}
