package builtin

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"strings"
	"testing"
)

func TestParseDistinguishedName(t *testing.T) {
	t.Parallel()
	cn, o, c, st := asn1.ObjectIdentifier{2, 5, 4, 3}, asn1.ObjectIdentifier{2, 5, 4, 10}, asn1.ObjectIdentifier{2, 5, 4, 6}, asn1.ObjectIdentifier{2, 5, 4, 8}
	tests := []struct {
		name, in string
		want     []pkix.AttributeTypeAndValue
		err      string
	}{
		// APIM's example: "You must use double quotes to enclose values of
		// name attributes in the subject and issuer-subject attributes when
		// they contain certain special characters such as ','."
		{name: "APIM's example", in: `C=US, ST=Illinois, O="Contoso, Inc.", CN=*.contoso.com`,
			want: []pkix.AttributeTypeAndValue{{Type: c, Value: "US"}, {Type: st, Value: "Illinois"}, {Type: o, Value: "Contoso, Inc."}, {Type: cn, Value: "*.contoso.com"}}},
		{name: "RFC 4514 escapes", in: `CN=a\,b+O=x\2Cy;OID.2.5.4.3=z`,
			want: []pkix.AttributeTypeAndValue{{Type: cn, Value: "a,b"}, {Type: o, Value: "x,y"}, {Type: cn, Value: "z"}}},
		{name: "doubled quote", in: `O="say ""hi"""`, want: []pkix.AttributeTypeAndValue{{Type: o, Value: `say "hi"`}}},
		{name: "lower-case type", in: `cn = Client `, want: []pkix.AttributeTypeAndValue{{Type: cn, Value: "Client"}}},
		{name: "empty", in: "  ", err: "empty distinguished name"},
		{name: "no equals", in: "CN", err: "has no '='"},
		{name: "unknown type", in: "XX=1", err: "unknown attribute type"},
		{name: "trailing comma", in: "CN=a,", err: "ends with a separator"},
		{name: "empty value", in: "CN=,O=x", err: "empty value"},
		{name: "open quote", in: `O="abc`, err: "no closing quote"},
		{name: "text after quote", in: `O="abc" d`, err: "after a quoted value"},
		{name: "stray quote", in: `O=ab"c`, err: "quote inside"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseDistinguishedName(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("parse %q: %v, want an error with %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parse %q: %v", tt.in, err)
			}
			if !namesMatch(tt.want, got) || len(got) != len(tt.want) {
				t.Errorf("parse %q = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// TestNamesMatch: names match whatever the order of their attributes and
// the case of their values, but only with the same attributes.
func TestNamesMatch(t *testing.T) {
	t.Parallel()
	cert := pkix.Name{CommonName: "Client 1", Organization: []string{"Contoso, Inc."}, Country: []string{"US"}}
	var rdn pkix.RDNSequence
	if _, err := asn1.Unmarshal(mustMarshal(t, cert.ToRDNSequence()), &rdn); err != nil {
		t.Fatal(err)
	}
	var parsed pkix.Name
	parsed.FillFromRDNSequence(&rdn)
	for in, want := range map[string]bool{
		`CN=Client 1, O="Contoso, Inc.", C=US`:       true,
		`C=us, O="contoso, inc.", CN=client 1`:       true,
		`CN=Client 1, O="Contoso, Inc."`:             false,
		`CN=Client 1, O=Contoso, C=US`:               false,
		`CN=Client 1, O="Contoso, Inc.", C=US, OU=x`: false,
	} {
		want1, err := parseDistinguishedName(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := namesMatch(want1, parsed.Names); got != want {
			t.Errorf("%s against %v: %v, want %v", in, parsed.Names, got, want)
		}
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzParseDistinguishedName: no panic; a name has 1 to
// maxNameAttributes attributes with non-empty values, or an error.
func FuzzParseDistinguishedName(f *testing.F) {
	for _, s := range []string{`C=US, ST=Illinois, O="Contoso, Inc.", CN=*.contoso.com`, `CN=a\,b+O=x\2Cy;OID.2.5.4.3=z`,
		`O="say ""hi"""`, `1.2.3=x`, `CN=\`, `O="a\"b"`, ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, err := parseDistinguishedName(s)
		if err != nil {
			return
		}
		if len(name) == 0 || len(name) > maxNameAttributes {
			t.Fatalf("parse %q: %d attributes", s, len(name))
		}
		for _, a := range name {
			if v, ok := a.Value.(string); !ok || v == "" {
				t.Fatalf("parse %q: attribute %v has value %v", s, a.Type, a.Value)
			}
		}
		if !namesMatch(name, name) {
			t.Fatalf("parse %q: a name does not match itself", s)
		}
	})
}

// TestValidateClientCertificateCompileErrors: what is wrong in the
// element is reported when it is saved, with the attribute.
func TestValidateClientCertificateCompileErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, elem, want string }{
		{"bad boolean", `<validate-client-certificate validate-trust="yes" />`, `"yes": want true or false`},
		{"expression", `<validate-client-certificate validate-trust="@(true)" />`, "an expression is not allowed"},
		{"unknown attribute", `<validate-client-certificate negotiate="true" />`, "unknown attribute"},
		{"certificate-id is not APIM's", `<validate-client-certificate><identities><identity certificate-id="c" /></identities></validate-client-certificate>`, "unknown attribute"},
		{"empty identities", `<validate-client-certificate><identities /></validate-client-certificate>`, "at least one <identity>"},
		{"empty identity", `<validate-client-certificate><identities><identity /></identities></validate-client-certificate>`, "needs at least one of"},
		{"other child", `<validate-client-certificate><identity thumbprint="x" /></validate-client-certificate>`, "only <identities>"},
		{"bad thumbprint", `<validate-client-certificate><identities><identity thumbprint="abc" /></identities></validate-client-certificate>`, "is not a certificate thumbprint"},
		{"bad serial", `<validate-client-certificate><identities><identity serial-number="xyz" /></identities></validate-client-certificate>`, "is not a serial number"},
		{"bad subject", `<validate-client-certificate><identities><identity subject="CN=a, Q=b" /></identities></validate-client-certificate>`, "is not a distinguished name"},
		{"empty value", `<validate-client-certificate><identities><identity common-name=" " /></identities></validate-client-certificate>`, "must not be empty"},
		{"issuer id and subject", `<validate-client-certificate><identities><identity issuer-certificate-id="ca" issuer-subject="CN=x" /></identities></validate-client-certificate>`, "excludes issuer-subject"},
		{"unknown issuer id", `<validate-client-certificate><identities><identity issuer-certificate-id="nope" /></identities></validate-client-certificate>`, `there is no certificate "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := compileDoc(nil, inbound(tt.elem))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: %v, want an error with %q", tt.elem, err, tt.want)
			}
		})
	}
	if _, err := compileDoc(nil, `<policies><outbound><validate-client-certificate validate-revocation="false" /></outbound></policies>`); err == nil ||
		!strings.Contains(err.Error(), "inbound") {
		t.Errorf("in outbound: %v", err)
	}
	if _, err := compileDoc(nil, inbound(`<validate-client-certificate validate-revocation="false"><identities>
  <identity thumbprint="AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01" serial-number="00 ff" subject='C=US, O="Contoso, Inc.", CN=x' dns-name="x.example.com" />
</identities></validate-client-certificate>`)); err != nil {
		t.Errorf("a valid element: %v", err)
	}
}
