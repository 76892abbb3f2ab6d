package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/cmd/internal/selfhosted"
)

// revPolicy tags requests with the revision that served them, as the
// policy's author (tag) and as context.Api sees it.
func revPolicy(tag string) string {
	b, _ := json.Marshal(map[string]any{"properties": map[string]string{"format": "rawxml", "value": `<policies><inbound><base />` +
		`<set-header name="X-Rev" exists-action="override"><value>@("` + tag + `" + context.Api.Revision + (context.Api.IsCurrentRevision ? "c" : ""))</value></set-header>` +
		`</inbound></policies>`}})
	return string(b)
}

// TestRevisions creates a second revision of an API, calls it with
// ;rev=2 through two self-hosted gateways while revision 1 is current,
// then releases it: both gateways switch with one configuration version,
// and each serves the swapped pair consistently.
func TestRevisions(t *testing.T) {
	backend := newBackend(t)
	plane := startServe(t, t.TempDir(), "", func(c *serveConfig) { c.HeartbeatInterval = 100 * time.Millisecond })
	plane.must("PUT", "/apis/echo", `{"properties": {"displayName": "Echo", "path": "echo", "serviceUrl": "`+backend.URL+`/r1"}}`)
	plane.must("PUT", "/apis/echo/operations/all", `{"properties": {"method": "*", "urlTemplate": "/*"}}`)
	plane.must("PUT", "/apis/echo/policy", revPolicy("1"))
	plane.must("PUT", "/products/p", `{"properties": {"displayName": "P", "state": "published"}}`)
	plane.must("PUT", "/products/p/apis/echo", "")
	plane.must("PUT", "/subscriptions/s", `{"properties": {"displayName": "S", "scope": "/products/p", "primaryKey": "revision-key-0001"}}`)
	plane.must("PUT", "/gateways/edge", `{"properties": {"description": "Edge"}}`)
	plane.must("PUT", "/gateways/edge/apis/echo", "")

	// A revision starts as a copy of the current one: operations and
	// policies; it shares the path and may not change it.
	created := plane.must("PUT", "/apis/echo;rev=2", `{"properties": {"serviceUrl": "`+backend.URL+`/r2", "apiRevisionDescription": "Moves to r2."}}`)
	if created.status != http.StatusCreated {
		t.Errorf("create revision: %d", created.status)
	}
	p := created.json(t)["properties"].(map[string]any)
	if p["apiRevision"] != "2" || p["isCurrent"] != false || p["path"] != "echo" || p["displayName"] != "Echo" {
		t.Errorf("revision 2 = %v", p)
	}
	plane.must("GET", "/apis/echo;rev=2/operations/all", "")
	plane.must("PUT", "/apis/echo;rev=2/policy", revPolicy("2"))
	refusals := []struct {
		method, path, body string
		status             int
	}{
		{"PATCH", "/apis/echo;rev=2", `{"properties": {"path": "elsewhere"}}`, 400},
		{"PATCH", "/apis/echo;rev=2", `{"properties": {"isCurrent": true}}`, 400},
		{"PUT", "/apis/nope;rev=2", `{"properties": {"path": "nope"}}`, 400},
		{"DELETE", "/apis/echo;rev=1", ``, 409},
		{"PUT", "/products/p/apis/echo;rev=2", ``, 400},
		{"PUT", "/subscriptions/t", `{"properties": {"displayName": "T", "scope": "/apis/echo;rev=2"}}`, 400},
	}
	for _, r := range refusals {
		if got := plane.mgmt(r.method, r.path, r.body); got.status != r.status {
			t.Errorf("%s %s: %d %s, want %d", r.method, r.path, got.status, got.body, r.status)
		}
	}
	if n := plane.must("GET", "/apis", "").json(t)["count"]; n != 1.0 {
		t.Errorf("GET /apis lists %v APIs, want echo once", n)
	}
	if n := plane.must("GET", "/apis/echo/revisions", "").json(t)["count"]; n != 2.0 {
		t.Errorf("GET /apis/echo/revisions lists %v, want 2", n)
	}
	if cur := plane.must("GET", "/apis/echo;rev=1", "").json(t)["properties"].(map[string]any); cur["isCurrent"] != true {
		t.Errorf("echo;rev=1 = %v, want the current revision", cur)
	}

	token := func(keyType string) string {
		var tok struct{ Value string }
		json.Unmarshal(plane.must("POST", "/gateways/edge/generateToken",
			`{"keyType":"`+keyType+`","expiry":"`+time.Now().Add(24*time.Hour).Format(time.RFC3339)+`"}`).body, &tok)
		return tok.Value
	}
	endpoint := "http://" + plane.addrs.Mgmt
	var gws []*gatewayNode
	for _, kt := range []string{"primary", "secondary"} {
		gws = append(gws, startGateway(t, selfhosted.Config{ConfigEndpoint: endpoint, GatewayID: "edge", Token: token(kt),
			Backup: filepath.Join(t.TempDir(), "backup.json")}))
	}
	// served returns the backend path and revision tag of GET path.
	served := func(addr, path string) (int, string) {
		r := send(t, mustRequest(t, "http://"+addr+path), "Ocp-Apim-Subscription-Key: revision-key-0001")
		if r.status != http.StatusOK {
			return r.status, ""
		}
		s := decodeSeen(t, r)
		return r.status, s.Path + " " + s.Header.Get("X-Rev")
	}
	addrs := []string{plane.addrs.GatewayHTTP}
	for _, gw := range gws {
		addrs = append(addrs, gw.addr)
	}
	for _, addr := range addrs {
		eventually(t, 5*time.Second, addr+" serving both revisions", func() bool {
			_, cur := served(addr, "/echo/x")
			_, next := served(addr, "/echo;rev=2/x")
			return cur == "/r1/x 11c" && next == "/r2/x 22"
		})
	}

	release := plane.must("PUT", "/apis/echo/releases/go-live", `{"properties": {"apiId": "/apis/echo;rev=2", "notes": "Now on r2."}}`)
	releaseVersion, _ := strconv.ParseFloat(strings.Trim(release.header.Get("ETag"), `"`), 64)
	if releaseVersion == 0 {
		t.Fatalf("the release has no ETag: %v", release.header)
	}
	start := time.Now()
	for _, addr := range addrs {
		eventually(t, 5*time.Second, addr+" serving revision 2 as current", func() bool {
			_, cur := served(addr, "/echo/x")
			if cur != "/r2/x 22c" {
				return false
			}
			// The same configuration serves revision 1 under ;rev=1.
			_, old := served(addr, "/echo;rev=1/x")
			if old != "/r1/x 11" {
				t.Errorf("%s: revision 2 is current but /echo;rev=1/x gives %q", addr, old)
			}
			return true
		})
	}
	t.Logf("the release reached the embedded and both self-hosted gateways %v after its answer", time.Since(start))
	// Both self-hosted nodes report the one configuration version that
	// carries the release.
	eventually(t, 5*time.Second, "both nodes at the release's configuration version", func() bool {
		nodes := plane.must("GET", "/gateways/edge/status", "").json(t)["nodes"].([]any)
		at := 0
		for _, n := range nodes {
			if n.(map[string]any)["configVersion"].(float64) >= releaseVersion {
				at++
			}
		}
		return at == 2
	})
	if code, _ := served(gws[0].addr, "/echo;rev=2/x"); code != http.StatusNotFound {
		t.Errorf("the current revision under ;rev=2: %d, want 404 (it answers without ;rev)", code)
	}
	cur := plane.must("GET", "/apis/echo", "").json(t)["properties"].(map[string]any)
	old := plane.must("GET", "/apis/echo;rev=1", "").json(t)["properties"].(map[string]any)
	if cur["apiRevision"] != "2" || cur["isCurrent"] != true || !strings.HasSuffix(cur["serviceUrl"].(string), "/r2") ||
		old["apiRevision"] != "1" || old["isCurrent"] != false {
		t.Errorf("after the release: echo = %v, echo;rev=1 = %v", cur, old)
	}
	rel := plane.must("GET", "/apis/echo/releases/go-live", "").json(t)["properties"].(map[string]any)
	if rel["apiId"] != "/apis/echo;rev=2" || rel["notes"] != "Now on r2." || rel["createdDateTime"] == nil {
		t.Errorf("release = %v", rel)
	}

	// A revision that is not current can be deleted; the API with all.
	plane.must("DELETE", "/apis/echo;rev=1", "")
	for _, addr := range addrs {
		eventually(t, 5*time.Second, addr+" dropping revision 1", func() bool {
			code, _ := served(addr, "/echo;rev=1/x")
			return code == http.StatusNotFound
		})
	}
	plane.must("PUT", "/apis/echo;rev=3", `{"properties": {}}`)
	plane.must("DELETE", "/apis/echo", "")
	if r := plane.mgmt("GET", "/apis/echo;rev=3", ""); r.status != http.StatusNotFound {
		t.Errorf("a revision of a deleted API: %d", r.status)
	}
}

func mustRequest(t *testing.T, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TestRevisionsExportApply exports an API whose revision 2 was released
// and which has revisions 1 and 3 as APIOps does (apis/echo with
// apiRevision 2, apis/echo;rev=1, apis/echo;rev=3), applies the folder to
// another management plane, which then serves the same revisions, and
// reads back the same folder. A folder that would need another revision
// made current, without a release of it, is refused.
func TestRevisionsExportApply(t *testing.T) {
	backend := newBackend(t)
	a := startServe(t, t.TempDir(), "")
	a.must("PUT", "/apis/echo", `{"properties": {"path": "echo", "serviceUrl": "`+backend.URL+`/r1", "subscriptionRequired": false}}`)
	a.must("PUT", "/apis/echo/operations/all", `{"properties": {"method": "GET", "urlTemplate": "/*"}}`)
	a.must("PUT", "/apis/echo/policy", revPolicy("a"))
	a.must("PUT", "/apis/echo;rev=2", `{"properties": {"serviceUrl": "`+backend.URL+`/r2", "subscriptionRequired": false}}`)
	a.must("PUT", "/apis/echo/releases/two", `{"properties": {"apiId": "/apis/echo;rev=2"}}`)
	a.must("PUT", "/apis/echo;rev=3", `{"properties": {"serviceUrl": "`+backend.URL+`/r3", "subscriptionRequired": false, "apiRevisionDescription": "Next."}}`)
	first := filepath.Join(t.TempDir(), "first")
	mustCLI(t, append([]string{"export", "--dir", first}, a.remote()...)...)
	files := readTree(t, first)
	if v := files["apis/echo/apiInformation.json"]; !strings.Contains(v, `"apiRevision": "2"`) {
		t.Errorf("apis/echo/apiInformation.json does not say its current revision:\n%s", v)
	}
	for _, f := range []string{"apis/echo;rev=1/apiInformation.json", "apis/echo;rev=3/apiInformation.json", "apis/echo;rev=1/policy.xml"} {
		if _, ok := files[f]; !ok {
			t.Errorf("export lacks %s", f)
		}
	}

	b := startServe(t, t.TempDir(), "")
	applyB := append([]string{"apply", "--dir", first}, b.remote()...)
	out := mustCLI(t, applyB...)
	expectContains(t, out, "+ apis/echo\n", "+ apis/echo;rev=1", "+ apis/echo;rev=3", "+ apis/echo;rev=1/policy", "applied ")
	expectContains(t, mustCLI(t, applyB...), "no changes")
	second := filepath.Join(t.TempDir(), "second")
	mustCLI(t, append([]string{"export", "--dir", second}, b.remote()...)...)
	sameTree(t, first, second)
	for path, want := range map[string]string{"/echo/x": "/r2/x", "/echo;rev=1/x": "/r1/x", "/echo;rev=3/x": "/r3/x"} {
		r := b.call("GET", path)
		if got := decodeSeen(t, r); got.Path != want || got.Header.Get("X-Rev") == "" {
			t.Errorf("GET %s on the second plane reached %s (X-Rev %q), want %s", path, got.Path, got.Header.Get("X-Rev"), want)
		}
	}

	// A folder whose current revision is 3 is refused while the plane's
	// is 2, unless it holds a release of revision 3.
	other := copyDir(t, first)
	info := filepath.Join(other, "apis", "echo", "apiInformation.json")
	b2, _ := os.ReadFile(info)
	os.WriteFile(info, []byte(strings.Replace(string(b2), `"apiRevision": "2"`, `"apiRevision": "3"`, 1)), 0o644)
	if out, err := runCLI(t, append([]string{"apply", "--dir", other}, b.remote()...)...); err == nil ||
		!strings.Contains(err.Error(), "the current revision is 3 here and 2 on the management plane; add a release of revision 3") {
		t.Errorf("apply of a folder with another current revision: %v\n%s", err, out)
	}
}
