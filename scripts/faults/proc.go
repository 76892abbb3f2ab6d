package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is a gatehouse process started by the suite. Its JSON log lines
// are kept, and the addresses it logs when it starts are read from them.
type proc struct {
	cmd  *exec.Cmd
	logs *lockedBuffer
	done chan struct{}
	err  error // of Wait, once done is closed
}

// lockedBuffer is a bytes.Buffer safe for concurrent use.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// start runs bin with args and env (added to the suite's environment),
// and waits until a log line with message ready appears, returning its
// fields.
func start(bin string, env []string, ready string, args ...string) (*proc, map[string]any, error) {
	p := &proc{cmd: exec.Command(bin, args...), logs: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	pr, pw := io.Pipe()
	p.cmd.Stdout, p.cmd.Stderr = pw, pw
	if err := p.cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("start %s: %w", bin, err)
	}
	lines := make(chan map[string]any, 16)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
		for sc.Scan() {
			p.logs.Write(append(sc.Bytes(), '\n'))
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == ready {
				select {
				case lines <- m:
				default:
				}
			}
		}
		io.Copy(io.Discard, pr)
	}()
	go func() {
		p.err = p.cmd.Wait()
		pw.Close()
		close(p.done)
	}()
	select {
	case m := <-lines:
		return p, m, nil
	case <-p.done:
		return nil, nil, fmt.Errorf("%s %s stopped at start: %v\n%s", bin, strings.Join(args, " "), p.err, p.logs)
	case <-time.After(60 * time.Second):
		p.kill()
		return nil, nil, fmt.Errorf("%s %s: no %q within 60s\n%s", bin, args[0], ready, p.logs)
	}
}

// kill ends the process with SIGKILL and waits for it.
func (p *proc) kill() {
	if p == nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop ends the process with SIGTERM, as an operator would, and waits at
// most 20 s before killing it.
func (p *proc) stop() error {
	if p == nil {
		return nil
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		var ee *exec.ExitError
		if errors.As(p.err, &ee) && ee.ExitCode() == -1 {
			return nil // ended by a signal before the first line ran
		}
		return p.err
	case <-time.After(20 * time.Second):
		p.kill()
		return errors.New("did not stop within 20s of SIGTERM")
	}
}

// servePlane is a running `gatehouse serve`.
type servePlane struct {
	*proc
	mgmt, gateway string // host:port
	token         string
}

// serveOptions says how to start serve.
type serveOptions struct {
	dataDir  string
	storeURL string   // empty: SQLite in dataDir
	mgmtAddr string   // empty: a free loopback port
	extra    []string // further flags
}

const adminToken = "faults-admin-token-0123456789abcdef"

// startServe runs `gatehouse serve` and waits until it serves.
func (e *env) startServe(o serveOptions) (*servePlane, error) {
	if o.mgmtAddr == "" {
		o.mgmtAddr = "127.0.0.1:0"
	}
	args := []string{"serve", "--data", o.dataDir, "--mgmt", o.mgmtAddr, "--gateway-http", "127.0.0.1:0",
		"--log-format", "json", "--heartbeat-interval", "200ms", "--shutdown-grace", "2s"}
	if o.storeURL != "" {
		args = append(args, "--store", o.storeURL)
	}
	args = append(args, o.extra...)
	p, m, err := start(e.bin, []string{"GATEHOUSE_ADMIN_TOKEN=" + adminToken}, "gatehouse serving", args...)
	if err != nil {
		return nil, err
	}
	e.onCleanup(func() { p.kill() })
	s := &servePlane{proc: p, token: adminToken}
	s.mgmt, _ = m["mgmt"].(string)
	s.gateway, _ = m["gateway_http"].(string)
	return s, nil
}

// call sends a management API request and returns its status and body.
// A transport error is returned as status 0 with the error.
func (s *servePlane) call(method, path, body string) (int, []byte, error) {
	req, err := http.NewRequest(method, "http://"+s.mgmt+"/mgmt"+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	if strings.HasPrefix(body, "<") {
		req.Header.Set("Content-Type", "application/xml")
	} else {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := mgmtClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// must sends a management API request and returns an error unless it is
// answered 2xx.
func (s *servePlane) must(method, path, body string) ([]byte, error) {
	code, b, err := s.call(method, path, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if code/100 != 2 {
		return nil, fmt.Errorf("%s %s: %d %s", method, path, code, b)
	}
	return b, nil
}

// publish creates an open API at path forwarding to serviceURL, with
// policy (the inbound section's content after <base />) when not empty.
func (s *servePlane) publish(id, serviceURL, inbound string) error {
	if _, err := s.must("PUT", "/apis/"+id, `{"properties":{"displayName":"`+id+`","path":"`+id+`","serviceUrl":"`+serviceURL+`","subscriptionRequired":false}}`); err != nil {
		return err
	}
	if _, err := s.must("PUT", "/apis/"+id+"/operations/all", `{"properties":{"method":"GET","urlTemplate":"/*"}}`); err != nil {
		return err
	}
	if inbound == "" {
		return nil
	}
	_, err := s.must("PUT", "/apis/"+id+"/policy", `<policies><inbound><base />`+inbound+`</inbound><backend><base /></backend></policies>`)
	return err
}

// mgmtClient is the management API's client: each write waits for a
// transaction, so its timeout is generous.
var mgmtClient = &http.Client{Timeout: 30 * time.Second}

// get sends GET url with client and returns the status (0 on a transport
// error) and the time taken.
func get(ctx context.Context, client *http.Client, url string) (int, time.Duration) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, 0
	}
	t0 := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, time.Since(t0)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, time.Since(t0)
}

// waitFor polls cond every 10 ms until it holds or within passes.
func waitFor(within time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}
