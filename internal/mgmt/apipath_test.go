package mgmt

import (
	"encoding/json"
	"testing"
)

// TestAPIPathRefusesDotSegments: an API path that could appear to lie
// outside the gateway's root, or that the gateway would refuse to route,
// is refused with 400 naming properties.path, and nothing is stored.
func TestAPIPathRefusesDotSegments(t *testing.T) {
	a := newTestAPI(t)
	for _, path := range []string{"../../x", "a/../b", "./a", "a/%2e%2e", "%2E.", "..%2f..%2fx", "a%5Cb", `a\b`, "a%00", "a%0d%0ab"} {
		r := a.do("PUT", "/apis/bad", `{"properties":{"path":`+quote(path)+`,"serviceUrl":"http://127.0.0.1:9"}}`)
		if code, target, _ := errorOf(t, r); r.status != 400 || code != "ValidationError" || target != "properties.path" {
			t.Errorf("path %q: %d %s, want 400 ValidationError at properties.path", path, r.status, r.raw)
		}
	}
	if r := a.do("GET", "/apis/bad", ""); r.status != 404 {
		t.Errorf("a refused API was stored: %d %s", r.status, r.raw)
	}
	a.must("PUT", "/apis/good", `{"properties":{"path":"docs/v1.2/..more","serviceUrl":"http://127.0.0.1:9"}}`)
}

// quote returns s as a JSON string.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
