package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lineLog collects a process's output lines.
type lineLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *lineLog) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, s)
}

func (l *lineLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// find returns the first line containing sub, if any.
func (l *lineLog) find(sub string) (string, bool) {
	for _, line := range l.all() {
		if strings.Contains(line, sub) {
			return line, true
		}
	}
	return "", false
}

// TestEveryLogLineIsJSON runs the gatehouse binary with --log-format json
// and provokes what libraries log on their own: the HTTP server (a TLS
// handshake that fails), go-redis (a Redis that cannot be reached), the
// reverse proxy (a malformed request body). Every line of its stderr,
// until it has stopped, must be a JSON object.
func TestEveryLogLineIsJSON(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "gatehouse")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	_, chain, key := privateCA(t, dir)
	// Redis is unreachable: nothing listens on port 1, and no test's
	// listener can be given it (a closed ephemeral port could be).
	redisAddr := "127.0.0.1:1"

	cmd := exec.Command(bin, "serve", "--data", filepath.Join(dir, "data"), "--log-format", "json",
		"--mgmt", "127.0.0.1:0", "--gateway-http", "127.0.0.1:0", "--gateway-https", "127.0.0.1:0",
		"--tls-cert", chain, "--tls-key", key, "--redis", "redis://"+redisAddr, "--shutdown-grace", "5s")
	cmd.Env = append(os.Environ(), "GATEHOUSE_ADMIN_TOKEN=json-log-token")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = cmd.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logs := &lineLog{}
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			logs.add(sc.Text())
		}
	}()
	exited := false
	t.Cleanup(func() {
		if !exited {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})

	var addrs struct {
		Mgmt         string `json:"mgmt"`
		GatewayHTTP  string `json:"gateway_http"`
		GatewayHTTPS string `json:"gateway_https"`
	}
	eventually(t, 30*time.Second, "serve started", func() bool {
		line, ok := logs.find(`"gatehouse serving"`)
		return ok && json.Unmarshal([]byte(line), &addrs) == nil
	})
	mgmt := func(method, path, body string, headers ...string) {
		t.Helper()
		req, _ := http.NewRequest(method, "http://"+addrs.Mgmt+"/mgmt"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer json-log-token")
		for _, h := range headers {
			k, v, _ := strings.Cut(h, ":")
			req.Header.Set(k, strings.TrimSpace(v))
		}
		if r := send(t, req); r.status/100 != 2 {
			t.Fatalf("%s %s: %d %s", method, path, r.status, r.body)
		}
	}
	mgmt("PUT", "/apis/limited", `{"properties":{"displayName":"x","path":"limited","serviceUrl":"http://127.0.0.1:1","subscriptionRequired":false}}`)
	mgmt("PUT", "/apis/limited/operations/all", `{"properties":{"method":"*","urlTemplate":"/*"}}`)
	mgmt("PUT", "/apis/limited/policy", `<policies><inbound><base /><rate-limit-by-key calls="5" renewal-period="60" counter-key="k" /></inbound>`+
		`<backend><base /></backend></policies>`, "Content-Type: application/xml")

	// The HTTP server's own message: plain HTTP to the HTTPS listener.
	if c, err := net.Dial("tcp", addrs.GatewayHTTPS); err == nil {
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		io.Copy(io.Discard, c)
		c.Close()
	}
	// go-redis's: a limited request while Redis is away (retried until
	// the configuration with the policy is served).
	eventually(t, 30*time.Second, "go-redis's dial failure in the log", func() bool {
		if r, err := http.Get("http://" + addrs.GatewayHTTP + "/limited/x"); err == nil {
			r.Body.Close()
		}
		_, ok := logs.find("redis: connection pool")
		return ok
	})
	// A malformed request body through the reverse proxy.
	if c, err := net.Dial("tcp", addrs.GatewayHTTP); err == nil {
		io.WriteString(c, "POST /limited/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		io.Copy(io.Discard, c)
		c.Close()
	}
	eventually(t, 10*time.Second, "the HTTP server's TLS message in the log", func() bool {
		_, ok := logs.find("TLS handshake error")
		return ok
	})

	cmd.Process.Signal(syscall.SIGTERM)
	waitErr := make(chan error, 1)
	go func() { <-readDone; waitErr <- cmd.Wait() }()
	select {
	case err := <-waitErr:
		exited = true
		if err != nil {
			t.Errorf("serve exited with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30s of SIGTERM")
	}
	lines := logs.all()
	if len(lines) < 5 {
		t.Fatalf("only %d log lines", len(lines))
	}
	for i, line := range lines {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Errorf("line %d is not JSON: %s", i+1, line)
		}
	}
}
