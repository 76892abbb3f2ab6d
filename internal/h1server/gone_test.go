package h1server

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"
)

// goneNotifier is what forwarders look for on the ResponseWriter.
type goneNotifier interface {
	AfterClientGone(ctx context.Context, f func()) (stop func() bool, ok bool)
}

// TestAfterClientGone: AfterClientGone takes only the request's own
// context and one function at a time; that function runs once the
// client has gone away, after which stop reports false, and a stop
// before that keeps it from running.
func TestAfterClientGone(t *testing.T) {
	type result struct {
		derivedOK, ok bool
		secondOK      bool
		ran           bool
		stopped       bool
	}
	results := make(chan result, 2)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, isNotifier := w.(goneNotifier)
		if !isNotifier {
			t.Error("the ResponseWriter has no AfterClientGone")
			return
		}
		derived, cancel := context.WithCancel(r.Context())
		defer cancel()
		_, derivedOK := n.AfterClientGone(derived, func() {})
		ran := make(chan struct{})
		stop, ok := n.AfterClientGone(r.Context(), func() { close(ran) })
		if r.URL.Path == "/stop" {
			_, secondOK := n.AfterClientGone(r.Context(), func() {})
			stopped := stop()
			results <- result{derivedOK, ok, secondOK, false, stopped}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		select { // the client closes its connection: the function runs
		case <-ran:
		case <-time.After(20 * time.Second):
		}
		<-r.Context().Done()
		results <- result{derivedOK, ok, false, isClosed(ran), stop()}
	})
	addr := start(t, h, func(s *Server) { s.ClientGoneAfter = 10 * time.Millisecond })

	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("GET /stop HTTP/1.1\r\nHost: x\r\n\r\nGET /gone HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	if r := <-results; r.derivedOK || !r.ok || r.secondOK || !r.stopped {
		t.Errorf("stopped in time: derived context taken %v, own context taken %v, a second function taken %v, stop reported %v; want false, true, false, true",
			r.derivedOK, r.ok, r.secondOK, r.stopped)
	}
	// The second request waits; the client goes away meanwhile. The
	// pipelined request is read before the first response is written,
	// so closing now is while /gone runs.
	c.Close()
	select {
	case r := <-results:
		if !r.ok || !r.ran || r.stopped {
			t.Errorf("client gone: own context taken %v, function ran %v, stop reported %v; want true, true, false", r.ok, r.ran, r.stopped)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the handler of the request whose client went away did not end")
	}
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
