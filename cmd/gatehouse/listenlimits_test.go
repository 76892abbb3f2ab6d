package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/cli"
)

// rawExchange sends raw on a new connection to addr and reads one
// response; it reports whether the server then closed the connection.
func rawExchange(t *testing.T, addr, raw string) (resp *http.Response, body []byte, closed bool) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	br := bufio.NewReader(c)
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no response to %.60q: %v", raw, err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	_, err = br.ReadByte()
	return resp, body, err != nil && !errors.Is(err, os.ErrDeadlineExceeded)
}

// gatewayError decodes a gateway error body.
func gatewayError(t *testing.T, body []byte) (status int, message string) {
	t.Helper()
	var e struct {
		StatusCode int    `json:"statusCode"`
		Message    string `json:"message"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("not a gateway error: %s", body)
	}
	return e.StatusCode, e.Message
}

func TestListenerLimitsOnTheGatewayAndTheManagementAPI(t *testing.T) {
	const bodyTimeout = 300 * time.Millisecond
	reader := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		fmt.Fprint(w, len(b))
	}))
	t.Cleanup(reader.Close)
	in := startServe(t, t.TempDir(), "", func(c *serveConfig) {
		c.Limits = cli.Limits{RequestBodyTimeout: bodyTimeout, MaxURLBytes: 1 << 10, MaxBodyBytes: 64 << 10}
	})
	for _, id := range []string{"up", "pol"} {
		in.must("PUT", "/apis/"+id, `{"properties":{"displayName":"x","path":"`+id+`","serviceUrl":"`+reader.URL+`","subscriptionRequired":false}}`)
		in.must("PUT", "/apis/"+id+"/operations/all", `{"properties":{"method":"*","urlTemplate":"/*"}}`)
	}
	mustPolicy(t, in, "/apis/pol", `<policies><inbound><base /><set-header name="x-policy" exists-action="override"><value>yes</value></set-header></inbound>`+
		`<backend><forward-request /></backend><outbound><base /></outbound>`+
		`<on-error><choose><when condition="@(context.Request.Headers.GetValueOrDefault(&quot;x-on-error&quot;, &quot;&quot;) == &quot;answer&quot;)">`+
		`<return-response><set-status code="418" reason="Seen" /><set-header name="x-last-error" exists-action="override">`+
		`<value>@(context.LastError.Source + "/" + context.LastError.Reason)</value></set-header></return-response></when></choose></on-error></policies>`)
	gw := in.addrs.GatewayHTTP
	expectStatus(t, in, 200, "/up/x")
	expectStatus(t, in, 200, "/pol/x")

	t.Run("a stalled body is 408 and the connection is closed", func(t *testing.T) {
		for _, path := range []string{"/up/x", "/pol/x"} {
			start := time.Now()
			resp, body, closed := rawExchange(t, gw, "POST "+path+" HTTP/1.1\r\nHost: gw\r\nContent-Length: 100\r\n\r\npart")
			if resp.StatusCode != http.StatusRequestTimeout {
				t.Fatalf("%s: status %d %s, want 408", path, resp.StatusCode, body)
			}
			if status, _ := gatewayError(t, body); status != 408 {
				t.Errorf("%s: body %s", path, body)
			}
			if took := time.Since(start); took < bodyTimeout {
				t.Errorf("%s: answered after %v, before the timeout", path, took)
			}
			if !closed {
				t.Errorf("%s: the connection stayed open", path)
			}
		}
	})

	t.Run("a malformed body is the client's error", func(t *testing.T) {
		const bad = "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"
		resp, body, _ := rawExchange(t, gw, "POST /up/x HTTP/1.1\r\nHost: gw\r\n"+bad)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("proxy path: status %d %s, want 400", resp.StatusCode, body)
		}
		resp, body, _ = rawExchange(t, gw, "POST /pol/x HTTP/1.1\r\nHost: gw\r\n"+bad)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("policy path: status %d %s, want 400", resp.StatusCode, body)
		}
		resp, body, _ = rawExchange(t, gw, "POST /pol/x HTTP/1.1\r\nHost: gw\r\nx-on-error: answer\r\n"+bad)
		if got := resp.Header.Get("x-last-error"); resp.StatusCode != 418 || got != "request/InvalidRequestBody" {
			t.Errorf("on-error saw context.LastError %q (status %d %s), want request/InvalidRequestBody", got, resp.StatusCode, body)
		}
		if logs := in.logs.String(); strings.Contains(logs, "backend unreachable") || strings.Contains(logs, "backend timeout") {
			t.Errorf("a client's failure was logged as the backend's:\n%s", logs)
		}
	})

	t.Run("a client that goes away is not a backend failure", func(t *testing.T) {
		c, err := net.DialTimeout("tcp", gw, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, "POST /up/gone HTTP/1.1\r\nHost: gw\r\nContent-Length: 100\r\n\r\npart")
		c.Close()
		eventually(t, 10*time.Second, "the access log line of the abandoned request", func() bool {
			return strings.Contains(in.logs.String(), `"path":"/up/gone","status":499`)
		})
		if logs := in.logs.String(); strings.Contains(logs, "backend unreachable") {
			t.Errorf("a client that went away was logged as a backend failure:\n%s", logs)
		}
	})

	t.Run("an over-long URL is 414", func(t *testing.T) {
		r := in.call("GET", "/up/"+strings.Repeat("a", 1<<10))
		if r.status != http.StatusRequestURITooLong {
			t.Fatalf("status %d %s, want 414", r.status, r.body)
		}
		if status, _ := gatewayError(t, r.body); status != 414 {
			t.Errorf("body %s", r.body)
		}
		if r := in.mgmt("GET", "/apis?x="+strings.Repeat("a", 1<<10), ""); r.status != http.StatusRequestURITooLong || !strings.Contains(string(r.body), `"code": "RequestUriTooLong"`) {
			t.Errorf("management API: %d %s, want 414 in its error shape", r.status, r.body)
		}
	})

	t.Run("a body over the limit is 413", func(t *testing.T) {
		big := strings.Repeat("a", 64<<10+1)
		req, _ := http.NewRequest("POST", in.gatewayURL("/up/x"), strings.NewReader(big))
		if r := send(t, req); r.status != http.StatusRequestEntityTooLarge {
			t.Errorf("declared length: %d %s, want 413", r.status, r.body)
		}
		for _, path := range []string{"/up/x", "/pol/x"} {
			req, _ = http.NewRequest("POST", in.gatewayURL(path), io.MultiReader(strings.NewReader(big)))
			req.ContentLength = -1 // chunked
			if r := send(t, req); r.status != http.StatusRequestEntityTooLarge {
				t.Errorf("%s chunked: %d %s, want 413", path, r.status, r.body)
			}
		}
		req, _ = http.NewRequest("POST", in.gatewayURL("/up/x"), strings.NewReader(big[:64<<10]))
		if r := send(t, req); r.status != http.StatusOK || string(r.body) != fmt.Sprint(64<<10) {
			t.Errorf("a body at the limit: %d %s", r.status, r.body)
		}
	})

	t.Run("the management API answers a stalled body 408", func(t *testing.T) {
		resp, body, closed := rawExchange(t, in.addrs.Mgmt, "PUT /mgmt/apis/x HTTP/1.1\r\nHost: m\r\nAuthorization: Bearer "+in.token+
			"\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"properties\":")
		if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(body), `"code": "RequestTimeout"`) {
			t.Errorf("status %d %s, want 408 RequestTimeout", resp.StatusCode, body)
		}
		if !closed {
			t.Error("the connection stayed open")
		}
	})
}
