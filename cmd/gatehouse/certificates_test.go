package main

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/certificate/certtest"
)

// TestBackendMutualTLSThroughServe uploads a PFX client certificate and a
// private CA through the management API of a running `gatehouse serve`,
// and checks that the embedded gateway reaches an mTLS backend with them,
// then that it refuses the backend once the CA is no longer trusted.
func TestBackendMutualTLSThroughServe(t *testing.T) {
	backendCA := certtest.NewCA(t, "Backend CA")
	clientCA := certtest.NewCA(t, "Client CA")
	server := backendCA.Issue(t, certtest.Options{CommonName: "orders", Hosts: []string{"127.0.0.1"}})
	client := clientCA.Issue(t, certtest.Options{CommonName: "gatehouse-client"})

	backend := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{
			"client": r.TLS.PeerCertificates[0].Subject.CommonName,
			"key":    r.Header.Get("X-Api-Key"),
			"path":   r.URL.Path,
		})
	}))
	backend.TLS = &tls.Config{Certificates: []tls.Certificate{server.TLS()}, ClientAuth: tls.RequireAndVerifyClientCert,
		ClientCAs: clientCA.Pool(), MinVersion: tls.VersionTLS12}
	backend.Config.ErrorLog = log.New(io.Discard, "", 0)
	backend.StartTLS()
	t.Cleanup(backend.Close)

	in := startServe(t, t.TempDir(), "")
	upload, _ := json.Marshal(map[string]any{"properties": map[string]string{"data": client.PFXBase64(t, "pfx-secret"), "password": "pfx-secret"}})
	r := in.must("PUT", "/certificates/client", string(upload))
	if props := r.json(t)["properties"].(map[string]any); props["thumbprint"] == "" || strings.Contains(string(r.body), "pfx-secret") {
		t.Fatalf("PUT certificate answered %s", r.body)
	}
	caUpload, _ := json.Marshal(map[string]any{"properties": map[string]string{"data": backendCA.CertPEM()}})
	in.must("PUT", "/certificates/backend-ca", string(caUpload))
	in.must("PUT", "/gateways/managed/certificateAuthorities/backend-ca", `{"properties": {"isTrusted": true}}`)
	in.must("PUT", "/namedValues/orders-key", `{"properties": {"displayName": "orders-key", "value": "k-42", "secret": true}}`)
	in.must("PUT", "/backends/orders", `{"properties": {"url": "`+backend.URL+`/v1", "credentials": {"certificateIds": ["client"], "header": {"X-Api-Key": ["{{orders-key}}"]}}}}`)
	in.must("PUT", "/apis/orders", `{"properties": {"displayName": "Orders", "path": "orders", "serviceUrl": "http://127.0.0.1:1", "subscriptionRequired": false}}`)
	in.must("PUT", "/apis/orders/operations/all", `{"properties": {"displayName": "All", "method": "*", "urlTemplate": "/*"}}`)
	in.must("PUT", "/apis/orders/policy", `{"properties": {"format": "rawxml", "value": "<policies><inbound><base /><set-backend-service backend-id=\"orders\" /></inbound><backend><forward-request /></backend></policies>"}}`)

	var got map[string]string
	eventually(t, 5*time.Second, "the gateway reaches the mTLS backend", func() bool {
		r := in.call("GET", "/orders/items")
		return r.status == 200 && json.Unmarshal(r.body, &got) == nil
	})
	if got["client"] != "gatehouse-client" || got["key"] != "k-42" || got["path"] != "/v1/items" {
		t.Errorf("backend saw %v", got)
	}

	in.must("DELETE", "/gateways/managed/certificateAuthorities/backend-ca", "")
	eventually(t, 5*time.Second, "the gateway refuses the backend's certificate", func() bool {
		return in.call("GET", "/orders/items").status == http.StatusBadGateway
	})
	if r := in.mgmt("DELETE", "/certificates/client", ""); r.status != http.StatusConflict {
		t.Errorf("DELETE a certificate a backend uses: %d %s", r.status, r.body)
	}
}
