package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// edgeGateway is a plane with a gateway resource "edge", and what a
// self-hosted node of it needs to start.
type edgeGateway struct {
	plane   *servePlane
	token   string
	backend *faultyBackend
}

// newEdge starts serve (in dataDir) and creates gateway "edge" with the
// APIs in ids assigned to it, each answering its revision in X-Rev.
func newEdge(e *env, dataDir string, ids ...string) (*edgeGateway, error) {
	b, err := startFaultyBackend(e)
	if err != nil {
		return nil, err
	}
	s, err := e.startServe(serveOptions{dataDir: dataDir})
	if err != nil {
		return nil, err
	}
	if _, err := s.must("PUT", "/gateways/edge", `{"properties":{"description":"edge"}}`); err != nil {
		return nil, err
	}
	g := &edgeGateway{plane: s, backend: b}
	for _, id := range ids {
		if err := g.addAPI(id, 0); err != nil {
			return nil, err
		}
	}
	var tok struct{ Value string }
	body, err := s.must("POST", "/gateways/edge/generateToken", `{"keyType":"primary","expiry":"`+time.Now().Add(time.Hour).Format(time.RFC3339)+`"}`)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(body, &tok); err != nil || tok.Value == "" {
		return nil, fmt.Errorf("generateToken: %v: %s", err, body)
	}
	g.token = tok.Value
	return g, nil
}

// addAPI publishes id on the edge gateway.
func (g *edgeGateway) addAPI(id string, rev int) error {
	if err := g.plane.publish(id, g.backend.url, ""); err != nil {
		return err
	}
	if err := g.setRev(id, rev); err != nil {
		return err
	}
	_, err := g.plane.must("PUT", "/gateways/edge/apis/"+id, "")
	return err
}

// setRev makes API id answer rev in its X-Rev header.
func (g *edgeGateway) setRev(id string, rev int) error {
	_, err := g.plane.must("PUT", "/apis/"+id+"/policy", `<policies><inbound><base /></inbound><backend><base /></backend>`+
		`<outbound><base /><set-header name="X-Rev" exists-action="override"><value>`+strconv.Itoa(rev)+`</value></set-header></outbound></policies>`)
	return err
}

// gatewayNode is a running `gatehouse gateway`.
type gatewayNode struct {
	*proc
	addr string
}

// startNode runs a self-hosted node of edge with its backup in backup,
// against endpoint (the plane's management address, or a dead one).
func (e *env) startNode(endpoint, token, backup string) (*gatewayNode, error) {
	p, m, err := start(e.bin, []string{"GATEHOUSE_GATEWAY_TOKEN=" + token}, "self-hosted gateway starting", "gateway",
		"--config-endpoint", "http://"+endpoint, "--gateway-id", "edge", "--backup", backup, "--gateway-http", "127.0.0.1:0",
		"--log-format", "json", "--heartbeat-interval", "200ms", "--shutdown-grace", "2s", "--access-log=false")
	if err != nil {
		return nil, err
	}
	e.onCleanup(p.kill)
	n := &gatewayNode{proc: p}
	n.addr, _ = m["gateway_http"].(string)
	if n.addr == "" {
		p.kill()
		return nil, fmt.Errorf("the gateway's start line has no gateway_http address:\n%s", p.logs)
	}
	return n, nil
}

// rev returns the status and X-Rev header of GET /id/x on the node.
func (n *gatewayNode) rev(ctx context.Context, id string) (int, string) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+n.addr+"/"+id+"/x", nil)
	resp, err := gatewayClient.Do(req)
	if err != nil {
		return 0, ""
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("X-Rev")
}

var gatewayClient = &http.Client{Timeout: 5 * time.Second}

// killGatewayBackup changes the configuration of a self-hosted gateway in
// a loop, so that it keeps rewriting its backup, kills it with SIGKILL at
// a random moment, then starts it with the management plane unreachable:
// it must serve from the backup, at a revision that was written.
func killGatewayBackup(ctx context.Context, e *env, rounds int, r *result) {
	dir, err := e.tempDir()
	if err != nil {
		r.failf("%v", err)
		return
	}
	ids := make([]string, 5)
	for i := range ids {
		ids[i] = fmt.Sprintf("api%d", i)
	}
	g, err := newEdge(e, filepath.Join(dir, "plane"), ids...)
	if err != nil {
		r.failf("%v", err)
		return
	}
	// A policy of almost 1 MiB (the most a policy may hold) makes every
	// backup that large, so that writing it takes a while.
	for _, id := range ids[1:2] {
		if _, err := g.plane.must("PUT", "/apis/"+id+"/policy", `<policies><inbound><base /></inbound><backend><base /></backend>`+
			`<outbound><base /><set-body>`+strings.Repeat("0123456789abcdef", 60*1024)+`</set-body></outbound></policies>`); err != nil {
			r.failf("%v", err)
			return
		}
	}
	backup := filepath.Join(dir, "backup.json")
	var rev atomic.Int64
	leftovers, restored, prev := 0, 0, 0
	for round := range rounds {
		n, err := e.startNode(g.plane.mgmt, g.token, backup)
		if err != nil {
			r.failf("round %d: %v", round, err)
			return
		}
		want := strconv.Itoa(int(rev.Load()))
		if !waitFor(5*time.Second, func() bool { code, got := n.rev(ctx, "api0"); return code == 200 && got == want }) {
			r.failf("round %d: the node did not serve revision %s within 5s", round, want)
			return
		}
		// The backup of what it serves is complete: a file, and no
		// temporary one.
		if !waitFor(5*time.Second, func() bool {
			_, err := os.Stat(backup)
			tmps, _ := filepath.Glob(backup + ".*.tmp")
			return err == nil && len(tmps) == 0
		}) {
			r.failf("round %d: no complete backup within 5s of serving", round)
			return
		}
		stop := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			for {
				select {
				case <-stop:
					done <- nil
					return
				default:
				}
				if err := g.setRev("api0", int(rev.Load()+1)); err != nil {
					done <- err
					return
				}
				rev.Add(1)
			}
		}()
		// Kill the node as soon as its next backup's temporary file
		// appears (in the middle of writing it), or at a random moment
		// in the next second.
		waitForFile(backup+".*.tmp", time.Duration(200+e.rnd.IntN(800))*time.Millisecond)
		n.kill()
		close(stop)
		if err := <-done; err != nil {
			r.failf("round %d: %v", round, err)
			return
		}
		tmps, _ := filepath.Glob(backup + ".*.tmp")
		if len(tmps) > 0 {
			leftovers++
		}
		for _, tmp := range tmps {
			os.Remove(tmp) // a killed write's temporary file stays; the next round watches for new ones
		}
		// Start again with the management plane unreachable: only the
		// backup can give it its configuration.
		n, err = e.startNode("127.0.0.1:1", g.token, backup)
		if err != nil {
			r.failf("round %d: start from the backup: %v", round, err)
			return
		}
		var got string
		ok := waitFor(5*time.Second, func() bool {
			var code int
			code, got = n.rev(ctx, "api0")
			return code == 200
		})
		served, _ := strconv.Atoi(got)
		switch {
		case !ok:
			r.failf("round %d: the node did not serve from its backup:\n%s", round, lastLines(n.logs.String(), 5))
		case !waitFor(5*time.Second, func() bool { return strings.Contains(n.logs.String(), "serving the configuration from the backup") }):
			// the log line is copied from the node's output while it
			// already serves: it is waited for, not expected at once
			r.failf("round %d: the node serves, but did not say it serves from its backup", round)
		case served < prev || int64(served) > rev.Load():
			r.failf("round %d: the backup holds revision %q; want the one before the kill (%d) or a later one written (at most %d)", round, got, prev, rev.Load())
		default:
			restored++
			prev = served
		}
		n.kill()
		e.logf("round %d: revision %d written, %s served from the backup, temporary file left: %v", round, rev.Load(), got, len(tmps) > 0)
	}
	r.figure("started from an old or new backup %d/%d, torn or lost %d", restored, rounds, rounds-restored)
	r.figure("killed mid-write (a temporary file left) %d/%d", leftovers, rounds)
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// waitForFile polls for a file matching pattern, without a pause, for at
// most d, and reports whether one appeared.
func waitForFile(pattern string, d time.Duration) bool {
	dir, glob := filepath.Split(pattern)
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		entries, _ := os.ReadDir(dir)
		for _, en := range entries {
			if ok, _ := filepath.Match(glob, en.Name()); ok {
				return true
			}
		}
	}
	return false
}
