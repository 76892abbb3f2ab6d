package gateway

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// TestSendDirectAsReverseProxy: on the policy path, what a backend gets
// from sendDirect is what the relay's send proxy sends it: method, path
// and query, fields (X-Forwarded-* and User-Agent included) and body,
// for a request without a body, one whose body a policy read (and so
// buffered), one whose query a policy changed, and one from behind a
// proxy.
func TestSendDirectAsReverseProxy(t *testing.T) {
	seen := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s %s CL=%d TE=%v\n", r.Method, r.RequestURI, r.Proto, r.ContentLength, r.TransferEncoding)
		keys := make([]string, 0, len(r.Header))
		for k := range r.Header {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s: %q\n", k, r.Header[k])
		}
		fmt.Fprintf(&b, "\n%s", body)
		seen <- b.String()
	}))
	t.Cleanup(srv.Close)
	const policy = `<policies><inbound>
	  <set-header name="X-Policy" exists-action="override"><value>in</value></set-header>
	  <choose><when condition="@(context.Request.Method == &quot;POST&quot;)">
	    <set-header name="X-Length" exists-action="override"><value>@(context.Request.Body.As&lt;string&gt;(preserveContent: true).Length.ToString())</value></set-header>
	  </when></choose>
	  <choose><when condition="@(context.Request.Url.Query.ContainsKey(&quot;change&quot;))">
	    <set-query-parameter name="added" exists-action="override"><value>1</value></set-query-parameter>
	  </when></choose>
	</inbound><backend><forward-request /></backend></policies>`
	direct := startGatewayWith(t, srv.URL+"/base", policy, Options{})
	proxy := startGatewayWith(t, srv.URL+"/base", policy, Options{}, withProxyOnly)
	for _, tt := range []struct {
		name, method, path, body string
		header                   http.Header
	}{
		{name: "no body", method: http.MethodGet, path: "/orders/42?b=2&a=1&k=key"},
		{name: "buffered body", method: http.MethodPost, path: "/orders", body: `{"id":7}`,
			header: http.Header{"Content-Type": {"application/json"}}},
		{name: "query changed", method: http.MethodGet, path: "/orders?change=1&z=%2F"},
		{name: "behind a proxy", method: http.MethodGet, path: "/x",
			header: http.Header{"X-Forwarded-For": {"198.51.100.1"}, "Forwarded": {"for=198.51.100.1"}, "User-Agent": {"curl/8"}}},
		{name: "escaped path", method: http.MethodGet, path: "/c%20d/%7Ex;y"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got [2]string
			for i, front := range []string{direct, proxy} {
				var body io.Reader
				if tt.body != "" {
					body = strings.NewReader(tt.body)
				}
				req, err := http.NewRequest(tt.method, front+tt.path, body)
				if err != nil {
					t.Fatal(err)
				}
				for k, v := range tt.header {
					req.Header[k] = v
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status %d", resp.StatusCode)
				}
				got[i] = <-seen
			}
			// The host each gateway listens on differs; so do the
			// X-Forwarded-Host they report.
			direct, proxy := strings.Split(got[0], "\n"), strings.Split(got[1], "\n")
			for i := range direct {
				if strings.HasPrefix(direct[i], "X-Forwarded-Host: ") && i < len(proxy) && strings.HasPrefix(proxy[i], "X-Forwarded-Host: ") {
					direct[i], proxy[i] = "X-Forwarded-Host", "X-Forwarded-Host"
				}
			}
			if !slices.Equal(direct, proxy) {
				t.Errorf("sendDirect sent:\n%s\nsend sent:\n%s", got[0], got[1])
			}
		})
	}
}
