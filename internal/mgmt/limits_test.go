package mgmt

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// envelopeOf marshals properties into a request body.
func envelopeOf(t *testing.T, props map[string]any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"properties": props})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestOverlongStringsAreRefusedNamingTheProperty(t *testing.T) {
	a := newTestAPI(t)
	huge := strings.Repeat("x", 4<<20)
	tests := []struct {
		name, path string
		props      map[string]any
		target     string
	}{
		{"a 4 MiB API description", "/apis/big", map[string]any{"path": "big", "description": huge}, "properties.description"},
		{"a product description over APIM's 1000", "/products/p", map[string]any{"displayName": "P", "description": strings.Repeat("é", 1001)},
			"properties.description"},
		{"a nested string", "/apis/big", map[string]any{"path": "big", "subscriptionKeyParameterNames": map[string]any{"header": strings.Repeat("h", 257)}},
			"properties.subscriptionKeyParameterNames.header"},
		{"a string in an array", "/namedValues/nv", map[string]any{"displayName": "nv", "value": "v", "tags": []string{"ok", strings.Repeat("t", 257)}},
			"properties.tags[1]"},
		{"a map's value", "/backends/b", map[string]any{"url": "http://b", "credentials": map[string]any{"header": map[string]any{"x-key": []string{strings.Repeat("k", 4097)}}}},
			"properties.credentials.header.x-key[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := a.version()
			r := a.do("PUT", tt.path, envelopeOf(t, tt.props))
			code, target, msg := errorOf(t, r)
			if r.status != http.StatusBadRequest || code != "ValidationError" || target != tt.target || !strings.Contains(msg, "characters") {
				t.Errorf("%d %s %s %q, want 400 ValidationError naming %s", r.status, code, target, msg, tt.target)
			}
			if a.version() != v {
				t.Error("a refused request changed the configuration")
			}
		})
	}
	// At the limit is fine, counting characters rather than bytes.
	a.must("PUT", "/products/p", envelopeOf(t, map[string]any{"displayName": "P", "description": strings.Repeat("é", 1000)}))
	// PATCH is checked as well.
	r := a.do("PATCH", "/products/p", envelopeOf(t, map[string]any{"terms": strings.Repeat("x", 65537)}))
	if _, target, _ := errorOf(t, r); r.status != http.StatusBadRequest || target != "properties.terms" {
		t.Errorf("PATCH with over-long terms: %d %s", r.status, r.raw)
	}
}

func TestImportedStringsKeepTheLimits(t *testing.T) {
	a := newTestAPI(t)
	doc := `{"openapi": "3.0.3", "info": {"title": "T", "version": "1", "description": "` + strings.Repeat("d", 65537) + `"},` +
		`"paths": {"/x": {"get": {"responses": {"200": {"description": "ok"}}}}}}`
	r := a.do("PUT", "/apis/imp", envelopeOf(t, map[string]any{"path": "imp", "format": "openapi+json", "value": doc}))
	if _, target, _ := errorOf(t, r); r.status != http.StatusBadRequest || target != "properties.description" {
		t.Errorf("import with an over-long description: %d %s", r.status, r.raw)
	}
	doc = `{"openapi": "3.0.3", "info": {"title": "T", "version": "1"},` +
		`"paths": {"/x": {"get": {"description": "` + strings.Repeat("d", 65537) + `", "responses": {"200": {"description": "ok"}}}}}}`
	r = a.do("PUT", "/apis/imp", envelopeOf(t, map[string]any{"path": "imp", "format": "openapi+json", "value": doc}))
	if _, target, msg := errorOf(t, r); r.status != http.StatusBadRequest || target != "properties.value" || !strings.Contains(msg, "properties.description") {
		t.Errorf("import with an over-long operation description: %d %s", r.status, r.raw)
	}
}

func TestBodyOverTheLimitIs413(t *testing.T) {
	a := newTestAPI(t)
	r := a.do("PUT", "/apis/big", envelopeOf(t, map[string]any{"path": "big", "description": strings.Repeat("x", maxBodyBytes)}))
	if code, _, _ := errorOf(t, r); r.status != http.StatusRequestEntityTooLarge || code != "RequestEntityTooLarge" {
		t.Errorf("%d %s, want 413", r.status, r.raw)
	}
}

func TestWrongMethodIs405WithAllow(t *testing.T) {
	a := newTestAPI(t)
	tests := []struct{ method, path, allow string }{
		{"POST", "/apis/echo", "GET, HEAD, PUT, PATCH, DELETE"},
		{"DELETE", "/apis", "GET, HEAD"},
		{"GET", "/subscriptions/s/listSecrets", "POST"},
		{"PATCH", "/apis/echo/policy", "GET, HEAD, PUT, DELETE"},
	}
	for _, tt := range tests {
		r := a.do(tt.method, tt.path, "")
		code, _, msg := errorOf(t, r)
		if r.status != http.StatusMethodNotAllowed || code != "MethodNotAllowed" || r.header.Get("Allow") != tt.allow {
			t.Errorf("%s %s: %d %s, Allow %q; want 405 MethodNotAllowed, Allow %q", tt.method, tt.path, r.status, code, r.header.Get("Allow"), tt.allow)
		}
		if !strings.Contains(msg, tt.allow) {
			t.Errorf("%s %s: the message %q does not say what the path takes", tt.method, tt.path, msg)
		}
	}
	if r := a.do("GET", "/nothing/here", ""); r.status != http.StatusNotFound {
		t.Errorf("an unknown path: %d, want 404", r.status)
	}
	// Without a token, the answer is 401 whatever the method.
	req, _ := http.NewRequest("POST", a.url+"/apis/echo", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a wrong method without a token: %d, want 401", resp.StatusCode)
	}
}
