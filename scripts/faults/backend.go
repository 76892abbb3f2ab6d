package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// faultyBackend is a loopback backend that misbehaves by path: /hang
// never answers, /reset resets the connection, /trickle sends its status
// line a byte at a time, slower than the gateway waits, and anything else
// answers 200.
type faultyBackend struct {
	srv  *http.Server
	url  string
	quit chan struct{}
}

func startFaultyBackend(e *env) (*faultyBackend, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("backend listen: %w", err)
	}
	b := &faultyBackend{url: "http://" + l.Addr().String(), quit: make(chan struct{})}
	b.srv = &http.Server{Handler: http.HandlerFunc(b.serve)}
	go b.srv.Serve(l)
	e.onCleanup(func() {
		close(b.quit)
		b.srv.Close()
	})
	return b, nil
}

func (b *faultyBackend) serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/hang":
		select {
		case <-r.Context().Done():
		case <-b.quit:
		}
	case "/reset":
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		conn.(*net.TCPConn).SetLinger(0) // close sends RST
		conn.Close()
	case "/trickle":
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		for _, c := range []byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") {
			select {
			case <-b.quit:
				return
			case <-time.After(100 * time.Millisecond):
			}
			if _, err := conn.Write([]byte{c}); err != nil {
				return
			}
		}
	default:
		io.WriteString(w, "ok")
	}
}

// badBackends sends requests through the embedded gateway to a backend
// that hangs, resets or trickles, one at a time and 20 at once, and
// checks each is answered 504 or 502 within the backend timeout, and that
// a healthy request right after succeeds.
func badBackends(ctx context.Context, e *env, rounds int, r *result) {
	const timeout = 300 * time.Millisecond
	b, err := startFaultyBackend(e)
	if err != nil {
		r.failf("%v", err)
		return
	}
	dir, err := e.tempDir()
	if err != nil {
		r.failf("%v", err)
		return
	}
	s, err := e.startServe(serveOptions{dataDir: dir, extra: []string{"--backend-timeout", timeout.String(), "--access-log=false"}})
	if err != nil {
		r.failf("%v", err)
		return
	}
	if err := s.publish("flaky", b.url, ""); err != nil {
		r.failf("%v", err)
		return
	}
	base := "http://" + s.gateway + "/flaky"
	client := &http.Client{Timeout: 10 * time.Second}
	if !waitFor(5*time.Second, func() bool { code, _ := get(ctx, client, base+"/ok"); return code == 200 }) {
		r.failf("the API was not served within 5s")
		return
	}
	want := map[string]int{"/hang": 504, "/trickle": 504, "/reset": 502}
	took := map[string][]time.Duration{}
	recovered, healthy := 0, 0
	for round := range rounds {
		for _, path := range []string{"/hang", "/reset", "/trickle"} {
			code, d := get(ctx, client, base+path)
			took[path] = append(took[path], d)
			if code != want[path] {
				r.failf("round %d: %s answered %d, want %d", round, path, code, want[path])
			}
			if d > timeout+time.Second {
				r.failf("round %d: %s answered after %v, over the %v timeout", round, path, d, timeout)
			}
			healthy++
			if code, _ := get(ctx, client, base+"/ok"); code == 200 {
				recovered++
			} else {
				r.failf("round %d: a healthy request right after %s answered %d", round, path, code)
			}
		}
		// 20 at once of each fault, then 20 healthy ones at once.
		var wg sync.WaitGroup
		var mu sync.Mutex
		bad := 0
		for i := range 60 {
			path := []string{"/hang", "/reset", "/trickle"}[i%3]
			wg.Go(func() {
				if code, _ := get(ctx, client, base+path); code != want[path] {
					mu.Lock()
					bad++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		for range 20 {
			wg.Go(func() {
				code, _ := get(ctx, client, base+"/ok")
				mu.Lock()
				healthy++
				if code == 200 {
					recovered++
				} else {
					bad++
				}
				mu.Unlock()
			})
		}
		wg.Wait()
		if bad > 0 {
			r.failf("round %d: %d of 80 concurrent requests not answered as expected", round, bad)
		}
	}
	r.figure("hang 504 in p50 %v max %v", percentile(took["/hang"], 50).Round(time.Millisecond), percentile(took["/hang"], 100).Round(time.Millisecond))
	r.figure("trickle 504 max %v", percentile(took["/trickle"], 100).Round(time.Millisecond))
	r.figure("reset 502 max %v", percentile(took["/reset"], 100).Round(time.Millisecond))
	r.figure("timeout %v; healthy right after %d/%d", timeout, recovered, healthy)
}
