package gateway

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/h1server"
)

// TestClientGoneBehindH1Server: behind the gateway's own server, a keyed
// request to a backend that never answers ends when its client goes
// away, and the backend connection is closed, on the fast path and on
// the policy path (the forward learns it from the server's
// AfterClientGone rather than context.AfterFunc).
func TestClientGoneBehindH1Server(t *testing.T) {
	for _, policy := range []string{"", `<policies><inbound><set-header name="X-A" exists-action="override"><value>a</value></set-header></inbound>
	  <backend><forward-request /></backend></policies>`} {
		name := "fast path"
		if policy != "" {
			name = "policy path"
		}
		t.Run(name, func(t *testing.T) { clientGoneBehindH1Server(t, policy) })
	}
}

func clientGoneBehindH1Server(t *testing.T, policy string) {
	silent, accepted, closed := startSilentBackend(t)
	s := NewServer(Options{})
	defer s.Close()
	snap := testSnapshot(silent)
	snap.APIs[0].Operations[2].Policy = policy
	s.Load(snap)
	front, err := h1server.New(&http.Server{Handler: s})
	if err != nil {
		t.Fatal(err)
	}
	front.ClientGoneAfter = 10 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go front.Serve(ln)
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		front.Shutdown(ctx)
	}()

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(c, "GET /shop/orders/42 HTTP/1.1\r\nHost: gw\r\nOcp-Apim-Subscription-Key: good-key\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	waitClosed(t, accepted, "accepted")
	c.Close()
	waitClosed(t, closed, "closed after the client went away")
}
