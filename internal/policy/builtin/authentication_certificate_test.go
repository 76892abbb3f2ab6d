package builtin

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/certificate/certtest"
	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

const testThumbprint = "0123456789ABCDEF0123456789ABCDEF01234567"

func certEnv() policy.Env {
	return policy.Env{Certificates: map[string]*policy.Certificate{
		"client": {ID: "Client", Thumbprint: testThumbprint, HasKey: true},
		"ca":     {ID: "ca", Thumbprint: "FFFF", HasKey: false},
	}}
}

func compileWith(t *testing.T, env policy.Env, doc string) (*policy.Pipeline, error) {
	t.Helper()
	d, err := policy.ParseIn(doc, env)
	if err != nil {
		t.Fatal(err)
	}
	eff, err := policy.Merge(nil, d)
	if err != nil {
		t.Fatal(err)
	}
	return NewRegistry().Compile(eff, env)
}

func TestAuthenticationCertificateCompile(t *testing.T) {
	tests := []struct {
		name, elem string
		any        bool
		anyNamed   bool   // named values not known (policy check)
		wantErr    string // substring of the diagnostics; "" for none
	}{
		{name: "thumbprint from an unknown named value", elem: `<authentication-certificate thumbprint="{{client-cert-thumbprint}}" />`, anyNamed: true},
		{name: "id from an unknown named value", elem: `<authentication-certificate certificate-id="{{client-cert}}" />`, anyNamed: true},
		{name: "unknown named value and body", elem: `<authentication-certificate thumbprint="{{tp}}" body="@(new byte[0])" />`, anyNamed: true, wantErr: "exactly one of"},
		{name: "by id", elem: `<authentication-certificate certificate-id="CLIENT" />`},
		{name: "by thumbprint", elem: `<authentication-certificate thumbprint="` + strings.ToLower(testThumbprint) + `" />`},
		{name: "by body", elem: `<authentication-certificate body="@((byte[])context.Variables[&quot;pfx&quot;])" password="pw" />`},
		{name: "unknown id", elem: `<authentication-certificate certificate-id="nope" />`, wantErr: `1:64: <authentication-certificate> certificate-id: there is no certificate "nope"`},
		{name: "unknown thumbprint", elem: `<authentication-certificate thumbprint="AB" />`, wantErr: `there is no certificate with thumbprint "AB"`},
		{name: "unknown id offline", elem: `<authentication-certificate certificate-id="nope" />`, any: true},
		{name: "no key", elem: `<authentication-certificate certificate-id="ca" />`, wantErr: "has no private key"},
		{name: "two sources", elem: `<authentication-certificate certificate-id="client" thumbprint="x" />`, wantErr: "exactly one of"},
		{name: "none", elem: `<authentication-certificate />`, wantErr: "exactly one of"},
		{name: "password without body", elem: `<authentication-certificate certificate-id="client" password="x" />`, wantErr: "password goes with body only"},
		{name: "expression id", elem: `<authentication-certificate certificate-id="@(&quot;client&quot;)" />`, wantErr: "an expression is not allowed here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := certEnv()
			env.AnyCertificate = tt.any
			env.AnyNamedValue = tt.anyNamed
			_, err := compileWith(t, env, `<policies><inbound>`+tt.elem+`</inbound></policies>`)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("compile: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("compile error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
	if _, err := compileWith(t, certEnv(), `<policies><outbound><authentication-certificate certificate-id="client" /></outbound></policies>`); err == nil {
		t.Error("authentication-certificate compiled in outbound")
	}
}

func TestAuthenticationCertificateBody(t *testing.T) {
	leaf := certtest.NewCA(t, "CA").Issue(t, certtest.Options{CommonName: "from-body"})
	pfx := leaf.PFX(t, "pw")
	p, err := compileWith(t, policy.Env{}, `<policies><inbound><authentication-certificate body="@((byte[])context.Variables[&quot;pfx&quot;])" password="{{pw}}" /></inbound></policies>`)
	if err == nil {
		t.Fatal("a {{pw}} named value that does not exist compiled")
	}
	p, err = compileWith(t, policy.Env{NamedValues: map[string]string{"pw": "pw"}},
		`<policies><inbound><authentication-certificate body="@((byte[])context.Variables[&quot;pfx&quot;])" password="{{pw}}" /></inbound></policies>`)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // the second time from the element's cache
		c := &policy.Context{Context: expr.Context{Request: &expr.Request{Headers: http.Header{}}, Variables: map[string]any{"pfx": pfx}}}
		if err := p.Run(policy.Inbound, c); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if c.ClientCertificate == nil || c.ClientCertificate.TLS == nil || c.ClientCertificate.TLS.Leaf.Subject.CommonName != "from-body" {
			t.Fatalf("run %d: client certificate %+v", i, c.ClientCertificate)
		}
	}
	c := &policy.Context{Context: expr.Context{Request: &expr.Request{Headers: http.Header{}}, Variables: map[string]any{"pfx": []byte("junk")}}}
	var se *policy.StepError
	if err := p.Run(policy.Inbound, c); !errors.As(err, &se) || se.Source != "authentication-certificate" {
		t.Errorf("junk body: %v, want a step error of authentication-certificate", err)
	}
}
