package main

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// statusComment is a README command's expected status: "# 401: ...".
var statusComment = regexp.MustCompile(`^(curl -i .*?)\s+# (\d{3})\b.*$`)

// TestREADMEQuickstart runs the README's quickstart as written: the shell
// blocks of its Quickstart section, in order, with bash, curl and python3,
// against `gatehouse serve` in a fresh directory. `make run` is the server
// the test starts; the default ports are replaced by free ones. Each
// `curl -i` whose comment starts with a status must answer it.
func TestREADMEQuickstart(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the quickstart needs %s, which is not installed", tool)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := quickstartBlocks(t, string(readme))
	mgmt, gw, backend := freePort(t), freePort(t), freePort(t)
	dir := t.TempDir()
	bin := buildGatehouse(t)
	srv := exec.Command(bin, "serve")
	srv.Dir = dir
	srv.Env = append(os.Environ(), "GATEHOUSE_MGMT=127.0.0.1:"+mgmt, "GATEHOUSE_GATEWAY_HTTP=127.0.0.1:"+gw, "GATEHOUSE_LOG_FORMAT=json")
	var logs syncBuffer
	srv.Stdout, srv.Stderr = &logs, &logs
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
	eventually(t, 20*time.Second, "gatehouse serve answering", func() bool {
		resp, err := http.Get("http://127.0.0.1:" + mgmt + "/mgmt/openapi.json")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})

	var script strings.Builder
	script.WriteString("set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n")
	script.WriteString(`expect() { # expect STATUS COMMAND...: retries for a second while the gateway installs the change
  local want=$1; shift; local got=
  for _ in $(seq 1 40); do got=$("$@" 2>/dev/null | head -n1 | cut -d' ' -f2); [ "$got" = "$want" ] && return 0; sleep 0.025; done
  echo "want $want, got '$got' from: $*" >&2; return 1
}
`)
	checked := 0
	for _, line := range strings.Split(blocks, "\n") {
		if strings.TrimSpace(line) == "make run" {
			continue // the server the test started
		}
		line = strings.NewReplacer("localhost:8090", "127.0.0.1:"+mgmt, "localhost:8080", "127.0.0.1:"+gw,
			"localhost:9000", "127.0.0.1:"+backend, "http.server 9000", "http.server "+backend).Replace(line)
		if m := statusComment.FindStringSubmatch(line); m != nil {
			line = "expect " + m[2] + " " + m[1]
			checked++
		}
		script.WriteString(line + "\n")
	}
	if checked < 4 {
		t.Fatalf("the quickstart has %d commands with an expected status, want at least 4:\n%s", checked, blocks)
	}
	cmd := exec.Command("bash", "-c", script.String())
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the quickstart failed: %v\n%s\nscript:\n%s\nserver log:\n%s", err, out, script.String(), logs.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "gatehouse-data", "admin.token")); err != nil {
		t.Errorf("no admin token in the data directory: %v", err)
	}
}

// quickstartBlocks returns the shell code blocks of the README's
// Quickstart section, joined.
func quickstartBlocks(t *testing.T, readme string) string {
	t.Helper()
	_, section, ok := strings.Cut(readme, "\n## Quickstart\n")
	if !ok {
		t.Fatal("the README has no Quickstart section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var code strings.Builder
	for {
		_, rest, ok := strings.Cut(section, "```sh\n")
		if !ok {
			break
		}
		block, after, _ := strings.Cut(rest, "```")
		code.WriteString(block)
		section = after
	}
	return code.String()
}

// freePort returns a port that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// TestVersion: `gatehouse version` and `--version` print the version, the
// commit and the Go release.
func TestVersion(t *testing.T) {
	bin := buildGatehouse(t)
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil || !regexp.MustCompile(`^gatehouse \S+ \(commit [^,]+(, modified)?, go1\.[\d.]+\)\n$`).Match(out) {
			t.Errorf("gatehouse %v: %v %q", args, err, out)
		}
	}
}

// TestQuickstartOpenAPIExample runs examples/quickstart: the example
// document replaces the quickstart API's operation with its two, and the
// gateway serves them with the subscription's key.
func TestQuickstartOpenAPIExample(t *testing.T) {
	backend := newBackend(t)
	in := startServe(t, t.TempDir(), "")
	in.must("PUT", "/apis/files", `{"properties": {"displayName": "Files", "path": "files", "serviceUrl": "`+backend.URL+`"}}`)
	in.must("PUT", "/apis/files/operations/get-any", `{"properties": {"method": "GET", "urlTemplate": "/*"}}`)
	in.must("PUT", "/subscriptions/all", `{"properties": {"displayName": "All", "scope": "/apis", "primaryKey": "quickstart-key-1"}}`)
	doc := filepath.Join("..", "..", "examples", "quickstart", "files.yaml")
	out := mustCLI(t, append([]string{"import", "openapi", doc, "--api-id", "files", "--dry-run"}, in.remote()...)...)
	expectContains(t, out, "+ operation list-files GET /", "+ operation get-file GET /{name}", "- operation get-any")
	// The document's server is the quickstart's backend; the test's
	// backend listens elsewhere.
	mustCLI(t, append([]string{"import", "openapi", doc, "--api-id", "files", "--service-url", backend.URL}, in.remote()...)...)
	if got := strings.Join(in.operationIDs("files"), ","); got != "get-file,list-files" {
		t.Errorf("operations after the import: %s", got)
	}
	eventually(t, 10*time.Second, "the gateway serving the imported operation", func() bool {
		r := in.call("GET", "/files/hello.txt", "Ocp-Apim-Subscription-Key: quickstart-key-1")
		return r.status == 200 && decodeSeen(t, r).Path == "/hello.txt"
	})
}
