package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// putPolicy stores a policy document at a scope ("" for global, else
// "/apis/echo" and the like) as raw XML.
func putPolicy(t *testing.T, in *instance, scope, xml string) reply {
	t.Helper()
	return in.mgmt("PUT", scope+"/policy", xml, "Content-Type: application/xml")
}

func mustPolicy(t *testing.T, in *instance, scope, xml string) {
	t.Helper()
	if r := putPolicy(t, in, scope, xml); r.status/100 != 2 {
		t.Fatalf("PUT %s/policy: %d %s", scope, r.status, r.body)
	}
}

func TestPoliciesAtAllScopes(t *testing.T) {
	backend := newBackend(t)
	in := startServe(t, t.TempDir(), "")
	publish(t, in, backend.URL)
	in.must("PUT", "/namedValues/env", `{"properties":{"displayName":"env-name","value":"staging"}}`)
	in.must("PUT", "/namedValues/secret", `{"properties":{"displayName":"backend-secret","value":"s3cr3t","secret":true}}`)

	mustPolicy(t, in, "", `<policies>
  <inbound><set-header name="X-Global" exists-action="override"><value>{{env-name}}</value></set-header></inbound>
  <backend><forward-request /></backend>
  <outbound><set-header name="X-Served-By"><value>gatehouse</value></set-header></outbound>
  <on-error />
</policies>`)
	mustPolicy(t, in, "/products/starter", `<policies><inbound><base /><set-header name="X-Product"><value>starter</value></set-header></inbound></policies>`)
	mustPolicy(t, in, "/apis/echo", `<policies>
  <inbound>
    <base />
    <set-query-parameter name="api" exists-action="override"><value>echo</value></set-query-parameter>
    <set-header name="Authorization"><value>Bearer {{backend-secret}}</value></set-header>
  </inbound>
  <outbound><base /><set-header name="X-Api"><value>echo</value></set-header></outbound>
</policies>`)
	mustPolicy(t, in, "/apis/echo/operations/get-item", `<policies>
  <inbound>
    <base />
    <choose>
      <when condition="@(context.Request.Headers.GetValueOrDefault("X-Mode","") == "mock")">
        <return-response>
          <set-status code="418" reason="Teapot" />
          <set-header name="X-Mocked"><value>yes</value></set-header>
          <set-body>@("mocked " + context.Request.MatchedParameters["id"])</set-body>
        </return-response>
      </when>
    </choose>
    <set-variable name="original" value="@(context.Request.Url.Path)" />
    <rewrite-uri template="/v2/items/{id}" />
  </inbound>
  <outbound>
    <base />
    <set-header name="X-Original-Path"><value>@((string)context.Variables["original"])</value></set-header>
  </outbound>
</policies>`)
	const key = "Ocp-Apim-Subscription-Key: prod-primary-key"

	t.Run("every scope in order", func(t *testing.T) {
		var r reply
		eventually(t, time.Second, "the operation policy live", func() bool {
			r = in.call("GET", "/echo/items/42?q=1", key)
			return r.header.Get("X-Original-Path") != ""
		})
		got := decodeSeen(t, r)
		if got.Path != "/base/v2/items/42" {
			t.Errorf("backend path = %s, want the rewritten /base/v2/items/42", got.Path)
		}
		if got.Query != "q=1&api=echo" { // the client's parameters as sent, the policy's after them
			t.Errorf("backend query = %s", got.Query)
		}
		for h, want := range map[string]string{"X-Global": "staging", "X-Product": "starter", "Authorization": "Bearer s3cr3t"} {
			if v := got.Header.Get(h); v != want {
				t.Errorf("backend header %s = %q, want %q", h, v, want)
			}
		}
		for h, want := range map[string]string{"X-Served-By": "gatehouse", "X-Api": "echo", "X-Original-Path": "/echo/items/42"} {
			if v := r.header.Get(h); v != want {
				t.Errorf("response header %s = %q, want %q", h, v, want)
			}
		}
	})
	t.Run("return-response ends the pipeline", func(t *testing.T) {
		r := in.call("GET", "/echo/items/7", key, "X-Mode: mock")
		if r.status != 418 || string(r.body) != "mocked 7" || r.header.Get("X-Mocked") != "yes" || r.header.Get("X-Served-By") != "" {
			t.Errorf("mock answer: %d %q %v", r.status, r.body, r.header)
		}
	})
	t.Run("a request without a product key skips the product policy", func(t *testing.T) {
		got := decodeSeen(t, expectStatus(t, in, 200, "/other/items/1", "Ocp-Apim-Subscription-Key: api-key-0001"))
		if got.Header.Get("X-Product") != "" || got.Header.Get("X-Global") != "staging" {
			t.Errorf("headers = %v", got.Header)
		}
	})
	t.Run("effective policy", func(t *testing.T) {
		var p struct{ Properties struct{ Value string } }
		json.Unmarshal(in.must("GET", "/apis/echo/operations/get-item/policy?effective=true&productId=starter", "").body, &p)
		v := p.Properties.Value
		order := []string{`name="X-Global"`, `name="X-Product"`, `name="api"`, "<choose>", "<rewrite-uri", "<forward-request"}
		last := -1
		for _, s := range order {
			i := strings.Index(v, s)
			if i < last {
				t.Fatalf("effective policy is not in scope order (%s):\n%s", s, v)
			}
			last = i
		}
	})
	t.Run("named values in use cannot be deleted", func(t *testing.T) {
		if r := in.mgmt("DELETE", "/namedValues/secret", ""); r.status != 409 {
			t.Errorf("DELETE a named value in use: %d", r.status)
		}
	})
}

func TestInvalidPoliciesAreRefusedOnSave(t *testing.T) {
	in := startServe(t, t.TempDir(), "")
	in.must("PUT", "/apis/echo", `{"properties":{"displayName":"x","path":"echo","serviceUrl":"http://127.0.0.1:9"}}`)
	tests := []struct {
		name, xml, want string
	}{
		{"unknown element", "<policies>\n  <inbound>\n    <set-everything />\n  </inbound>\n</policies>", "3:5: <set-everything>: unknown or unsupported policy element"},
		{"bad attribute value", `<policies><inbound><set-header name="a" exists-action="replace"><value>1</value></set-header></inbound></policies>`, `1:56: <set-header> exists-action: \"replace\": want override, skip, append or delete`},
		{"missing named value", `<policies><inbound><set-header name="a"><value>{{nope}}</value></set-header></inbound></policies>`, "named value {{nope}} does not exist"},
		{"bad expression", "<policies><inbound>\n<set-variable name=\"x\" value=\"@(context.Nope)\" /></inbound></policies>", "2:"},
		{"not XML", `<policies><inbound>`, "1:11: <inbound> has no end tag"},
		{"element in the wrong section", `<policies><inbound><forward-request /></inbound></policies>`, "belongs in the backend section"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := putPolicy(t, in, "/apis/echo", tt.xml)
			if r.status != 400 || !strings.Contains(string(r.body), tt.want) {
				t.Errorf("%d %s; want 400 containing %q", r.status, r.body, tt.want)
			}
			if r := in.mgmt("GET", "/apis/echo/policy", ""); r.status != 404 {
				t.Errorf("a refused policy was stored: %d", r.status)
			}
		})
	}
}

func TestOnError(t *testing.T) {
	backend := newBackend(t)
	in := startServe(t, t.TempDir(), "")
	in.must("PUT", "/apis/down", `{"properties":{"displayName":"x","path":"down","serviceUrl":"http://127.0.0.1:1","subscriptionRequired":false}}`)
	in.must("PUT", "/apis/down/operations/all", `{"properties":{"method":"GET","urlTemplate":"/*"}}`)
	in.must("PUT", "/apis/fail", `{"properties":{"displayName":"x","path":"fail","serviceUrl":"`+backend.URL+`","subscriptionRequired":false}}`)
	in.must("PUT", "/apis/fail/operations/all", `{"properties":{"method":"GET","urlTemplate":"/*"}}`)
	onError := `<on-error><set-status code="503" reason="Unavailable" /><set-header name="X-Error-Source"><value>@(context.LastError.Source)</value></set-header><set-header name="X-Error-Reason"><value>@(context.LastError.Reason)</value></set-header></on-error>`
	mustPolicy(t, in, "/apis/down", `<policies><inbound><base /></inbound><backend><base /></backend>`+onError+`</policies>`)
	mustPolicy(t, in, "/apis/fail", `<policies><inbound><base /><set-variable name="n" value="@(int.Parse(context.Request.Headers.GetValueOrDefault("X-N","x")))" /></inbound>`+onError+`</policies>`)

	r := expectStatus(t, in, 503, "/down/x")
	if r.header.Get("X-Error-Source") != "forward-request" || r.header.Get("X-Error-Reason") != "BackendConnectionFailure" {
		t.Errorf("backend failure: %v", r.header)
	}
	r = expectStatus(t, in, 503, "/fail/x")
	if r.header.Get("X-Error-Source") != "set-variable" {
		t.Errorf("expression failure: %v", r.header)
	}
	expectStatus(t, in, 200, "/fail/x", "X-N: 5")
}

func TestPolicyCheckCommand(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.xml")
	bad := filepath.Join(dir, "bad.xml")
	// A policy exported from a management plane names its backends and
	// certificates, which only the plane has.
	os.WriteFile(good, []byte(`<policies><inbound><base /><set-header name="x"><value>{{anything}}</value></set-header>`+
		`<set-backend-service backend-id="orders" /><authentication-certificate certificate-id="client" /></inbound></policies>`), 0o600)
	os.WriteFile(bad, []byte("<policies>\n<inbound>\n<nope />\n</inbound>\n</policies>"), 0o600)
	bin := buildGatehouse(t)
	if out, err := exec.Command(bin, "policy", "check", good).CombinedOutput(); err != nil {
		t.Errorf("check of a valid file: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "policy", "check", good, bad)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(stderr.String(), bad+":3:1: <nope>: unknown or unsupported policy element") {
		t.Errorf("check of an invalid file: %v\n%s", err, stderr.String())
	}
}

func TestMockResponseFromExamples(t *testing.T) {
	in := startServe(t, t.TempDir(), "")
	in.must("PUT", "/apis/pets", `{"properties":{"displayName":"Pets","path":"pets","serviceUrl":"http://127.0.0.1:1","subscriptionRequired":false}}`)
	in.must("PUT", "/apis/pets/operations/get-pet", `{"properties":{"method":"GET","urlTemplate":"/pets/{id}","responses":[
		{"statusCode":404,"representations":[{"contentType":"application/json","examples":{"missing":{"value":{"error":"no pet"}}}}]},
		{"statusCode":200,"representations":[{"contentType":"application/json","examples":{"default":{"value":{"id":1,"name":"Rex"}}}}]}]}}`)
	mustPolicy(t, in, "/apis/pets/operations/get-pet", `<policies><inbound><base /><mock-response /></inbound><backend><base /></backend></policies>`)
	r := expectStatus(t, in, 200, "/pets/pets/1")
	if r.header.Get("Content-Type") != "application/json" || strings.ReplaceAll(string(r.body), " ", "") != `{"id":1,"name":"Rex"}` {
		t.Errorf("mock of the first 2xx example: %s %q", r.header.Get("Content-Type"), r.body)
	}
	mustPolicy(t, in, "/apis/pets/operations/get-pet", `<policies><inbound><base /><mock-response status-code="404" /></inbound><backend><base /></backend></policies>`)
	r = expectStatus(t, in, 404, "/pets/pets/1")
	if !strings.Contains(string(r.body), "no pet") {
		t.Errorf("mock of the 404 example: %q", r.body)
	}
}

func TestFragmentsInsideChooseAndRetry(t *testing.T) {
	backend := newBackend(t)
	in := startServe(t, t.TempDir(), "")
	in.must("PUT", "/apis/plans", `{"properties":{"displayName":"plans","path":"plans","serviceUrl":"`+backend.URL+`","subscriptionRequired":false}}`)
	in.must("PUT", "/apis/plans/operations/any", `{"properties":{"method":"*","urlTemplate":"/*"}}`)
	header := func(name, value string) string {
		return `<set-header name="` + name + `" exists-action="override"><value>` + value + `</value></set-header>`
	}
	for _, f := range []struct{ id, xml string }{
		{"stamp", `<fragment>` + header("X-Stamp", "stamped") + `</fragment>`},
		{"gold", `<fragment>` + header("X-Tier", "gold") + `</fragment>`},
		{"basic", `<fragment><choose><when condition="@(true)"><include-fragment fragment-id="stamp" /></when></choose>` + header("X-Tier", "basic") + `</fragment>`},
		{"forward", `<fragment><forward-request timeout="10" /></fragment>`},
	} {
		body, _ := json.Marshal(map[string]any{"properties": map[string]string{"format": "rawxml", "value": f.xml}})
		in.must("PUT", "/policyFragments/"+f.id, string(body))
	}
	mustPolicy(t, in, "/apis/plans", `<policies>
  <inbound>
    <base />
    <choose>
      <when condition="@(context.Request.Headers.GetValueOrDefault(&quot;X-Plan&quot;, &quot;&quot;) == &quot;gold&quot;)"><include-fragment fragment-id="gold" /></when>
      <otherwise><include-fragment fragment-id="basic" /></otherwise>
    </choose>
  </inbound>
  <backend>
    <retry condition="@(context.Response.StatusCode >= 500)" count="1" interval="0"><include-fragment fragment-id="forward" /></retry>
  </backend>
</policies>`)

	var r reply
	eventually(t, time.Second, "the plans policy live", func() bool {
		r = in.call("GET", "/plans/x", "X-Plan: gold")
		return r.status == 200 && decodeSeen(t, r).Header.Get("X-Tier") != ""
	})
	if got := decodeSeen(t, r).Header; got.Get("X-Tier") != "gold" || got.Get("X-Stamp") != "" {
		t.Errorf("gold plan: backend saw %v", got)
	}
	got := decodeSeen(t, in.call("GET", "/plans/x")).Header
	if got.Get("X-Tier") != "basic" || got.Get("X-Stamp") != "stamped" {
		t.Errorf("basic plan, a fragment in a fragment's <when>: backend saw %v", got)
	}
	// The fragment included inside another's <when> is in use.
	if r := in.mgmt("DELETE", "/policyFragments/stamp", ""); r.status != 409 || !strings.Contains(string(r.body), "/policyFragments/basic") {
		t.Errorf("DELETE a fragment in use: %d %s", r.status, r.body)
	}
}
