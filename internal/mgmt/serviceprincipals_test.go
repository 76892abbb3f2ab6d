package mgmt

import (
	"strings"
	"testing"
)

// TestServicePrincipals has the administrator make a contributor and a
// reader, and checks what each token may do.
func TestServicePrincipals(t *testing.T) {
	a := newTestAPI(t)
	a.must("PUT", "/servicePrincipals/ci", `{"properties":{"displayName":"CI","role":"contributor"}}`)
	a.must("PUT", "/servicePrincipals/audit", `{"properties":{"displayName":"Audit"}}`)
	token := func(id string) string {
		t.Helper()
		tok, _ := a.must("POST", "/servicePrincipals/"+id+"/generateToken", "").body["token"].(string)
		if !strings.HasPrefix(tok, "sp."+id+".") {
			t.Fatalf("token %q", tok)
		}
		return tok
	}
	ci, audit := token("ci"), token("audit")
	as := func(tok, method, path, body string) result {
		t.Helper()
		return a.do(method, path, body, "Authorization: Bearer "+tok)
	}
	api := `{"properties":{"displayName":"Echo","path":"echo","serviceUrl":"http://127.0.0.1:9"}}`

	if r := as(ci, "PUT", "/apis/echo", api); r.status != 201 {
		t.Errorf("a contributor's PUT: %d %s", r.status, r.raw)
	}
	if r := as(audit, "GET", "/apis/echo", ""); r.status != 200 {
		t.Errorf("a reader's GET: %d", r.status)
	}
	for _, tt := range []struct{ who, tok, method, path, body string }{
		{"a reader's write", audit, "PUT", "/apis/other", api},
		{"a reader's delete", audit, "DELETE", "/apis/echo", ""},
		{"a reader's batch", audit, "POST", "/batch", `{"requests":[{"method":"DELETE","url":"/apis/echo"}]}`},
		{"a contributor reading service principals", ci, "GET", "/servicePrincipals", ""},
		{"a contributor making a service principal", ci, "PUT", "/servicePrincipals/mine", `{"properties":{"displayName":"Mine","role":"contributor"}}`},
		{"a contributor making a token", ci, "POST", "/servicePrincipals/audit/generateToken", ""},
	} {
		if r := as(tt.tok, tt.method, tt.path, tt.body); r.status != 403 || !strings.Contains(r.raw, "Forbidden") {
			t.Errorf("%s: %d %s, want 403 Forbidden", tt.who, r.status, r.raw)
		}
	}
	a.must("GET", "/apis/echo", "")

	// A change of its properties keeps the token; a new token, or
	// deleting the principal, ends it.
	a.must("PATCH", "/servicePrincipals/ci", `{"properties":{"description":"Deploys from main."}}`)
	if r := as(ci, "GET", "/apis", ""); r.status != 200 {
		t.Errorf("the token after a PATCH: %d", r.status)
	}
	fresh := token("ci")
	if r := as(ci, "GET", "/apis", ""); r.status != 401 {
		t.Errorf("the old token after generateToken: %d, want 401", r.status)
	}
	if r := as(fresh, "GET", "/apis", ""); r.status != 200 {
		t.Errorf("the new token: %d", r.status)
	}
	for _, bad := range []string{fresh + "x", "sp.ci.", "sp.missing.abc", "sp..x", "sp.ci"} {
		if r := as(bad, "GET", "/apis", ""); r.status != 401 {
			t.Errorf("token %q: %d, want 401", bad, r.status)
		}
	}
	a.must("DELETE", "/servicePrincipals/ci", "")
	if r := as(fresh, "GET", "/apis", ""); r.status != 401 {
		t.Errorf("the token of a deleted principal: %d, want 401", r.status)
	}
}
