package controller_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// mainModule is the root of the main module, whose gatehouse binary the
// tests run as the management plane.
const mainModule = "../.."

// adminToken is the management plane's token in the tests.
const adminToken = "controller-test-admin-token"

// gatehouseBinary builds gatehouse once per test run, with -race where
// cgo is available so that it reuses what the main module's race tests
// and the chart tests compiled.
var gatehouseBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "gatehouse-controller-bin-")
	if err != nil {
		return "", err
	}
	args := []string{"build", "-o", dir + "/"}
	if out, err := exec.Command("go", "env", "CGO_ENABLED").Output(); err == nil && strings.TrimSpace(string(out)) == "1" {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, "./cmd/gatehouse")...)
	cmd.Dir = mainModule
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/gatehouse: %w\n%s", err, out)
	}
	return filepath.Join(dir, "gatehouse"), nil
})

// A plane is a running `gatehouse serve` on loopback.
type plane struct {
	mgmt    string // http://host:port of the management address
	gateway string // http://host:port of the embedded gateway
}

// startPlane starts gatehouse serve with a temporary data directory and
// stops it when the test ends.
func startPlane(t *testing.T) plane {
	t.Helper()
	bin, err := gatehouseBinary()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "serve", "--data", t.TempDir(), "--mgmt", "127.0.0.1:0",
		"--gateway-http", "127.0.0.1:0", "--log-format", "json")
	cmd.Env = append(os.Environ(), "GATEHOUSE_ADMIN_TOKEN="+adminToken)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	var logs safeBuffer
	ready := make(chan plane, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			logs.Write(append(sc.Bytes(), '\n'))
			var line struct {
				Msg, Mgmt   string
				GatewayHTTP string `json:"gateway_http"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "gatehouse serving" {
				ready <- plane{mgmt: "http://" + line.Mgmt, gateway: "http://" + line.GatewayHTTP}
			}
		}
		io.Copy(io.Discard, pr)
	}()
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
		pw.Close()
		if t.Failed() {
			t.Logf("gatehouse serve logged:\n%s", logs.String())
		}
	})
	select {
	case p := <-ready:
		return p
	case <-time.After(2 * time.Minute):
		t.Fatalf("gatehouse serve did not start; it logged:\n%s", logs.String())
	}
	return plane{}
}

// call sends a management API request with the admin token and decodes
// the answer into out (when not nil). It returns the status code.
func (p plane) call(t *testing.T, method, path string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, p.mgmt+"/mgmt"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, data)
		}
	}
	if resp.StatusCode >= 300 && resp.StatusCode != http.StatusNotFound {
		t.Logf("%s %s: %s %s", method, path, resp.Status, data)
	}
	return resp.StatusCode
}

// contributorToken makes a service principal with the contributor role,
// as an operator sets gatehouse-controller up, and returns its token.
func (p plane) contributorToken(t *testing.T) string {
	t.Helper()
	p.must(t, "PUT", "/servicePrincipals/controller", map[string]any{"properties": map[string]string{
		"displayName": "gatehouse-controller", "role": "contributor"}})
	var tok struct {
		Token string `json:"token"`
	}
	if code := p.call(t, "POST", "/servicePrincipals/controller/generateToken", nil, &tok); code != http.StatusOK || tok.Token == "" {
		t.Fatalf("generateToken: %d", code)
	}
	return tok.Token
}

// must sends a request that has to succeed.
func (p plane) must(t *testing.T, method, path string, body any) {
	t.Helper()
	if code := p.call(t, method, path, body, nil); code >= 300 {
		t.Fatalf("%s %s: %d", method, path, code)
	}
}

// safeBuffer is a bytes.Buffer safe for concurrent use.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// eventually polls cond until it returns nil, failing the test with its
// last error after a minute.
func eventually(t *testing.T, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		<-tick.C
	}
}
