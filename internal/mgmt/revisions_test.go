package mgmt

import (
	"net/http"
	"regexp"
	"testing"
)

// TestRevisionRules checks what the management plane refuses about
// revisions and releases (400 naming the field, 409 for the current
// revision) and that nothing refused is stored.
func TestRevisionRules(t *testing.T) {
	a := newTestAPI(t)
	a.must("PUT", "/apis/echo", `{"properties": {"path": "echo", "serviceUrl": "http://echo"}}`)
	a.must("PUT", "/apis/echo/operations/get", `{"properties": {"method": "GET", "urlTemplate": "/x"}}`)
	a.must("PUT", "/apis/other", `{"properties": {"path": "other"}}`)
	a.must("PUT", "/apis/echo;rev=2", `{"properties": {}}`)
	tests := []struct {
		name, method, path, body string
		status                   int
		target                   string
	}{
		{"revision 0", "PUT", "/apis/echo;rev=0", `{}`, 400, "apiId"},
		{"revision not a number", "PUT", "/apis/echo;rev=x", `{}`, 400, "apiId"},
		{"revision of nothing", "PUT", "/apis/nope;rev=2", `{}`, 400, "apiId"},
		{"another path", "PUT", "/apis/echo;rev=3", `{"path": "elsewhere"}`, 400, "properties.path"},
		{"another number", "PUT", "/apis/echo;rev=3", `{"apiRevision": "4"}`, 400, "properties.apiRevision"},
		{"current by PUT", "PUT", "/apis/echo;rev=3", `{"isCurrent": true}`, 400, "properties.isCurrent"},
		{"current made not current", "PATCH", "/apis/echo", `{"isCurrent": false}`, 400, "properties.isCurrent"},
		{"source of another API", "PUT", "/apis/echo;rev=3", `{"sourceApiId": "/apis/other"}`, 400, "properties.sourceApiId"},
		{"source on update", "PATCH", "/apis/echo;rev=2", `{"sourceApiId": "/apis/echo"}`, 400, "properties.sourceApiId"},
		{"release without apiId", "PUT", "/apis/echo/releases/r", `{"notes": "n"}`, 400, "properties.apiId"},
		{"release of another API", "PUT", "/apis/echo/releases/r", `{"apiId": "/apis/other;rev=1"}`, 400, "properties.apiId"},
		{"release of a missing revision", "PUT", "/apis/echo/releases/r", `{"apiId": "/apis/echo;rev=9"}`, 400, "properties.apiId"},
		{"delete the current revision", "DELETE", "/apis/echo;rev=1", ``, 409, "apiId"},
		{"product link to a revision", "PUT", "/products/p/apis/echo;rev=2", ``, 400, "apiId"},
	}
	a.must("PUT", "/products/p", `{"properties": {"displayName": "P"}}`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := a.version()
			body := ""
			if tt.body != "" {
				body = `{"properties": ` + tt.body + `}`
			}
			r := a.do(tt.method, tt.path, body)
			if _, target, _ := errorOf(t, r); r.status != tt.status || target != tt.target {
				t.Errorf("%d %s, want %d naming %s", r.status, r.raw, tt.status, tt.target)
			}
			if a.version() != v {
				t.Error("the refused request changed the configuration")
			}
		})
	}
}

// TestReleaseGolden checks the bodies of a revision and of a release, and
// that a release swaps the current revision with its operations.
func TestReleaseGolden(t *testing.T) {
	a := newTestAPI(t)
	a.must("PUT", "/apis/echo", `{"properties": {"displayName": "Echo", "path": "echo", "serviceUrl": "http://one"}}`)
	a.must("PUT", "/apis/echo/operations/one", `{"properties": {"method": "GET", "urlTemplate": "/one"}}`)
	r := a.must("PUT", "/apis/echo;rev=2", `{"properties": {"serviceUrl": "http://two", "apiRevisionDescription": "Two."}}`)
	wantJSON(t, r.raw, `{"id": "/apis/echo;rev=2", "name": "echo;rev=2", "type": "apis",
		"properties": {"displayName": "Echo", "path": "echo", "serviceUrl": "http://two", "protocols": ["http", "https"], "subscriptionRequired": true,
			"subscriptionKeyParameterNames": {"header": "Ocp-Apim-Subscription-Key", "query": "subscription-key"},
			"apiRevision": "2", "apiRevisionDescription": "Two.", "isCurrent": false, "type": "http"}}`)
	a.must("DELETE", "/apis/echo;rev=2/operations/one", "")
	a.must("PUT", "/apis/echo;rev=2/operations/two", `{"properties": {"method": "GET", "urlTemplate": "/two"}}`)

	r = a.must("PUT", "/apis/echo/releases/go", `{"properties": {"apiId": "/apis/echo;rev=2", "notes": "Two is out."}}`)
	if r.status != http.StatusCreated {
		t.Errorf("release: %d", r.status)
	}
	stamp := regexp.MustCompile(`"\d{4}-\d\d-\d\dT[0-9:.]+Z"`)
	wantJSON(t, stamp.ReplaceAllString(r.raw, `"T"`), `{"id": "/apis/echo/releases/go", "name": "go", "type": "apis/releases",
		"properties": {"apiId": "/apis/echo;rev=2", "notes": "Two is out.", "createdDateTime": "T", "updatedDateTime": "T"}}`)
	cur := a.must("GET", "/apis/echo", "").body["properties"].(map[string]any)
	if cur["serviceUrl"] != "http://two" || cur["apiRevision"] != "2" || cur["isCurrent"] != true {
		t.Errorf("echo after the release = %v", cur)
	}
	a.must("GET", "/apis/echo/operations/two", "")
	a.must("GET", "/apis/echo;rev=1/operations/one", "")
	if r := a.do("GET", "/apis/echo/operations/one", ""); r.status != http.StatusNotFound {
		t.Errorf("revision 1's operation on the current revision: %d", r.status)
	}
	a.must("GET", "/apis/echo;rev=1/releases/go", "")
	// Releasing revision 1 rolls back.
	a.must("PUT", "/apis/echo/releases/back", `{"properties": {"apiId": "echo;rev=1"}}`)
	a.must("GET", "/apis/echo/operations/one", "")
	if r := a.do("PATCH", "/apis/echo/releases/go", `{"properties": {"apiId": "/apis/echo;rev=1"}}`); r.status != http.StatusBadRequest {
		t.Errorf("moving a release: %d %s", r.status, r.raw)
	}
}
