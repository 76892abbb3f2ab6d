package h1server

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// BenchmarkServe measures one keep-alive request and its response over
// loopback, served by the Server and by net/http alone.
func BenchmarkServe(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`)
	})
	b.Run("h1server", func(b *testing.B) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		s, _ := New(&http.Server{Handler: h, ReadHeaderTimeout: time.Minute, IdleTimeout: time.Minute})
		go s.Serve(ln)
		defer s.Shutdown(b.Context())
		benchmarkClient(b, ln.Addr().String())
	})
	b.Run("net-http", func(b *testing.B) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		s := &http.Server{Handler: h, ReadHeaderTimeout: time.Minute, IdleTimeout: time.Minute}
		go s.Serve(ln)
		defer s.Close()
		benchmarkClient(b, ln.Addr().String())
	})
}

func benchmarkClient(b *testing.B, addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	req := []byte("GET /shop/orders/42?x=1 HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench\r\nAccept: */*\r\nOcp-Apim-Subscription-Key: 0123456789abcdef\r\n\r\n")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Write(req); err != nil {
			b.Fatal(err)
		}
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
}
