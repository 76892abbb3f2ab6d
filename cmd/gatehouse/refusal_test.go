package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/certificate/certtest"
)

// refusalFixture is a management plane whose API "orders" uses a named
// value (through a fragment), a backend and a certificate, and whose API
// "billing" uses the same fragment from its operation's policy.
type refusalFixture struct {
	in      *instance
	backend string
}

func newRefusalFixture(t *testing.T) *refusalFixture {
	t.Helper()
	backend := newBackend(t)
	in := startServe(t, t.TempDir(), "")
	f := &refusalFixture{in: in, backend: backend.URL}
	ca := certtest.NewCA(t, "Refusals CA")
	pemText := ca.Issue(t, certtest.Options{CommonName: "client"}).PEM(t)
	cert, _ := json.Marshal(map[string]any{"properties": map[string]string{"data": pemText}})
	in.must("PUT", "/certificates/client-cert", string(cert))
	in.must("PUT", "/namedValues/nv-secret", `{"properties":{"displayName":"backend-secret","value":"s3cret"}}`)
	in.must("PUT", "/backends/orders-be", `{"properties":{"url":"`+backend.URL+`/be","protocol":"http"}}`)
	in.must("PUT", "/policyFragments/add-auth", `{"properties":{"format":"rawxml","value":"<fragment>\n  <set-header name=\"x-secret\" exists-action=\"override\">\n    <value>{{backend-secret}}</value>\n  </set-header>\n</fragment>"}}`)
	for _, api := range []string{"orders", "billing"} {
		in.must("PUT", "/apis/"+api, `{"properties":{"displayName":"`+api+`","path":"`+api+`","serviceUrl":"`+backend.URL+`/`+api+`","subscriptionRequired":false}}`)
		in.must("PUT", "/apis/"+api+"/operations/any", `{"properties":{"method":"GET","urlTemplate":"/*"}}`)
	}
	in.must("PUT", "/apis/orders/policy", policyBody("<policies>\n  <inbound>\n    <base />\n    <include-fragment fragment-id=\"add-auth\" />\n    <set-backend-service backend-id=\"orders-be\" />\n    <authentication-certificate certificate-id=\"client-cert\" />\n  </inbound>\n</policies>"))
	in.must("PUT", "/apis/billing/operations/any/policy", policyBody("<policies>\n  <inbound>\n    <base />\n    <include-fragment fragment-id=\"add-auth\" />\n  </inbound>\n  <outbound>\n    <base />\n    <include-fragment fragment-id=\"add-auth\" />\n  </outbound>\n</policies>"))
	f.expectServed(t)
	return f
}

func policyBody(xml string) string {
	b, _ := json.Marshal(map[string]any{"properties": map[string]string{"format": "rawxml", "value": xml}})
	return string(b)
}

// expectServed waits until both APIs answer through the gateway with the
// named value's value (the gateway installs changes within a second).
func (f *refusalFixture) expectServed(t *testing.T) {
	t.Helper()
	var orders, billing seen
	eventually(t, time.Second, "orders and billing served with their policies", func() bool {
		orders = decodeSeen(t, f.in.call("GET", "/orders/a"))
		billing = decodeSeen(t, f.in.call("GET", "/billing/a"))
		return orders.Path == "/be/a" && orders.Header.Get("X-Secret") == "s3cret" && billing.Header.Get("X-Secret") == "s3cret"
	})
}

// TestWritesThatBreakAPIsAreRefused changes, one at a time, what the
// APIs' policies depend on. Each change is refused with 409 naming the
// dependents (checked against a golden file), nothing is stored, and the
// gateway keeps serving both APIs as before.
func TestWritesThatBreakAPIsAreRefused(t *testing.T) {
	f := newRefusalFixture(t)
	tests := []struct {
		name, method, path, body string
		golden                   string
		// wantStored is a management GET that must still answer 200 with
		// this text after the refusal.
		check, want string
		notWant     string
	}{
		{name: "rename a named value", method: "PATCH", path: "/namedValues/nv-secret", body: `{"properties":{"displayName":"renamed"}}`,
			golden: "rename-named-value", check: "/namedValues/nv-secret", want: `"displayName": "backend-secret"`},
		{name: "delete a named value", method: "DELETE", path: "/namedValues/nv-secret",
			golden: "delete-named-value", check: "/namedValues/nv-secret", want: `"displayName": "backend-secret"`},
		{name: "delete a backend", method: "DELETE", path: "/backends/orders-be",
			golden: "delete-backend", check: "/backends/orders-be", want: `"url"`},
		{name: "delete a fragment", method: "DELETE", path: "/policyFragments/add-auth",
			golden: "delete-fragment", check: "/policyFragments/add-auth", want: `x-secret`},
		{name: "delete a certificate", method: "DELETE", path: "/certificates/client-cert",
			golden: "delete-certificate", check: "/certificates/client-cert", want: `"thumbprint"`},
		{name: "a fragment edit that breaks an operation's outbound", method: "PUT", path: "/policyFragments/add-auth",
			body:   `{"properties":{"format":"rawxml","value":"<fragment>\n  <set-header name=\"x-secret\" exists-action=\"override\">\n    <value>{{backend-secret}}</value>\n  </set-header>\n  <rewrite-uri template=\"/v2/\" />\n</fragment>"}}`,
			golden: "edit-fragment", check: "/policyFragments/add-auth", want: `x-secret`, notWant: "rewrite-uri"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.in.mgmt(tt.method, tt.path, tt.body)
			if r.status != http.StatusConflict {
				t.Fatalf("%s %s: %d %s, want 409", tt.method, tt.path, r.status, r.body)
			}
			checkGolden(t, filepath.Join("testdata", "refusals", tt.golden+".json"), r.body)
			if tt.check != "" {
				got := string(f.in.must("GET", tt.check, "").body)
				if !strings.Contains(got, tt.want) || tt.notWant != "" && strings.Contains(got, tt.notWant) {
					t.Errorf("after the refusal GET %s = %s, want it unchanged", tt.check, got)
				}
			}
			f.expectServed(t)
		})
	}
}

// TestReferencesListUses checks GET .../references for each kind.
func TestReferencesListUses(t *testing.T) {
	f := newRefusalFixture(t)
	for path, want := range map[string][]string{
		"/namedValues/nv-secret/references":    {`"api": "billing"`, `"api": "orders"`, `"resource": "/policyFragments/add-auth"`, `"element": "fragment/set-header[1]/value[1]"`},
		"/backends/orders-be/references":       {`"resource": "/apis/orders/policy"`, `"element": "inbound/set-backend-service[1]"`, `"line": 5`},
		"/policyFragments/add-auth/references": {`"resource": "/apis/billing/operations/any/policy"`, `"resource": "/apis/orders/policy"`},
		"/certificates/client-cert/references": {`"element": "inbound/authentication-certificate[1]"`, `"count": 1`},
	} {
		r := f.in.must("GET", path, "")
		for _, w := range want {
			if !strings.Contains(string(r.body), w) {
				t.Errorf("GET %s lacks %s: %s", path, w, r.body)
			}
		}
	}
}

// TestChangesThatKeepAPIsWorkingAreAccepted: a secret flip keeps the
// value, and a named value is renamed the way the refusal suggests: add
// the new name, move the users to it, then delete the old one.
func TestChangesThatKeepAPIsWorkingAreAccepted(t *testing.T) {
	f := newRefusalFixture(t)
	f.in.must("PATCH", "/namedValues/nv-secret", `{"properties":{"secret":true}}`)
	f.expectServed(t)
	f.in.must("PUT", "/namedValues/nv-renamed", `{"properties":{"displayName":"renamed","value":"s3cret","secret":true}}`)
	f.in.must("PUT", "/policyFragments/add-auth", `{"properties":{"format":"rawxml","value":"<fragment><set-header name=\"x-secret\" exists-action=\"override\"><value>{{renamed}}</value></set-header></fragment>"}}`)
	f.in.must("DELETE", "/namedValues/nv-secret", "")
	f.expectServed(t)
	if r := f.in.must("GET", "/namedValues/nv-renamed/references", ""); !strings.Contains(string(r.body), `"count": 2`) {
		t.Errorf("references of the new name: %s", r.body)
	}
}

// checkGolden compares got, a JSON body, with the golden file; with
// GATEHOUSE_UPDATE_GOLDEN=1 it writes the file instead.
func checkGolden(t *testing.T, file string, got []byte) {
	t.Helper()
	got = append(bytes.TrimSpace(got), '\n')
	if os.Getenv("GATEHOUSE_UPDATE_GOLDEN") == "1" {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("golden file: %v (run with GATEHOUSE_UPDATE_GOLDEN=1 to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("body differs from %s:\n got: %s\nwant: %s", file, got, want)
	}
}
