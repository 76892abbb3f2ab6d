package model

import (
	"slices"
	"testing"
)

func TestCertificateRefs(t *testing.T) {
	nv := map[string]string{"which": "client-b"}
	resolve := func(s string) string { return ExpandNamedValues(s, nv) }
	doc := `<policies><inbound>
	  <authentication-certificate certificate-id="client-a" />
	  <AUTHENTICATION-CERTIFICATE
	      certificate-id='{{Which}}'/>
	  <authentication-certificate thumbprint="ABCD" />
	  <validate-jwt><issuer-signing-keys><key certificate-id="jwt-signer" /><key id="k" n="x" e="AQAB" /></issuer-signing-keys></validate-jwt>
	  <validate-client-certificate><identities><identity thumbprint="NOT-THIS" /></identities></validate-client-certificate>
	  <set-header name="certificate-id" exists-action="override"><value>x</value></set-header>
	</inbound></policies>`
	ids, thumbs := CertificateRefs(doc, resolve)
	if !slices.Equal(ids, []string{"client-a", "client-b", "jwt-signer"}) || !slices.Equal(thumbs, []string{"ABCD"}) {
		t.Errorf("CertificateRefs = %v, %v", ids, thumbs)
	}
	if ids, thumbs := CertificateRefs(`<policies />`, nil); ids != nil || thumbs != nil {
		t.Errorf("no elements: %v, %v", ids, thumbs)
	}
}

func TestExpandNamedValues(t *testing.T) {
	nv := map[string]string{"key": "k1", "b": "2"}
	for in, want := range map[string]string{
		"{{key}}":                "k1",
		"Bearer {{ KEY }}-{{b}}": "Bearer k1-2",
		"{{missing}} {{key":      "{{missing}} {{key",
		"plain":                  "plain",
	} {
		if got := ExpandNamedValues(in, nv); got != want {
			t.Errorf("ExpandNamedValues(%q) = %q, want %q", in, got, want)
		}
	}
}
