package mgmt

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/control"
	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

// testAPI is a management API over a real SQLite store.
type testAPI struct {
	t     testing.TB
	url   string
	store store.Store
}

func newTestAPI(t testing.TB) *testAPI {
	t.Helper()
	sealer, err := secret.NewSealer(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "gatehouse.db"), sealer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := control.Bootstrap(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewServer(Options{Store: st, AdminToken: "admin-token"}))
	t.Cleanup(srv.Close)
	return &testAPI{t: t, url: srv.URL + "/mgmt", store: st}
}

type result struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (a *testAPI) do(method, path, body string, headers ...string) result {
	a.t.Helper()
	req, err := http.NewRequest(method, a.url+path, strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer admin-token")
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(k, strings.TrimSpace(v))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	res := result{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &res.body); err != nil {
			a.t.Fatalf("%s %s: body is not a JSON object: %s", method, path, raw)
		}
	}
	return res
}

func (a *testAPI) must(method, path, body string) result {
	a.t.Helper()
	r := a.do(method, path, body)
	if r.status/100 != 2 {
		a.t.Fatalf("%s %s: %d %s", method, path, r.status, r.raw)
	}
	return r
}

func (a *testAPI) version() int64 {
	a.t.Helper()
	var v int64
	err := a.store.View(context.Background(), func(r store.Reader) error {
		var err error
		v, err = r.Version(context.Background())
		return err
	})
	if err != nil {
		a.t.Fatal(err)
	}
	return v
}

// errorOf returns the error code and the first detail's target and message.
func errorOf(t *testing.T, r result) (code, target, message string) {
	t.Helper()
	e, ok := r.body["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object in %d %s", r.status, r.raw)
	}
	code, _ = e["code"].(string)
	message, _ = e["message"].(string)
	if d, _ := e["details"].([]any); len(d) > 0 {
		first := d[0].(map[string]any)
		target, _ = first["target"].(string)
		message, _ = first["message"].(string)
	}
	return code, target, message
}

func TestBadInputIsRejectedAndChangesNothing(t *testing.T) {
	a := newTestAPI(t)
	a.must("PUT", "/apis/echo", `{"properties":{"displayName":"Echo","path":"echo","serviceUrl":"http://127.0.0.1:9"}}`)
	a.must("PUT", "/apis/echo/operations/get", `{"properties":{"method":"GET","urlTemplate":"/items/{id}"}}`)
	before := a.must("GET", "/apis/echo", "")

	long := strings.Repeat("a", 81)
	tests := []struct {
		name, method, path, body string
		headers                  []string
		status                   int
		code, target, contains   string
	}{
		{name: "malformed JSON", method: "PUT", path: "/apis/x", body: "{\"properties\":\n {\"path\": \"x\",}}",
			status: 400, code: "ValidationError", target: "body", contains: "line 2, column"},
		{name: "unknown property", method: "PUT", path: "/apis/x", body: `{"properties":{"path":"x","colour":"red"}}`,
			status: 400, code: "ValidationError", target: "properties.colour", contains: "unknown property"},
		{name: "unknown top-level field", method: "PUT", path: "/apis/x", body: `{"props":{}}`,
			status: 400, code: "ValidationError", target: "props"},
		{name: "wrong type", method: "PUT", path: "/apis/x", body: `{"properties":{"path":42}}`,
			status: 400, code: "ValidationError", target: "properties.path", contains: "want a string"},
		{name: "wrong nested type", method: "PUT", path: "/apis/x", body: `{"properties":{"path":"x","subscriptionRequired":"yes"}}`,
			status: 400, code: "ValidationError", target: "properties.subscriptionRequired", contains: "boolean"},
		{name: "no properties", method: "PUT", path: "/apis/x", body: `{}`,
			status: 400, code: "ValidationError", target: "properties"},
		{name: "empty body", method: "PUT", path: "/apis/x", body: ``,
			status: 400, code: "ValidationError"},
		{name: "overlong id", method: "PUT", path: "/apis/" + long, body: `{"properties":{"path":"y"}}`,
			status: 400, code: "ValidationError", target: "apiId", contains: "81 characters"},
		{name: "bad id characters", method: "PUT", path: "/apis/a%20b", body: `{"properties":{"path":"y"}}`,
			status: 400, code: "ValidationError", target: "apiId"},
		{name: "invalid service URL", method: "PUT", path: "/apis/x", body: `{"properties":{"path":"x","serviceUrl":"ftp://h"}}`,
			status: 400, code: "ValidationError", target: "properties.serviceUrl"},
		{name: "duplicate path", method: "PUT", path: "/apis/x", body: `{"properties":{"path":"ECHO/"}}`,
			status: 409, code: "Conflict", target: "properties.path", contains: "echo"},
		{name: "wrong ETag", method: "PUT", path: "/apis/echo", body: `{"properties":{"path":"echo2"}}`, headers: []string{`If-Match: "999"`},
			status: 412, code: "PreconditionFailed"},
		{name: "wrong ETag on delete", method: "DELETE", path: "/apis/echo", headers: []string{`If-Match: "999"`},
			status: 412, code: "PreconditionFailed"},
		{name: "If-None-Match on existing", method: "PUT", path: "/apis/echo", body: `{"properties":{"path":"echo"}}`, headers: []string{`If-None-Match: *`},
			status: 412, code: "PreconditionFailed"},
		{name: "patch of a missing resource", method: "PATCH", path: "/apis/missing", body: `{"properties":{"path":"m"}}`,
			status: 404, code: "ResourceNotFound"},
		{name: "bad URL template", method: "PUT", path: "/apis/echo/operations/bad", body: `{"properties":{"method":"GET","urlTemplate":"/a/{id"}}`,
			status: 400, code: "ValidationError", target: "properties.urlTemplate"},
		{name: "duplicate operation", method: "PUT", path: "/apis/echo/operations/dup", body: `{"properties":{"method":"GET","urlTemplate":"/items/{key}"}}`,
			status: 409, code: "Conflict", target: "properties.urlTemplate"},
		{name: "operation of a missing API", method: "PUT", path: "/apis/nope/operations/x", body: `{"properties":{"method":"GET","urlTemplate":"/"}}`,
			status: 404, code: "ResourceNotFound", contains: "nope"},
		{name: "subscription to a missing scope", method: "PUT", path: "/subscriptions/s", body: `{"properties":{"displayName":"S","scope":"/apis/nope"}}`,
			status: 400, code: "ValidationError", target: "properties.scope"},
		{name: "bad subscription state", method: "PUT", path: "/subscriptions/s", body: `{"properties":{"displayName":"S","scope":"/apis","state":"paused"}}`,
			status: 400, code: "ValidationError", target: "properties.state"},
		{name: "link to a missing API", method: "PUT", path: "/gateways/managed/apis/nope", status: 404, code: "ResourceNotFound"},
		{name: "bad $filter", method: "GET", path: "/apis?$filter=name%20eq", status: 400, code: "ValidationError", target: "$filter"},
		{name: "bad $top", method: "GET", path: "/apis?$top=-1", status: 400, code: "ValidationError", target: "$top"},
		{name: "unknown path", method: "GET", path: "/nothing", status: 404, code: "NotFound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := a.version()
			r := a.do(tt.method, tt.path, tt.body, tt.headers...)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.raw)
			}
			code, target, msg := errorOf(t, r)
			if code != tt.code || (tt.target != "" && target != tt.target) || !strings.Contains(msg, tt.contains) {
				t.Errorf("error %s at %q: %q; want %s at %q containing %q", code, target, msg, tt.code, tt.target, tt.contains)
			}
			if a.version() != v {
				t.Errorf("a rejected request changed the configuration version")
			}
		})
	}
	if after := a.must("GET", "/apis/echo", ""); after.raw != before.raw || after.header.Get("ETag") != before.header.Get("ETag") {
		t.Errorf("API changed by rejected requests:\nbefore %s\nafter  %s", before.raw, after.raw)
	}
	if n := a.must("GET", "/apis", "").body["count"]; n != float64(1) {
		t.Errorf("%v APIs after rejected requests, want 1", n)
	}
}

func TestAuthentication(t *testing.T) {
	a := newTestAPI(t)
	for _, auth := range []string{"", "Bearer wrong", "Basic YWRtaW46YWRtaW4=", "Bearer admin-token-and-more"} {
		req, _ := http.NewRequest("GET", a.url+"/apis", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("Authorization %q: %d, want 401 with a challenge", auth, resp.StatusCode)
		}
	}
	if r := a.do("GET", "/apis?api-version=2022-08-01", ""); r.status != 200 {
		t.Errorf("api-version is not ignored: %d", r.status)
	}
}

func TestETagsAndPatch(t *testing.T) {
	a := newTestAPI(t)
	created := a.do("PUT", "/products/p", `{"properties":{"displayName":"P"}}`)
	if created.status != 201 {
		t.Fatalf("create: %d", created.status)
	}
	etag := created.header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	patched := a.do("PATCH", "/products/p", `{"properties":{"state":"published"}}`, "If-Match: "+etag)
	if patched.status != 200 {
		t.Fatalf("patch with the current ETag: %d %s", patched.status, patched.raw)
	}
	props := patched.body["properties"].(map[string]any)
	if props["state"] != "published" || props["displayName"] != "P" {
		t.Errorf("patch did not merge: %v", props)
	}
	if a.do("PATCH", "/products/p", `{"properties":{"state":"notPublished"}}`, "If-Match: "+etag).status != 412 {
		t.Error("a stale ETag was accepted")
	}
	if r := a.do("PUT", "/products/p", `{"properties":{"displayName":"P2"}}`); r.status != 200 {
		t.Errorf("replace: %d, want 200", r.status)
	}
	if r := a.do("GET", "/products/P", ""); r.status != 200 || r.body["name"] != "p" {
		t.Errorf("ids ignore case: GET /products/P = %d %v", r.status, r.body["name"])
	}
}

func TestListPagingAndFilter(t *testing.T) {
	a := newTestAPI(t)
	for _, id := range []string{"a1", "a2", "a3", "b1", "b2"} {
		a.must("PUT", "/namedValues/"+id, `{"properties":{"displayName":"`+id+`","value":"v-`+id+`"}}`)
	}
	page := a.must("GET", "/namedValues?$top=2&$skip=1", "")
	vals := page.body["value"].([]any)
	if page.body["count"] != float64(5) || len(vals) != 2 || vals[0].(map[string]any)["name"] != "a2" {
		t.Errorf("page = %s", page.raw)
	}
	next, _ := page.body["nextLink"].(string)
	if !strings.Contains(next, "%24skip=3") {
		t.Errorf("nextLink = %q", next)
	}
	filtered := a.must("GET", "/namedValues?$filter=startswith(name,'b')%20and%20displayName%20ne%20'B2'", "")
	if filtered.body["count"] != float64(1) {
		t.Errorf("filtered = %s", filtered.raw)
	}
	one := a.must("GET", "/namedValues?$filter=name%20eq%20'A3'", "")
	if one.body["count"] != float64(1) {
		t.Errorf("name eq = %s", one.raw)
	}
}

func TestSecretsAreWriteOnly(t *testing.T) {
	a := newTestAPI(t)
	a.must("PUT", "/namedValues/db", `{"properties":{"displayName":"db-password","value":"s3cret-value","secret":true}}`)
	if r := a.must("GET", "/namedValues/db", ""); strings.Contains(r.raw, "s3cret-value") {
		t.Errorf("GET shows the secret: %s", r.raw)
	}
	a.must("PATCH", "/namedValues/db", `{"properties":{"tags":["prod"]}}`)
	if r := a.must("POST", "/namedValues/db/listValue", ""); r.body["value"] != "s3cret-value" {
		t.Errorf("listValue after patch = %s", r.raw)
	}
	a.must("PUT", "/users/u", `{"properties":{"email":"u@example.com","firstName":"U","lastName":"V","password":"correct horse"}}`)
	if r := a.must("GET", "/users/u", ""); strings.Contains(r.raw, "correct horse") || strings.Contains(r.raw, "password") {
		t.Errorf("GET shows the password: %s", r.raw)
	}
	if r := a.do("PUT", "/users/v", `{"properties":{"email":"U@example.com","firstName":"U","lastName":"V"}}`); r.status != 409 {
		t.Errorf("duplicate email: %d", r.status)
	}
}

func TestDeleteRules(t *testing.T) {
	a := newTestAPI(t)
	a.must("PUT", "/apis/echo", `{"properties":{"path":"echo"}}`)
	a.must("PUT", "/products/p", `{"properties":{"displayName":"P"}}`)
	a.must("PUT", "/products/p/apis/echo", "")
	a.must("PUT", "/users/u", `{"properties":{"email":"u@example.com","firstName":"U","lastName":"V"}}`)
	a.must("PUT", "/groups/team", `{"properties":{"displayName":"Team"}}`)
	a.must("PUT", "/groups/team/users/u", "")
	a.must("PUT", "/subscriptions/s", `{"properties":{"displayName":"S","scope":"/products/p","ownerId":"/users/u"}}`)

	for _, path := range []string{"/products/p", "/users/u", "/groups/developers", "/gateways/managed"} {
		if r := a.do("DELETE", path, ""); r.status != 409 {
			t.Errorf("DELETE %s: %d, want 409: %s", path, r.status, r.raw)
		}
	}
	if r := a.must("GET", "/products/p/apis", ""); r.body["count"] != float64(1) {
		t.Errorf("product APIs = %s", r.raw)
	}
	a.must("DELETE", "/products/p?deleteSubscriptions=true", "")
	if r := a.do("GET", "/subscriptions/s", ""); r.status != 404 {
		t.Errorf("subscription survived its product: %d", r.status)
	}
	a.must("DELETE", "/users/u", "")
	if r := a.must("GET", "/groups/team/users", ""); r.body["count"] != float64(0) {
		t.Errorf("group members after deleting the user: %s", r.raw)
	}
	if r := a.do("DELETE", "/users/u", ""); r.status != 204 {
		t.Errorf("DELETE of an absent user: %d, want 204", r.status)
	}
}
