package gateway

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// rawBackend is a loopback backend that answers every request of every
// connection with the same bytes and allocates nothing once a connection
// is open, so that allocation counts are the gateway's alone. It counts
// the connections it accepted.
type rawBackend struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

const rawAnswer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDate: Mon, 07 Dec 2026 12:00:00 GMT\r\nContent-Length: 11\r\n\r\n{\"ok\":true}"

func startRawBackend(t testing.TB) *rawBackend {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &rawBackend{ln: ln}
	b.wg.Add(1)
	go b.accept()
	t.Cleanup(b.close)
	return b
}

func (b *rawBackend) URL() string { return "http://" + b.ln.Addr().String() }

func (b *rawBackend) accept() {
	defer b.wg.Done()
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		b.mu.Lock()
		b.conns = append(b.conns, c)
		b.mu.Unlock()
		b.wg.Add(1)
		go b.serve(c)
	}
}

// serve answers each request head (requests without a body) on c.
func (b *rawBackend) serve(c net.Conn) {
	defer b.wg.Done()
	defer c.Close()
	buf := make([]byte, 8<<10)
	answer := []byte(rawAnswer)
	n := 0
	for {
		m, err := c.Read(buf[n:])
		if err != nil {
			return
		}
		n += m
		for {
			end := bytes.Index(buf[:n], []byte("\r\n\r\n"))
			if end < 0 {
				break
			}
			if _, err := c.Write(answer); err != nil {
				return
			}
			n = copy(buf, buf[end+4:n])
		}
		if n == len(buf) {
			return
		}
	}
}

func (b *rawBackend) accepted() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.conns)
}

func (b *rawBackend) close() {
	b.ln.Close()
	b.mu.Lock()
	for _, c := range b.conns {
		c.Close()
	}
	b.mu.Unlock()
	b.wg.Wait()
}

// maxKeyedAllocs is the allocation budget of a keyed request without a
// policy in the gateway's own code, h1 forwarder included: 6 today (2 of
// them context.AfterFunc's, which the gateway's own server spares it),
// and 2 to spare.
const maxKeyedAllocs = 8

// TestKeyedRequestAllocations: a request with a subscription key to an
// operation without a policy, handled by Server.ServeHTTP and forwarded
// by the h1 forwarder to a loopback backend that allocates nothing,
// allocates at most maxKeyedAllocs times. The request and the
// ResponseWriter are made once, so the net/http server's own allocations
// are not counted.
func TestKeyedRequestAllocations(t *testing.T) {
	backend := startRawBackend(t)
	s := NewServer(Options{})
	t.Cleanup(func() { s.Close() })
	s.Load(testSnapshot(backend.URL()))
	if _, fast := s.rt.Load().byID["orders"].proxy.(*fastProxy); !fast {
		t.Fatal("the keyed API does not use the h1 forwarder")
	}
	// A context that can end, as the net/http server's: the forward
	// watches it.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req := httptest.NewRequestWithContext(ctx, "GET", "/shop/orders/42?x=1", nil)
	req.RemoteAddr = "192.0.2.7:41000"
	req.Header.Set("Ocp-Apim-Subscription-Key", "good-key")
	req.Header.Set("Accept", "application/json")
	w := &statusRecorder{h: http.Header{}}
	run := func() {
		clear(w.h)
		w.status, w.body = 0, w.body[:0]
		s.ServeHTTP(w, req)
	}
	run()
	if w.status != http.StatusOK || string(w.body) != `{"ok":true}` {
		t.Fatalf("got %d %q, want 200 {\"ok\":true}", w.status, w.body)
	}
	allocs := testing.AllocsPerRun(200, run)
	t.Logf("%.1f allocations per keyed request", allocs)
	if allocs > maxKeyedAllocs {
		t.Errorf("%.1f allocations per keyed request, want at most %d", allocs, maxKeyedAllocs)
	}
	if n := backend.accepted(); n != 1 {
		t.Errorf("the backend accepted %d connections for sequential requests, want 1 (kept alive)", n)
	}
}

// statusRecorder is a reusable ResponseWriter that keeps the status and
// body.
type statusRecorder struct {
	h      http.Header
	status int
	body   []byte
}

func (w *statusRecorder) Header() http.Header { return w.h }
func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.body = append(w.body, b...)
	return len(b), nil
}
func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
}

// TestFastPathRequestAsReverseProxySendsIt: the bytes the h1 forwarder
// sends carry what ReverseProxy's would: the joined path, the query
// without the key, no key header, X-Forwarded-*, Content-Length for a
// body, no hop-by-hop field.
func TestFastPathRequestAsReverseProxySendsIt(t *testing.T) {
	seen := make(chan *http.Request, 2)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		seen <- r
	}))
	defer backend.Close()
	for _, fast := range []bool{true, false} {
		s := NewServer(Options{})
		s.noFastPath = !fast
		s.Load(testSnapshot(backend.URL + "/base/"))
		gw := httptest.NewServer(s)
		req, _ := http.NewRequest(http.MethodPut, gw.URL+"/shop/orders/42?b=2&subscription-key=good-key&a=1", strings.NewReader("payload"))
		req.Header.Set("Keep-Alive", "timeout=5")
		req.Header.Set("Te", "trailers, deflate")
		req.Header.Set("X-Forwarded-Host", "spoofed")
		req.Header.Set("Forwarded", "for=spoofed")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		r := <-seen
		body, _ := io.ReadAll(r.Body)
		if r.RequestURI != "/base/42?b=2&a=1" || string(body) != "payload" || r.ContentLength != 7 ||
			r.Header.Get("Ocp-Apim-Subscription-Key") != "" || r.Header.Get("Keep-Alive") != "" || r.Header.Get("Te") != "trailers" ||
			r.Header.Get("Forwarded") != "" || r.Header.Get("X-Forwarded-Host") != strings.TrimPrefix(gw.URL, "http://") ||
			r.Header.Get("X-Forwarded-For") != "127.0.0.1" || r.Header.Get("X-Forwarded-Proto") != "http" || r.Host != strings.TrimPrefix(backend.URL, "http://") {
			t.Errorf("fast %v: the backend got %s %s Host %s CL %d body %q header %v", fast, r.Method, r.RequestURI, r.Host, r.ContentLength, body, r.Header)
		}
		gw.Close()
		s.Close()
	}
}

// TestFastPathBackendErrors: a backend that cannot be reached is 502, one
// that does not answer within the backend timeout is 504, both with the
// APIM-shaped body; a client that goes away closes the backend
// connection.
func TestFastPathBackendErrors(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + ln.Addr().String()
	ln.Close()
	s := NewServer(Options{})
	defer s.Close()
	s.Load(testSnapshot(dead))
	w := httptest.NewRecorder()
	s.ServeHTTP(w, keyedRequest(context.Background()))
	if w.Code != http.StatusBadGateway || w.Body.String() != `{"statusCode":502,"message":"The backend could not be reached."}` {
		t.Errorf("unreachable backend: %d %q", w.Code, w.Body)
	}

	silent, accepted, closed := startSilentBackend(t)
	s2 := NewServer(Options{BackendTimeout: 200 * time.Millisecond})
	defer s2.Close()
	s2.Load(testSnapshot(silent))
	w = httptest.NewRecorder()
	s2.ServeHTTP(w, keyedRequest(context.Background()))
	if w.Code != http.StatusGatewayTimeout || w.Body.String() != `{"statusCode":504,"message":"The backend did not respond in time."}` {
		t.Errorf("silent backend: %d %q", w.Code, w.Body)
	}
	waitClosed(t, accepted, "accepted")
	waitClosed(t, closed, "closed after the timeout")

	s3 := NewServer(Options{})
	defer s3.Close()
	s3.Load(testSnapshot(silent))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		w := httptest.NewRecorder()
		s3.ServeHTTP(w, keyedRequest(ctx))
		done <- w.Code
	}()
	waitClosed(t, accepted, "accepted")
	cancel()
	select {
	case code := <-done:
		if code != 499 {
			t.Errorf("client gone: status %d, want 499", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the forward did not end when the client went away")
	}
	waitClosed(t, closed, "closed after the client went away")
}

// startSilentBackend starts a backend that reads requests and never
// answers. It returns its URL and signals on accepted for each
// connection it accepts and on closed for each the gateway closed.
func startSilentBackend(t *testing.T) (backendURL string, accepted, closed <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	acc, cl := make(chan struct{}, 4), make(chan struct{}, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			acc <- struct{}{}
			go func() {
				io.Copy(io.Discard, c) // until the gateway closes it
				c.Close()
				cl <- struct{}{}
			}()
		}
	}()
	return "http://" + ln.Addr().String(), acc, cl
}

func keyedRequest(ctx context.Context) *http.Request {
	r := httptest.NewRequest("GET", "/shop/orders/42", nil).WithContext(ctx)
	r.Header.Set("Ocp-Apim-Subscription-Key", "good-key")
	return r
}

// waitClosed waits for a signal on closed: the backend's connection was
// what when says.
func waitClosed(t *testing.T, closed <-chan struct{}, when string) {
	t.Helper()
	select {
	case <-closed:
	case <-time.After(20 * time.Second):
		t.Fatalf("the backend connection was not %s", when)
	}
}

// TestFastPathPoolsFollowConfiguration: a configuration that no longer
// names a backend closes its idle connections.
func TestFastPathPoolsFollowConfiguration(t *testing.T) {
	a, b := startRawBackend(t), startRawBackend(t)
	s := NewServer(Options{})
	defer s.Close()
	s.Load(testSnapshot(a.URL()))
	w := &statusRecorder{h: http.Header{}}
	s.ServeHTTP(w, keyedRequest(context.Background()))
	pool := s.rt.Load().byID["orders"].proxy.(*fastProxy).pool
	if w.status != http.StatusOK || pool.Idle() != 1 {
		t.Fatalf("status %d, %d idle connections; want 200 and 1", w.status, pool.Idle())
	}
	s.Load(testSnapshot(b.URL()))
	if pool.Idle() != 0 {
		t.Errorf("%d idle connections to the backend the configuration dropped, want 0", pool.Idle())
	}
}

// TestFastPathBodyAfterBackendClosed: a backend that closes each
// connection after answering, without saying so, still gets every POST
// with its body: the h1 forwarder does not send a body it could not send
// again on a connection the backend closed.
func TestFastPathBodyAfterBackendClosed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer ln.Close()
	closed := make(chan struct{}, 8)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r, err := http.ReadRequest(bufio.NewReader(c))
			if err == nil {
				body, _ := io.ReadAll(r.Body)
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+string(body))
			}
			c.Close()
			closed <- struct{}{}
		}
	}()
	s := NewServer(Options{})
	defer s.Close()
	s.Load(testSnapshot("http://" + ln.Addr().String()))
	for i := range 5 {
		want := "body " + strconv.Itoa(i)
		if i > 0 {
			waitClosed(t, closed, "closed by the backend") // before the next request takes it
		}
		r := httptest.NewRequest(http.MethodPost, "/shop/orders/42", strings.NewReader(want))
		r.Header.Set("Ocp-Apim-Subscription-Key", "good-key")
		w := &statusRecorder{h: http.Header{}}
		s.ServeHTTP(w, r)
		if w.status != http.StatusOK || string(w.body) != want {
			t.Fatalf("POST %d: %d %q, want 200 %q", i, w.status, w.body, want)
		}
	}
}

// TestPolicyPathSendsThroughH1: forward-request to the API's http://
// service URL sends through the API's h1 pool, which keeps the
// connection for the next request, whether or not outbound reads the
// body.
func TestPolicyPathSendsThroughH1(t *testing.T) {
	backend := startRawBackend(t)
	for _, outbound := range []string{"", `<outbound><set-header name="X-Len" exists-action="override"><value>@(context.Response.Body.As<string>(preserveContent: true).Length.ToString())</value></set-header></outbound>`} {
		s := NewServer(Options{})
		snap := testSnapshot(backend.URL())
		snap.APIs[0].Operations[2].Policy = `<policies><inbound><set-header name="X-A" exists-action="override"><value>a</value></set-header></inbound>
		  <backend><forward-request /></backend>` + outbound + `</policies>`
		s.Load(snap)
		pool := s.rt.Load().byID["orders"].proxy.(*fastProxy).pool
		before := backend.accepted()
		for i := range 3 {
			w := httptest.NewRecorder()
			s.ServeHTTP(w, keyedRequest(context.Background()))
			if w.Code != http.StatusOK || w.Body.String() != `{"ok":true}` || (outbound != "" && w.Header().Get("X-Len") != "11") {
				t.Fatalf("request %d (outbound %v): %d %q %v", i, outbound != "", w.Code, w.Body, w.Header())
			}
			if pool.Idle() != 1 {
				t.Fatalf("request %d (outbound %v): %d idle connections in the h1 pool, want 1", i, outbound != "", pool.Idle())
			}
		}
		if n := backend.accepted() - before; n != 1 {
			t.Errorf("outbound %v: %d connections for 3 requests, want 1", outbound != "", n)
		}
		s.Close()
	}
}
