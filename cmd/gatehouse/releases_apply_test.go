package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestApplyReleaseMakesRevisionCurrent exports an API with a release, then
// applies a folder whose current revision is another one, with a release
// of it: apply creates the release, which makes that revision current in
// the same batch, and the gateway serves it at once.
func TestApplyReleaseMakesRevisionCurrent(t *testing.T) {
	backend := newBackend(t)
	a := startServe(t, t.TempDir(), "")
	a.must("PUT", "/apis/echo", `{"properties": {"path": "echo", "serviceUrl": "`+backend.URL+`/r1", "subscriptionRequired": false}}`)
	a.must("PUT", "/apis/echo/operations/all", `{"properties": {"method": "GET", "urlTemplate": "/*"}}`)
	a.must("PUT", "/apis/echo;rev=2", `{"properties": {"serviceUrl": "`+backend.URL+`/r2", "subscriptionRequired": false}}`)
	a.must("PUT", "/apis/echo/releases/two", `{"properties": {"apiId": "/apis/echo;rev=2", "notes": "Second."}}`)
	a.must("PUT", "/apis/echo;rev=3", `{"properties": {"serviceUrl": "`+backend.URL+`/r3", "subscriptionRequired": false}}`)
	first := filepath.Join(t.TempDir(), "first")
	mustCLI(t, append([]string{"export", "--dir", first}, a.remote()...)...)
	rel := readTree(t, first)["apis/echo/releases/two/apiReleaseInformation.json"]
	if !strings.Contains(rel, `"apiId": "/apis/echo;rev=2"`) || !strings.Contains(rel, `"notes": "Second."`) || strings.Contains(rel, "DateTime") {
		t.Fatalf("the exported release:\n%s", rel)
	}

	// The folder as it is once revision 3 is released: apis/echo is
	// revision 3, apis/echo;rev=2 the former current one.
	dir := copyDir(t, first)
	move := func(from, to string) {
		t.Helper()
		if err := os.Rename(filepath.Join(dir, from), filepath.Join(dir, to)); err != nil {
			t.Fatal(err)
		}
	}
	move("apis/echo/releases", "releases")
	move("apis/echo", "apis/echo;rev=2")
	move("apis/echo;rev=3", "apis/echo")
	move("releases", "apis/echo/releases")
	info := filepath.Join(dir, "apis", "echo", "apiInformation.json")
	b, err := os.ReadFile(info)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "apis/echo/apiInformation.json", strings.Replace(string(b), `"properties": {`, `"properties": {"apiRevision": "3", `, 1))
	writeFile(t, dir, "apis/echo/releases/three/apiReleaseInformation.json",
		`{"id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim/apis/echo/releases/three", "properties": {"apiId": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim/apis/echo;rev=3", "notes": "Go live."}}`)

	apply := append([]string{"apply", "--dir", dir}, a.remote()...)
	out := mustCLI(t, apply...)
	expectContains(t, out, "+ apis/echo/releases/three", "makes revision 3 current", "applied ")
	for path, want := range map[string]string{"/echo/x": "/r3/x", "/echo;rev=2/x": "/r2/x", "/echo;rev=1/x": "/r1/x"} {
		eventually(t, 5*time.Second, "GET "+path+" reaching "+want, func() bool {
			r := a.call("GET", path)
			return r.status == 200 && decodeSeen(t, r).Path == want
		})
	}
	expectContains(t, mustCLI(t, apply...), "no changes")
	second := filepath.Join(t.TempDir(), "second")
	mustCLI(t, append([]string{"export", "--dir", second}, a.remote()...)...)
	if v := readTree(t, second)["apis/echo/apiInformation.json"]; !strings.Contains(v, `"apiRevision": "3"`) {
		t.Errorf("after the release, apis/echo:\n%s", v)
	}

	// A new release of a revision that is not the folder's current one
	// would make it current: refused.
	writeFile(t, dir, "apis/echo/releases/back/apiReleaseInformation.json", `{"properties": {"apiId": "/apis/echo;rev=1"}}`)
	if out, err := runCLI(t, apply...); err == nil || !strings.Contains(err.Error(), "apis/echo/releases/back/apiReleaseInformation.json: a new release makes revision 1 current") {
		t.Errorf("apply of a release of another revision: %v\n%s", err, out)
	}

	// A release of a revision the plane lacks: apply creates the
	// revision from the folder's apis/echo, then releases it.
	if err := os.RemoveAll(filepath.Join(dir, "apis", "echo", "releases", "back")); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(info)
	writeFile(t, dir, "apis/echo/apiInformation.json", strings.Replace(string(b), `"apiRevision": "3"`, `"apiRevision": "4"`, 1))
	writeFile(t, dir, "apis/echo;rev=3/apiInformation.json", `{"properties": {"path": "echo", "serviceUrl": "`+backend.URL+`/r3", "subscriptionRequired": false}}`)
	writeFile(t, dir, "apis/echo/releases/four/apiReleaseInformation.json", `{"properties": {"apiId": "/apis/echo;rev=4"}}`)
	out = mustCLI(t, apply...)
	expectContains(t, out, "+ apis/echo;rev=4", "+ apis/echo/releases/four", "makes revision 4 current")
	if strings.Index(out, "+ apis/echo;rev=4") > strings.Index(out, "+ apis/echo/releases/four") {
		t.Errorf("the revision must be created before its release:\n%s", out)
	}
	if v := a.must("GET", "/apis/echo", "").json(t)["properties"].(map[string]any); v["apiRevision"] != "4" {
		t.Errorf("the current revision after releasing 4: %v", v["apiRevision"])
	}
	expectContains(t, mustCLI(t, apply...), "no changes")
}
