package h1

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestPoolIdleConnections: a connection is kept after a clean exchange,
// used again, closed once idle for longer than IdleTimeout, and closed
// by CloseIdle; MaxIdle bounds the idle list.
func TestPoolIdleConnections(t *testing.T) {
	var conns, closed atomic.Int32
	backend := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	}))
	backend.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			conns.Add(1)
		case http.StateClosed:
			closed.Add(1)
		}
	}
	backend.Start()
	defer backend.Close()
	addr := strings.TrimPrefix(backend.URL, "http://")

	forward := func(p *Pool) {
		t.Helper()
		w := httptest.NewRecorder()
		if err := p.Forward(context.Background(), w, &Request{Method: "GET", Path: "/", Host: addr, Header: http.Header{}}); err != nil {
			t.Fatal(err)
		}
		if w.Code != http.StatusOK || w.Body.String() != "ok" {
			t.Fatalf("got %d %q", w.Code, w.Body)
		}
	}

	p := NewPool(addr, Options{IdleTimeout: time.Hour})
	forward(p)
	forward(p)
	if p.Idle() != 1 || conns.Load() != 1 {
		t.Fatalf("%d idle, %d dialled after two requests; want 1 and 1", p.Idle(), conns.Load())
	}
	p.CloseIdle()
	waitUntil(t, func() bool { return closed.Load() == 1 })
	if p.Idle() != 0 {
		t.Errorf("%d idle after CloseIdle", p.Idle())
	}

	short := NewPool(addr, Options{IdleTimeout: 20 * time.Millisecond})
	forward(short)
	waitUntil(t, func() bool { return short.Idle() == 0 && closed.Load() == 2 })

	one := NewPool(addr, Options{MaxIdle: 1, IdleTimeout: time.Hour})
	c1, err := one.dial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c2, err := one.dial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	one.put(c1)
	one.put(c2)
	if one.Idle() != 1 {
		t.Errorf("%d idle with MaxIdle 1", one.Idle())
	}
	one.CloseIdle()
}

// waitUntil polls cond with a generous timeout.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(20 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			t.Fatal("condition not met in time")
		case <-tick.C:
		}
	}
}
