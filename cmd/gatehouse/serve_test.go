package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

const (
	wantMissing = "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API."
	wantInvalid = "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."
)

// publish configures two APIs behind keys, a product and subscriptions:
//   - echo at /echo, in the published product "starter"; subscription
//     "prod" (product scope) with keys prod-primary-key/prod-secondary-key
//   - other at /other; subscription "api" scoped to it with key api-key-0001
//   - open at /open, no key required
func publish(t *testing.T, in *instance, backend string) {
	t.Helper()
	for _, a := range []struct{ id, path, extra string }{
		{"echo", "echo", ""}, {"other", "other", ""}, {"open", "open", `,"subscriptionRequired":false`},
	} {
		in.must("PUT", "/apis/"+a.id, `{"properties":{"displayName":"`+a.id+`","path":"`+a.path+`","serviceUrl":"`+backend+`/base"`+a.extra+`}}`)
		in.must("PUT", "/apis/"+a.id+"/operations/get-item", `{"properties":{"method":"GET","urlTemplate":"/items/{id}"}}`)
		in.must("PUT", "/apis/"+a.id+"/operations/any", `{"properties":{"method":"*","urlTemplate":"/*"}}`)
	}
	in.must("PUT", "/products/starter", `{"properties":{"displayName":"Starter","state":"published"}}`)
	in.must("PUT", "/products/starter/apis/echo", "")
	in.must("PUT", "/users/ann", `{"properties":{"email":"ann@example.com","firstName":"Ann","lastName":"Lee"}}`)
	in.must("PUT", "/subscriptions/prod", `{"properties":{"displayName":"Prod","scope":"/products/starter","ownerId":"/users/ann","primaryKey":"prod-primary-key","secondaryKey":"prod-secondary-key"}}`)
	in.must("PUT", "/subscriptions/api", `{"properties":{"displayName":"Api","scope":"/apis/other","primaryKey":"api-key-0001"}}`)
}

// expectStatus waits (at most one second, the promise for configuration
// changes) until the gateway answers path with status, and returns the reply.
func expectStatus(t *testing.T, in *instance, status int, path string, headers ...string) reply {
	t.Helper()
	var r reply
	eventually(t, time.Second, "GET "+path+" answering "+http.StatusText(status), func() bool {
		r = in.call("GET", path, headers...)
		return r.status == status
	})
	return r
}

func expectMessage(t *testing.T, r reply, want string) {
	t.Helper()
	var body struct {
		StatusCode int    `json:"statusCode"`
		Message    string `json:"message"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatalf("gateway error is not JSON: %s", r.body)
	}
	if body.Message != want || body.StatusCode != r.status {
		t.Errorf("gateway error = %d %q, want %d %q", body.StatusCode, body.Message, r.status, want)
	}
}

func TestGatewaySubscriptionKeys(t *testing.T) {
	backend := newBackend(t)
	in := startServe(t, t.TempDir(), "")
	publish(t, in, backend.URL)
	const key = "Ocp-Apim-Subscription-Key: prod-primary-key"

	t.Run("valid key reaches the backend", func(t *testing.T) {
		got := decodeSeen(t, expectStatus(t, in, 200, "/echo/items/42?a=1&subscription-key=prod-primary-key&b=2"))
		if got.Path != "/base/items/42" || got.Query != "a=1&b=2" {
			t.Errorf("backend saw %s?%s, want /base/items/42?a=1&b=2", got.Path, got.Query)
		}
		got = decodeSeen(t, in.call("GET", "/echo/items/42", key, "X-Forwarded-For: 203.0.113.9"))
		if v := got.Header.Get("Ocp-Apim-Subscription-Key"); v != "" {
			t.Errorf("the key header reached the backend: %q", v)
		}
		if v := got.Header.Get("X-Forwarded-For"); v != "203.0.113.9, 127.0.0.1" {
			t.Errorf("X-Forwarded-For = %q, want the client appended", v)
		}
		if got.Header.Get("X-Forwarded-Proto") != "http" || got.Header.Get("X-Forwarded-Host") != in.addrs.GatewayHTTP {
			t.Errorf("X-Forwarded-Proto/Host = %q/%q", got.Header.Get("X-Forwarded-Proto"), got.Header.Get("X-Forwarded-Host"))
		}
		if !strings.HasPrefix(backend.URL, "http://"+got.Host) {
			t.Errorf("backend saw Host %q, want its own", got.Host)
		}
	})
	t.Run("missing key", func(t *testing.T) {
		r := in.call("GET", "/echo/items/42")
		if r.status != 401 {
			t.Fatalf("status %d, want 401", r.status)
		}
		expectMessage(t, r, wantMissing)
	})
	t.Run("wrong key", func(t *testing.T) {
		r := in.call("GET", "/echo/items/42", "Ocp-Apim-Subscription-Key: nope-nope-nope")
		if r.status != 401 {
			t.Fatalf("status %d, want 401", r.status)
		}
		expectMessage(t, r, wantInvalid)
	})
	t.Run("secondary key", func(t *testing.T) {
		expectStatus(t, in, 200, "/echo/items/1", "Ocp-Apim-Subscription-Key: prod-secondary-key")
	})
	t.Run("api-scoped key on another api", func(t *testing.T) {
		expectStatus(t, in, 200, "/other/items/1", "Ocp-Apim-Subscription-Key: api-key-0001")
		expectMessage(t, expectStatus(t, in, 401, "/echo/items/1", "Ocp-Apim-Subscription-Key: api-key-0001"), wantInvalid)
	})
	t.Run("open api needs no key", func(t *testing.T) {
		expectStatus(t, in, 200, "/open/anything")
	})
	t.Run("no matching operation", func(t *testing.T) {
		in.must("DELETE", "/apis/open/operations/any", "")
		expectMessage(t, expectStatus(t, in, 404, "/open/anything"), "Resource not found")
		expectMessage(t, expectStatus(t, in, 404, "/nowhere"), "Resource not found")
		expectStatus(t, in, 200, "/open/items/7")
	})
	t.Run("suspended subscription", func(t *testing.T) {
		in.must("PATCH", "/subscriptions/api", `{"properties":{"state":"suspended"}}`)
		expectMessage(t, expectStatus(t, in, 401, "/other/items/1", "Ocp-Apim-Subscription-Key: api-key-0001"), wantInvalid)
		in.must("PATCH", "/subscriptions/api", `{"properties":{"state":"active"}}`)
		expectStatus(t, in, 200, "/other/items/1", "Ocp-Apim-Subscription-Key: api-key-0001")
	})
	t.Run("product key after unpublishing", func(t *testing.T) {
		in.must("PATCH", "/products/starter", `{"properties":{"state":"notPublished"}}`)
		expectMessage(t, expectStatus(t, in, 401, "/echo/items/1", key), wantInvalid)
		in.must("PATCH", "/products/starter", `{"properties":{"state":"published"}}`)
		expectStatus(t, in, 200, "/echo/items/1", key)
	})
	t.Run("regenerated primary key", func(t *testing.T) {
		in.must("POST", "/subscriptions/prod/regeneratePrimaryKey", "")
		expectStatus(t, in, 401, "/echo/items/1", key)
		var keys struct{ PrimaryKey, SecondaryKey string }
		if err := json.Unmarshal(in.must("POST", "/subscriptions/prod/listSecrets", "").body, &keys); err != nil {
			t.Fatal(err)
		}
		if keys.PrimaryKey == "prod-primary-key" || len(keys.PrimaryKey) != 32 || keys.SecondaryKey != "prod-secondary-key" {
			t.Fatalf("listSecrets after regenerating = %+v", keys)
		}
		expectStatus(t, in, 200, "/echo/items/1", "Ocp-Apim-Subscription-Key: "+keys.PrimaryKey)
		expectStatus(t, in, 200, "/echo/items/1", "Ocp-Apim-Subscription-Key: prod-secondary-key")
	})
	t.Run("keys are never returned by GET", func(t *testing.T) {
		for _, path := range []string{"/subscriptions/prod", "/subscriptions"} {
			if body := string(in.must("GET", path, "").body); strings.Contains(body, "prod-secondary-key") || strings.Contains(body, "Key\"") {
				t.Errorf("GET %s shows a key: %s", path, body)
			}
		}
	})
	t.Run("access log", func(t *testing.T) {
		in.call("GET", "/other/items/9", "Ocp-Apim-Subscription-Key: api-key-0001")
		eventually(t, 5*time.Second, "access log line", func() bool {
			for _, line := range strings.Split(in.logs.String(), "\n") {
				if strings.Contains(line, `"path":"/other/items/9"`) {
					return strings.Contains(line, `"api":"other"`) && strings.Contains(line, `"operation":"get-item"`) &&
						strings.Contains(line, `"subscription":"api"`) && strings.Contains(line, `"status":200`) &&
						strings.Contains(line, `"backend_ms"`) && !strings.Contains(line, "api-key-0001")
				}
			}
			return false
		})
	})
	t.Run("deleting an api removes its subscriptions", func(t *testing.T) {
		in.must("DELETE", "/apis/other", "")
		expectStatus(t, in, 404, "/other/items/1", "Ocp-Apim-Subscription-Key: api-key-0001")
		for _, path := range []string{"/subscriptions/api", "/apis/other/operations/get-item"} {
			if r := in.mgmt("GET", path, ""); r.status != 404 {
				t.Errorf("GET %s after deleting the API: %d", path, r.status)
			}
		}
	})
}

// TestConfigurationChangeIsLiveWithinASecond measures the time from the
// management API's 2xx answer to the gateway serving the change.
func TestConfigurationChangeIsLiveWithinASecond(t *testing.T) {
	backend := newBackend(t)
	in := startServe(t, t.TempDir(), "")
	for i := range 5 {
		id := "api" + string(rune('a'+i))
		in.must("PUT", "/apis/"+id, `{"properties":{"displayName":"x","path":"`+id+`","serviceUrl":"`+backend.URL+`","subscriptionRequired":false}}`)
		in.must("PUT", "/apis/"+id+"/operations/all", `{"properties":{"method":"GET","urlTemplate":"/*"}}`)
		start := time.Now()
		expectStatus(t, in, 200, "/"+id+"/x")
		t.Logf("change %d live after %v", i, time.Since(start))
	}
}

func TestBackendFailures(t *testing.T) {
	backend := newBackend(t)
	in := startServe(t, t.TempDir(), "", func(c *serveConfig) { c.BackendTimeout = 300 * time.Millisecond })
	in.must("PUT", "/apis/slow", `{"properties":{"displayName":"x","path":"slow","serviceUrl":"`+backend.URL+`","subscriptionRequired":false}}`)
	in.must("PUT", "/apis/slow/operations/all", `{"properties":{"method":"GET","urlTemplate":"/*"}}`)
	in.must("PUT", "/apis/down", `{"properties":{"displayName":"x","path":"down","serviceUrl":"http://127.0.0.1:1","subscriptionRequired":false}}`)
	in.must("PUT", "/apis/down/operations/all", `{"properties":{"method":"GET","urlTemplate":"/*"}}`)

	r := expectStatus(t, in, 502, "/down/x")
	expectMessage(t, r, "The backend could not be reached.")
	if strings.Contains(string(r.body), "refused") {
		t.Errorf("502 leaks the connection error: %s", r.body)
	}
	r = expectStatus(t, in, 504, "/slow/x?sleep=2s")
	expectMessage(t, r, "The backend did not respond in time.")
}

func TestGracefulShutdownFinishesInFlightRequests(t *testing.T) {
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("hold") != "" {
			arrived <- struct{}{}
			<-release
		}
		io.WriteString(w, "done")
	}))
	t.Cleanup(backend.Close)
	in := startServe(t, t.TempDir(), "")
	in.must("PUT", "/apis/slow", `{"properties":{"displayName":"x","path":"slow","serviceUrl":"`+backend.URL+`","subscriptionRequired":false}}`)
	in.must("PUT", "/apis/slow/operations/all", `{"properties":{"method":"GET","urlTemplate":"/*"}}`)
	expectStatus(t, in, 200, "/slow/x")

	result := make(chan reply, 1)
	go func() { result <- in.call("GET", "/slow/x?hold=1") }()
	<-arrived // the request is in flight
	go func() {
		// Let the backend answer once the shutdown has begun: the
		// gateway's listener no longer accepts connections then.
		for {
			c, err := net.Dial("tcp", in.addrs.GatewayHTTP)
			if err != nil {
				close(release)
				return
			}
			c.Close()
			runtime.Gosched()
		}
	}()
	in.stop()
	if r := <-result; r.status != 200 {
		t.Fatalf("in-flight request answered %d during shutdown, want 200", r.status)
	}
}

func TestRestartKeepsConfiguration(t *testing.T) {
	for _, tc := range []struct {
		name  string
		store func(t *testing.T) string
	}{
		{"sqlite", func(*testing.T) string { return "" }},
		{"postgres", postgresURL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			backend := newBackend(t)
			dir, storeURL := t.TempDir(), tc.store(t)
			in := startServe(t, dir, storeURL)
			publish(t, in, backend.URL)
			expectStatus(t, in, 200, "/echo/items/1", "Ocp-Apim-Subscription-Key: prod-primary-key")
			etag := in.must("GET", "/apis/echo", "").header.Get("ETag")
			in.stop()

			in = startServe(t, dir, storeURL)
			expectStatus(t, in, 200, "/echo/items/1", "Ocp-Apim-Subscription-Key: prod-secondary-key")
			expectStatus(t, in, 401, "/echo/items/1", "Ocp-Apim-Subscription-Key: wrong-key-123")
			r := in.must("GET", "/apis/echo", "")
			if r.header.Get("ETag") != etag {
				t.Errorf("ETag after restart = %s, want %s", r.header.Get("ETag"), etag)
			}
			if n := in.must("GET", "/groups", "").json(t)["count"]; n != float64(3) {
				t.Errorf("groups after restart: %v, want the 3 built-in ones", n)
			}
		})
	}
}
