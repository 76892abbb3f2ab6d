package h1server

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"testing"
)

// BenchmarkKeepAlive measures a request and its response on one
// keep-alive connection (client included), for a Server and, for
// comparison, net/http.
func BenchmarkKeepAlive(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > 0 {
			io.Copy(io.Discard, r.Body)
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("X-Request", r.URL.Path)
		io.WriteString(w, "hello, world")
	})
	stdAddr, h1Addr := startBare(b, h)
	for _, rc := range []struct{ name, raw string }{
		{"GET", "GET /a HTTP/1.1\r\nHost: example.com\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n"},
		{"POST", "POST /a HTTP/1.1\r\nHost: example.com\r\nContent-Length: 10\r\nContent-Type: text/plain\r\n\r\n0123456789"},
	} {
		for _, srv := range []struct{ name, addr string }{{"net-http", stdAddr}, {"h1server", h1Addr}} {
			b.Run(rc.name+"/"+srv.name, func(b *testing.B) {
				c, err := net.Dial("tcp", srv.addr)
				if err != nil {
					b.Fatal(err)
				}
				defer c.Close()
				br := bufio.NewReader(c)
				req := []byte(rc.raw)
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
			})
		}
	}
}

// startBare serves h behind a net/http Server and a Server on loopback,
// without TestDifferential's recording of requests.
func startBare(b *testing.B, h http.Handler) (std, h1 string) {
	stdLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	stdSrv := &http.Server{Handler: h}
	go stdSrv.Serve(stdLn)
	b.Cleanup(func() { stdSrv.Close() })
	h1Ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(&http.Server{Handler: h})
	if err != nil {
		b.Fatal(err)
	}
	go s.Serve(h1Ln)
	b.Cleanup(func() { s.Shutdown(context.Background()) })
	return stdLn.Addr().String(), h1Ln.Addr().String()
}
