package mgmt

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/certificate"
	"github.com/gatehouse/gatehouse/internal/certificate/certtest"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

func certBody(t *testing.T, data, password string) string {
	t.Helper()
	p := map[string]string{"data": data}
	if password != "" {
		p["password"] = password
	}
	b, err := json.Marshal(map[string]any{"properties": p})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCertificateUpload(t *testing.T) {
	a := newTestAPI(t)
	ca := certtest.NewCA(t, "Upload CA")
	leaf := ca.Issue(t, certtest.Options{CommonName: "client.example.com"})
	expired := ca.Issue(t, certtest.Options{CommonName: "old", NotBefore: time.Now().Add(-72 * time.Hour), NotAfter: time.Now().Add(-time.Hour)})
	thumb := certificate.Thumbprint(leaf.Cert)

	r := a.do("PUT", "/certificates/client", certBody(t, leaf.PFXBase64(t, "pfx-pass"), "pfx-pass"))
	if r.status != 201 {
		t.Fatalf("PUT a PFX: %d %s", r.status, r.raw)
	}
	props := r.body["properties"].(map[string]any)
	if props["thumbprint"] != thumb || props["subject"] != "CN=client.example.com,O=Gatehouse tests" ||
		props["expirationDate"] != leaf.Cert.NotAfter.UTC().Format(time.RFC3339) {
		t.Errorf("PUT answered properties %v; want thumbprint %s", props, thumb)
	}
	for _, path := range []string{"/certificates/client", "/certificates"} {
		got := a.must("GET", path, "").raw
		if strings.Contains(got, "data") || strings.Contains(got, "password") || strings.Contains(got, "pfx-pass") || !strings.Contains(got, thumb) {
			t.Errorf("GET %s shows the material or lacks the thumbprint: %s", path, got)
		}
	}
	// The whole material is sealed; the store's secret is the PEM.
	var rec *store.Record
	err := a.store.View(context.Background(), func(r store.Reader) error {
		var err error
		rec, err = r.Get(context.Background(), model.KindCertificate, "", "client")
		return err
	})
	if err != nil || !strings.Contains(string(rec.Secret), "PRIVATE KEY") || strings.Contains(string(rec.Props), "PRIVATE") {
		t.Errorf("stored certificate: %v, props %s", err, rec.Props)
	}

	// PATCH without data keeps the material.
	if r := a.do("PATCH", "/certificates/client", `{"properties": {}}`); r.status != 200 || r.body["properties"].(map[string]any)["thumbprint"] != thumb {
		t.Errorf("PATCH without data: %d %s", r.status, r.raw)
	}

	tests := []struct {
		name, data, password, wantTarget string
	}{
		{"wrong password", leaf.PFXBase64(t, "pfx-pass"), "nope", "properties.password"},
		{"garbage", "bm90IGEgY2VydGlmaWNhdGU=", "", "properties.data"},
		{"no data", "", "", "properties.data"},
		{"expired", expired.PFXBase64(t, "p"), "p", "properties.data"},
	}
	for _, tt := range tests {
		r := a.do("PUT", "/certificates/bad", certBody(t, tt.data, tt.password))
		if code, target, _ := errorOf(t, r); r.status != 400 || code != "ValidationError" || target != tt.wantTarget {
			t.Errorf("%s: %d %s %s, want 400 ValidationError %s", tt.name, r.status, code, target, tt.wantTarget)
		}
	}
	// PEM (an extension) and certificates without a private key.
	a.must("PUT", "/certificates/root", certBody(t, ca.CertPEM(), ""))
	a.must("PUT", "/certificates/pem-client", certBody(t, leaf.PEM(t), ""))
}

func TestCertificateReferences(t *testing.T) {
	a := newTestAPI(t)
	ca := certtest.NewCA(t, "Refs CA")
	leaf := ca.Issue(t, certtest.Options{CommonName: "client"})
	a.must("PUT", "/certificates/client", certBody(t, leaf.PEM(t), ""))
	a.must("PUT", "/certificates/by-thumb", certBody(t, ca.Issue(t, certtest.Options{CommonName: "t"}).PEM(t), ""))
	a.must("PUT", "/certificates/root", certBody(t, ca.CertPEM(), ""))
	a.must("PUT", "/apis/echo", `{"properties": {"displayName": "Echo", "path": "echo", "serviceUrl": "https://echo.example.com"}}`)

	// Backends: certificateIds must exist and have a private key.
	backend := func(ids string) string {
		return `{"properties": {"url": "https://orders.example.com", "credentials": {"certificateIds": [` + ids + `]}}}`
	}
	for ids, target := range map[string]string{`"missing"`: "properties.credentials.certificateIds", `"root"`: "properties.credentials.certificateIds"} {
		r := a.do("PUT", "/backends/orders", backend(ids))
		if _, got, _ := errorOf(t, r); r.status != 400 || got != target {
			t.Errorf("backend with certificate %s: %d %s", ids, r.status, r.raw)
		}
	}
	a.must("PUT", "/backends/orders", backend(`"client"`))

	// authentication-certificate: unknown ids and thumbprints are refused
	// with their position.
	pol := func(attr string) string {
		b, _ := json.Marshal(map[string]any{"properties": map[string]string{"format": "rawxml",
			"value": "<policies>\n<inbound>\n  <authentication-certificate " + attr + " />\n</inbound>\n</policies>"}})
		return string(b)
	}
	for _, attr := range []string{`certificate-id="nope"`, `thumbprint="0000"`, `certificate-id="root"`} {
		r := a.do("PUT", "/apis/echo/policy", pol(attr))
		if r.status != 400 || !strings.Contains(r.raw, "3:") || !strings.Contains(r.raw, "authentication-certificate") {
			t.Errorf("policy with %s: %d %s", attr, r.status, r.raw)
		}
	}
	a.must("PUT", "/apis/echo/policy", pol(`certificate-id="client"`))
	a.must("PUT", "/policy", pol(`thumbprint="`+strings.ToLower(certificateThumbprint(t, a, "by-thumb"))+`"`))

	// Gateway certificate authorities.
	a.must("PUT", "/gateways/edge", `{"properties": {"description": "Edge"}}`)
	if r := a.do("PUT", "/gateways/edge/certificateAuthorities/missing", `{"properties": {"isTrusted": true}}`); r.status != 404 {
		t.Errorf("certificate authority of a missing certificate: %d %s", r.status, r.raw)
	}
	if r := a.do("PUT", "/gateways/edge/certificateAuthorities/ROOT", `{"properties": {"isTrusted": true}}`); r.status != 201 ||
		r.body["id"] != "/gateways/edge/certificateAuthorities/root" {
		t.Errorf("PUT certificate authority: %d %s", r.status, r.raw)
	}
	if r := a.must("GET", "/gateways/edge/certificateAuthorities", ""); r.body["count"] != float64(1) {
		t.Errorf("list certificate authorities: %s", r.raw)
	}

	// Replacing what is used is refused when it would break the user.
	if r := a.do("PUT", "/certificates/client", certBody(t, ca.CertPEM(), "")); r.status != 409 || !strings.Contains(r.raw, "private key") {
		t.Errorf("replace a client certificate with a CA certificate: %d %s", r.status, r.raw)
	}
	other := ca.Issue(t, certtest.Options{CommonName: "other"})
	if r := a.do("PUT", "/certificates/by-thumb", certBody(t, other.PEM(t), "")); r.status != 409 || !strings.Contains(r.raw, "thumbprint") {
		t.Errorf("replace a certificate a policy names by thumbprint: %d %s", r.status, r.raw)
	}
	a.must("PUT", "/certificates/client", certBody(t, other.PEM(t), "")) // used by id: a new key pair is fine

	// Deleting what is used is refused.
	for id, want := range map[string]string{"client": "backend 'orders'", "by-thumb": "global policy", "root": "gateway 'edge'"} {
		r := a.do("DELETE", "/certificates/"+id, "")
		if r.status != 409 || !strings.Contains(r.raw, want) {
			t.Errorf("DELETE certificate %s: %d %s; want 409 naming %s", id, r.status, r.raw, want)
		}
	}
	a.must("DELETE", "/backends/orders", "")
	if r := a.do("DELETE", "/certificates/client", ""); r.status != 409 || !strings.Contains(r.raw, "/apis/echo") {
		t.Errorf("DELETE certificate used by a policy: %d %s", r.status, r.raw)
	}
	a.must("DELETE", "/apis/echo/policy", "")
	a.must("DELETE", "/certificates/client", "")
	a.must("DELETE", "/gateways/edge", "") // takes its certificate authorities along
	a.must("DELETE", "/certificates/root", "")
}

func certificateThumbprint(t *testing.T, a *testAPI, id string) string {
	t.Helper()
	return a.must("GET", "/certificates/"+id, "").body["properties"].(map[string]any)["thumbprint"].(string)
}
