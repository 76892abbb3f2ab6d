package storetest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

// testCertificates stores certificates as the management API does (the
// PEM material, private key included, as the sealed secret) and gateway
// certificate authorities as child records: the material must be sealed
// at rest, survive a reopen, and the authorities be found by certificate.
func testCertificates(t *testing.T, h Harness) {
	sealer := NewSealer(t)
	s := open(t, h, sealer)
	material := []byte("-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n" +
		"-----BEGIN PRIVATE KEY-----\n" + strings.Repeat("K3y", 20) + "\n-----END PRIVATE KEY-----\n")
	c := rec(model.KindCertificate, "", "Client-Cert", `{"subject":"CN=client","thumbprint":"ABCDEF","expirationDate":"2030-01-01T00:00:00Z"}`)
	c.Secret = material
	ca := rec(model.KindCertificate, "", "root-ca", `{"subject":"CN=root","thumbprint":"012345"}`)
	ca.Secret = []byte("-----BEGIN CERTIFICATE-----\nMIIBroot\n-----END CERTIFICATE-----\n")
	put(t, s, c, ca,
		rec(model.KindGatewayCertificateAuthority, "edge", "root-ca", `{"isTrusted":true}`),
		rec(model.KindGatewayCertificateAuthority, "managed", "Root-CA", `{"isTrusted":false}`))

	raw := h.RawSecret(t, model.KindCertificate, "", "client-cert")
	if len(raw) == 0 || bytes.Contains(raw, []byte("K3yK3y")) || bytes.Contains(raw, []byte("PRIVATE KEY")) {
		t.Errorf("the certificate's material is not sealed at rest: %q", raw)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, h, sealer)
	got := mustGet(t, s, model.KindCertificate, "", "CLIENT-CERT")
	if got.ID != "Client-Cert" || !bytes.Equal(got.Secret, material) || !strings.Contains(string(got.Props), `"thumbprint":"ABCDEF"`) {
		t.Errorf("certificate after reopen: id %q, props %s, secret %q", got.ID, got.Props, got.Secret)
	}
	if all := list(t, s, store.Query{Kind: model.KindCertificate}); len(all) != 2 || all[0].ID != "Client-Cert" || all[1].ID != "root-ca" {
		t.Errorf("list certificates: %d records", len(all))
	}
	byCert := list(t, s, store.Query{Kind: model.KindGatewayCertificateAuthority, ID: "ROOT-CA"})
	if len(byCert) != 2 || byCert[0].Parent != "edge" || byCert[1].Parent != "managed" {
		t.Errorf("certificate authorities of root-ca: %d records", len(byCert))
	}
	if edge := list(t, s, store.Query{Kind: model.KindGatewayCertificateAuthority, Parent: "EDGE"}); len(edge) != 1 ||
		string(edge[0].Props) != `{"isTrusted":true}` || edge[0].Secret != nil {
		t.Errorf("certificate authorities of edge: %+v", edge)
	}
}
