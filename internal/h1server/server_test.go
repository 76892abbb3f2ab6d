package h1server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// start serves h with a Server on loopback and returns its address.
func start(t *testing.T, h http.Handler, tune func(*Server)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(&http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if tune != nil {
		tune(s)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != http.ErrServerClosed {
			t.Errorf("serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// exchange writes raw to a new connection and returns what comes back
// until the server closes it or nothing comes for a second.
func exchange(t *testing.T, addr, raw string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, raw)
	c.SetReadDeadline(time.Now().Add(time.Second))
	b, _ := io.ReadAll(c)
	return string(b)
}

func TestServesKeepAliveRequests(t *testing.T) {
	addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s %s host=%s body=%q ua=%s", r.Proto, r.Method, r.RequestURI, r.Host, b, r.Header.Get("User-Agent"))
	}), nil)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	var remote []string
	for i := range 3 {
		req, _ := http.NewRequest("POST", "http://"+addr+"/a/b?c=d", strings.NewReader("hello"))
		req.Header.Set("User-Agent", "t")
		trace := &connTrace{}
		req = req.WithContext(trace.context())
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if want := `HTTP/1.1 POST /a/b?c=d host=` + addr + ` body="hello" ua=t`; string(b) != want || res.ContentLength != int64(len(want)) {
			t.Fatalf("request %d: %q (length %d), want %q", i, b, res.ContentLength, want)
		}
		remote = append(remote, trace.local)
	}
	if remote[0] != remote[1] || remote[1] != remote[2] {
		t.Errorf("connections %q: want one reused", remote)
	}
}

func TestHandsUnusualRequestsToNetHTTP(t *testing.T) {
	addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s body=%q", r.Proto, r.Method, b)
	}), nil)
	for _, tt := range []struct{ name, raw, want string }{
		{"HTTP/1.0", "GET / HTTP/1.0\r\n\r\n", "HTTP/1.0 GET body=\"\""},
		{"chunked body", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n", `HTTP/1.1 POST body="abc"`},
		{"bare LF", "GET / HTTP/1.1\nHost: x\nConnection: close\n\n", `HTTP/1.1 GET body=""`},
		{"no Host", "GET / HTTP/1.1\r\n\r\n", "400 Bad Request: missing required Host header"},
		{"two Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", "400 Bad Request"},
		{"large head", "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: " + strings.Repeat("a", 5000) + "\r\n\r\n", `HTTP/1.1 GET body=""`},
		{"second request unusual", "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.0\r\n\r\n", `HTTP/1.0 GET body=""`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := exchange(t, addr, tt.raw); !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want it to contain %q", got, tt.want)
			}
		})
	}
}

func TestPipelinedRequests(t *testing.T) {
	addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.URL.Path)
	}), nil)
	got := exchange(t, addr, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	br := bufio.NewReader(strings.NewReader(got))
	for _, want := range []string{"/1", "/2", "/3"} {
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%s: %v in %q", want, err, got)
		}
		b, _ := io.ReadAll(res.Body)
		if string(b) != want {
			t.Errorf("body %q, want %q", b, want)
		}
	}
}

func TestClientGoneCancelsTheRequest(t *testing.T) {
	for _, raw := range []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
	} {
		t.Run(raw[:4], func(t *testing.T) {
			cancelled := make(chan error, 1)
			started := make(chan struct{})
			addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if b, err := io.ReadAll(r.Body); err != nil || (r.Method == "POST" && string(b) != "hello") {
					t.Errorf("body %q, %v", b, err)
				}
				close(started)
				select {
				case <-r.Context().Done():
					cancelled <- r.Context().Err()
				case <-time.After(10 * time.Second):
					cancelled <- nil
				}
			}), func(s *Server) { s.ClientGoneAfter = 10 * time.Millisecond })
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(c, raw)
			<-started
			c.Close()
			if err := <-cancelled; err != context.Canceled {
				t.Errorf("request context: %v, want canceled", err)
			}
		})
	}
}

// connTrace records the local address of the connection a request used.
type connTrace struct{ local string }

func (ct *connTrace) context() context.Context {
	return withGotConn(context.Background(), func(c net.Conn) { ct.local = c.LocalAddr().String() })
}

func TestTimeouts(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(&http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}), ReadHeaderTimeout: 200 * time.Millisecond, IdleTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	for _, tt := range []struct{ name, raw string }{
		{"idle after a request", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"head never finished", "GET / HTTP/1.1\r\nHost: x\r\n"},
		{"silent", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			io.WriteString(c, tt.raw)
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			b, err := io.ReadAll(c) // until the server closes the connection
			if err != nil {
				t.Fatalf("the server did not close the connection: %v (read %q)", err, b)
			}
			if tt.name == "idle after a request" && !strings.HasSuffix(string(b), "\r\n\r\nok") {
				t.Errorf("response %q", b)
			}
		})
	}
}

func TestShutdownLetsActiveRequestsFinish(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	started := make(chan struct{})
	s, err := New(&http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(started)
			<-release
		}
		io.WriteString(w, "done")
	})})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()

	idle, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	io.WriteString(idle, "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
	if res, err := http.ReadResponse(bufio.NewReader(idle), nil); err != nil || res.StatusCode != 200 {
		t.Fatalf("first request: %v", err)
	}

	active, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer active.Close()
	io.WriteString(active, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
	<-started

	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()
	// The idle connection is closed; the active one is not.
	idle.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := idle.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("idle connection: read %d, %v; want it closed", n, err)
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) while a request was active", err)
	default:
	}
	close(release)
	active.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, _ := io.ReadAll(active)
	if !strings.Contains(string(b), "Connection: close\r\n") || !strings.HasSuffix(string(b), "\r\n\r\ndone") {
		t.Errorf("active request's response %q: want it whole, with Connection: close", b)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-served; err != http.ErrServerClosed {
		t.Errorf("Serve: %v", err)
	}
}
