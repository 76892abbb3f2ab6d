package builtin

import (
	"net/http"
	"testing"

	"github.com/gatehouse/gatehouse/internal/policy"
)

const corsElem = `<cors allow-credentials="true"><allowed-origins><origin>https://app.example.com</origin><origin>https://admin.example.com/</origin></allowed-origins><allowed-methods preflight-result-max-age="300"><method>GET</method><method>PUT</method></allowed-methods><allowed-headers><header>Content-Type</header><header>X-Request-Id</header></allowed-headers><expose-headers><header>x-total-count</header></expose-headers></cors>`

func TestCORSPreflight(t *testing.T) {
	tests := []struct {
		name, elem string
		req        http.Header
		want       http.Header // nil: an empty 200 without CORS headers
		goesOn     bool        // the pipeline does not end
	}{
		{name: "allowed", elem: corsElem,
			req: http.Header{"Origin": {"https://app.example.com"}, "Access-Control-Request-Method": {"PUT"}, "Access-Control-Request-Headers": {"content-type, X-Request-Id"}},
			want: http.Header{"Access-Control-Allow-Origin": {"https://app.example.com"}, "Access-Control-Allow-Credentials": {"true"},
				"Access-Control-Allow-Methods": {"GET, PUT"}, "Access-Control-Allow-Headers": {"content-type, x-request-id"}, "Access-Control-Max-Age": {"300"}, "Vary": {"Origin"}}},
		{name: "origin case and trailing slash", elem: corsElem,
			req:  http.Header{"Origin": {"https://ADMIN.example.com"}, "Access-Control-Request-Method": {"GET"}},
			want: http.Header{"Access-Control-Allow-Origin": {"https://ADMIN.example.com"}, "Access-Control-Allow-Credentials": {"true"}, "Access-Control-Allow-Methods": {"GET, PUT"}, "Access-Control-Max-Age": {"300"}, "Vary": {"Origin"}}},
		{name: "origin not allowed", elem: corsElem,
			req: http.Header{"Origin": {"https://evil.example.com"}, "Access-Control-Request-Method": {"GET"}}},
		{name: "method not allowed", elem: corsElem,
			req: http.Header{"Origin": {"https://app.example.com"}, "Access-Control-Request-Method": {"DELETE"}}},
		{name: "header not allowed", elem: corsElem,
			req: http.Header{"Origin": {"https://app.example.com"}, "Access-Control-Request-Method": {"GET"}, "Access-Control-Request-Headers": {"X-Other"}}},
		{name: "not terminated", elem: `<cors terminate-unmatched-request="false"><allowed-origins><origin>https://app.example.com</origin></allowed-origins></cors>`,
			req: http.Header{"Origin": {"https://evil.example.com"}, "Access-Control-Request-Method": {"GET"}}, goesOn: true},
		{name: "wildcards", elem: `<cors><allowed-origins><origin>*</origin></allowed-origins><allowed-methods><method>*</method></allowed-methods><allowed-headers><header>*</header></allowed-headers></cors>`,
			req:  http.Header{"Origin": {"https://any.example"}, "Access-Control-Request-Method": {"PATCH"}, "Access-Control-Request-Headers": {"X-A"}},
			want: http.Header{"Access-Control-Allow-Origin": {"*"}, "Access-Control-Allow-Methods": {"PATCH"}, "Access-Control-Allow-Headers": {"x-a"}}},
		{name: "default methods are GET and POST", elem: `<cors><allowed-origins><origin>*</origin></allowed-origins></cors>`,
			req:  http.Header{"Origin": {"https://any.example"}, "Access-Control-Request-Method": {"POST"}},
			want: http.Header{"Access-Control-Allow-Origin": {"*"}, "Access-Control-Allow-Methods": {"GET, POST"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := mustCompile(t, nil, inbound(tt.elem))
			c := runInbound(t, p, func(c *policy.Context) { c.Request.Method, c.Request.Headers = "OPTIONS", tt.req })
			if tt.goesOn {
				if c.Ended() {
					t.Errorf("the pipeline ended: %+v", c.Response)
				}
				return
			}
			if !c.Ended() || c.Response.StatusCode != 200 {
				t.Fatalf("preflight not answered: ended %v, %+v", c.Ended(), c.Response)
			}
			if len(c.Response.Headers) != len(tt.want) {
				t.Errorf("headers %v, want %v", c.Response.Headers, tt.want)
			}
			for k := range tt.want {
				if got := c.Response.Headers.Get(k); got != tt.want.Get(k) {
					t.Errorf("%s = %q, want %q", k, got, tt.want.Get(k))
				}
			}
		})
	}
}

func TestCORSActualRequest(t *testing.T) {
	tests := []struct {
		name, elem, method, origin string
		wantEnded                  bool
		want                       http.Header // ResponseHeaders
	}{
		{name: "allowed origin", elem: corsElem, method: "PUT", origin: "https://app.example.com",
			want: http.Header{"Access-Control-Allow-Origin": {"https://app.example.com"}, "Access-Control-Allow-Credentials": {"true"}, "Access-Control-Expose-Headers": {"X-Total-Count"}, "Vary": {"Origin"}}},
		{name: "no origin", elem: corsElem, method: "GET"},
		{name: "unmatched GET terminated", elem: corsElem, method: "GET", origin: "https://evil.example.com", wantEnded: true},
		{name: "unmatched POST goes on", elem: corsElem, method: "POST", origin: "https://evil.example.com"},
		{name: "unmatched GET not terminated", elem: `<cors terminate-unmatched-request="false"><allowed-origins><origin>https://a.example</origin></allowed-origins></cors>`, method: "GET", origin: "https://evil.example.com"},
		{name: "any origin", elem: `<cors><allowed-origins><origin>*</origin></allowed-origins></cors>`, method: "GET", origin: "https://x.example",
			want: http.Header{"Access-Control-Allow-Origin": {"*"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := mustCompile(t, nil, inbound(tt.elem))
			c := runInbound(t, p, func(c *policy.Context) {
				c.Request.Method = tt.method
				if tt.origin != "" {
					c.Request.Headers.Set("Origin", tt.origin)
				}
			})
			if c.Ended() != tt.wantEnded {
				t.Fatalf("ended = %v, want %v", c.Ended(), tt.wantEnded)
			}
			if tt.wantEnded && (c.Response.StatusCode != 200 || len(c.Response.Headers) != 0) {
				t.Errorf("unmatched answer %+v, want an empty 200", c.Response)
			}
			if len(c.ResponseHeaders) != len(tt.want) {
				t.Errorf("ResponseHeaders %v, want %v", c.ResponseHeaders, tt.want)
			}
			for k := range tt.want {
				if got := c.ResponseHeaders.Get(k); got != tt.want.Get(k) {
					t.Errorf("%s = %q, want %q", k, got, tt.want.Get(k))
				}
			}
		})
	}
}

func TestCORSCompileErrors(t *testing.T) {
	checkCompileErrors(t, []compileErrorCase{
		{"no origins", inbound(`<cors />`), "1:20: <cors>: <allowed-origins> is required"},
		{"empty origins", inbound(`<cors><allowed-origins /></cors>`), "1:26: <allowed-origins>: at least one <origin> is required"},
		{"credentials with any origin", inbound(`<cors allow-credentials="true"><allowed-origins><origin>*</origin></allowed-origins></cors>`), "browsers refuse it"},
		{"bad bool", inbound(`<cors allow-credentials="maybe"><allowed-origins><origin>*</origin></allowed-origins></cors>`), `1:45: <cors> allow-credentials: "maybe": want true or false`},
		{"bad max age", inbound(`<cors><allowed-origins><origin>*</origin></allowed-origins><allowed-methods preflight-result-max-age="-1"><method>GET</method></allowed-methods></cors>`), `<allowed-methods> preflight-result-max-age: "-1": want whole seconds`},
		{"bad child", inbound(`<cors><allowed-origins><origin>*</origin></allowed-origins><max-age /></cors>`), "<max-age>: only <allowed-origins>"},
		{"wrong item", inbound(`<cors><allowed-origins><method>GET</method></allowed-origins></cors>`), "<method>: only <origin> elements belong in <allowed-origins>"},
		{"twice", inbound(`<cors><allowed-origins><origin>*</origin></allowed-origins><allowed-origins><origin>*</origin></allowed-origins></cors>`), "<allowed-origins>: <allowed-origins> appears twice"},
		{"outbound", `<policies><outbound><cors><allowed-origins><origin>*</origin></allowed-origins></cors></outbound></policies>`, "<cors>: belongs in the inbound section"},
	})
}
