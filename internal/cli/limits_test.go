package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// onBothServers runs test once with net/http's server and once with
// the FastHTTP1 server (package h1server): the limits are the
// listener's, whichever serves it.
func onBothServers(t *testing.T, test func(t *testing.T, fast bool)) {
	for _, fast := range []bool{false, true} {
		name := "net-http"
		if fast {
			name = "h1server"
		}
		t.Run(name, func(t *testing.T) { test(t, fast) })
	}
}

// serveLimited serves h on a loopback listener opened by OpenAll with
// limits until the test ends, and returns its address; fast: with
// FastHTTP1.
func serveLimited(t *testing.T, fast bool, limits Limits, h http.Handler) string {
	t.Helper()
	ls, err := OpenAll([]ListenerSpec{{Name: "test", Addr: "127.0.0.1:0", Handler: h, Limits: limits, FastHTTP1: fast}}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, slog.New(slog.DiscardHandler), time.Second, ls...) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ls[0].Addr()
}

// bodyHandler reads the whole body and answers 200 with its length, or
// the status the read error calls for, as the gateway and the
// management API do.
func bodyHandler(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
	case errors.Is(err, os.ErrDeadlineExceeded):
		w.Header().Set("Connection", "close")
		http.Error(w, "too slow", http.StatusRequestTimeout)
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadRequest)
	default:
		fmt.Fprint(w, len(b))
	}
}

// dial opens a connection to addr that the test closes at its end.
func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// readResponse reads one response from c within a generous deadline.
func readResponse(t *testing.T, c net.Conn, br *bufio.Reader) *http.Response {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// expectClosed checks that the server closes c.
func expectClosed(t *testing.T, c net.Conn, br *bufio.Reader) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	if n, err := br.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("the connection stayed open (read %d bytes, %v)", n, err)
	}
}

func TestStalledBodyIsAnswered408AndTheConnectionClosed(t *testing.T) {
	onBothServers(t, func(t *testing.T, fast bool) {
		const timeout = 300 * time.Millisecond
		addr := serveLimited(t, fast, Limits{RequestBodyTimeout: timeout}, http.HandlerFunc(bodyHandler))
		c := dial(t, addr)
		start := time.Now()
		fmt.Fprint(c, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nthe first part")
		br := bufio.NewReader(c)
		resp := readResponse(t, c, br)
		if resp.StatusCode != http.StatusRequestTimeout {
			t.Fatalf("status %d, want 408", resp.StatusCode)
		}
		if took := time.Since(start); took < timeout || took > timeout+10*time.Second {
			t.Errorf("answered after %v; the timeout is %v", took, timeout)
		}
		expectClosed(t, c, br)
	})
}

func TestHeadersWithoutBodyAreCutOffWhenTheHandlerIgnoresTheBody(t *testing.T) {
	onBothServers(t, func(t *testing.T, fast bool) {
		addr := serveLimited(t, fast, Limits{RequestBodyTimeout: 200 * time.Millisecond}, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
		}))
		c := dial(t, addr)
		fmt.Fprint(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n")
		br := bufio.NewReader(c)
		if resp := readResponse(t, c, br); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", resp.StatusCode)
		}
		expectClosed(t, c, br) // the server gives up reading the withheld body
	})
}

func TestTricklingBodyBelowTheMinimumRateIsCutOff(t *testing.T) {
	onBothServers(t, func(t *testing.T, fast bool) {
		const timeout = 200 * time.Millisecond
		addr := serveLimited(t, fast, Limits{RequestBodyTimeout: timeout, RequestBodyMinRate: 1000}, http.HandlerFunc(bodyHandler))
		c := dial(t, addr)
		fmt.Fprint(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
		answered := make(chan *http.Response, 1)
		br := bufio.NewReader(c)
		go func() {
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				close(answered)
				return
			}
			answered <- resp
		}()
		// One byte every 50 ms never stalls for the timeout, but is far below
		// 1000 bytes a second.
		tick := time.NewTicker(timeout / 4)
		defer tick.Stop()
		deadline := time.After(20 * time.Second)
		for {
			select {
			case resp := <-answered:
				if resp == nil || resp.StatusCode != http.StatusRequestTimeout {
					t.Fatalf("response %v, want 408", resp)
				}
				return
			case <-tick.C:
				c.Write([]byte("x")) // fails once the server has closed
			case <-deadline:
				t.Fatal("a body trickling below the minimum rate was not cut off")
			}
		}
	})
}

func TestBodyInTimeKeepsTheConnectionAndItsContext(t *testing.T) {
	onBothServers(t, func(t *testing.T, fast bool) {
		const timeout = 100 * time.Millisecond
		var canceled atomic.Bool
		addr := serveLimited(t, fast, Limits{RequestBodyTimeout: timeout}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, err := io.ReadAll(r.Body); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			// Working past the body's deadline (a slow backend) must not look
			// like a closed connection.
			select {
			case <-r.Context().Done():
				canceled.Store(true)
			case <-time.After(3 * timeout):
			}
			w.WriteHeader(http.StatusNoContent)
		}))
		c := dial(t, addr)
		br := bufio.NewReader(c)
		for i := range 2 {
			fmt.Fprint(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
			if resp := readResponse(t, c, br); resp.StatusCode != http.StatusNoContent {
				t.Fatalf("request %d: status %d, want 204", i, resp.StatusCode)
			}
		}
		if canceled.Load() {
			t.Error("the request's context was canceled after its body was read")
		}
	})
}

func TestOverLongURLIs414AndLargeHeadersAre431(t *testing.T) {
	onBothServers(t, func(t *testing.T, fast bool) {
		addr := serveLimited(t, fast, Limits{MaxURLBytes: 1 << 10, MaxHeaderBytes: 2 << 10}, http.HandlerFunc(bodyHandler))
		get := func(target string, header string) int {
			t.Helper()
			c := dial(t, addr)
			fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n%s\r\n", target, header)
			return readResponse(t, c, bufio.NewReader(c)).StatusCode
		}
		if got := get("/"+strings.Repeat("a", 1<<10-1), ""); got != http.StatusOK {
			t.Errorf("a URL at the limit: %d, want 200", got)
		}
		if got := get("/"+strings.Repeat("a", 1<<10), ""); got != http.StatusRequestURITooLong {
			t.Errorf("a URL one byte over the limit: %d, want 414", got)
		}
		if got := get("/?q="+strings.Repeat("a", 2<<10), ""); got != http.StatusRequestURITooLong {
			t.Errorf("a query over the limit: %d, want 414", got)
		}
		if got := get("/", "X-Big: "+strings.Repeat("b", 2<<10)+"\r\n"); got != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("headers over the limit: %d, want 431", got)
		}
		if got := get("/", "X-Fine: "+strings.Repeat("b", 1<<10)+"\r\n"); got != http.StatusOK {
			t.Errorf("headers within the limit: %d, want 200", got)
		}
	})
}

func TestBodyOverTheLimitIs413(t *testing.T) {
	onBothServers(t, func(t *testing.T, fast bool) {
		var reached atomic.Int32
		addr := serveLimited(t, fast, Limits{MaxBodyBytes: 1000}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			reached.Add(1)
			bodyHandler(w, r)
		}))
		post := func(body io.Reader, length int64) int {
			t.Helper()
			req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/", body)
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = length
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			resp, err := (&http.Client{Transport: tr}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		if got := post(strings.NewReader(strings.Repeat("a", 1000)), 1000); got != http.StatusOK {
			t.Errorf("a body at the limit: %d, want 200", got)
		}
		if got := post(strings.NewReader(strings.Repeat("a", 1001)), 1001); got != http.StatusRequestEntityTooLarge {
			t.Errorf("a declared length over the limit: %d, want 413", got)
		}
		if reached.Load() != 1 {
			t.Errorf("the handler saw %d requests; a declared length over the limit must not reach it", reached.Load())
		}
		// Chunked: the handler's read fails at the limit.
		if got := post(io.MultiReader(strings.NewReader(strings.Repeat("a", 2000))), -1); got != http.StatusRequestEntityTooLarge {
			t.Errorf("a chunked body over the limit: %d, want 413", got)
		}
	})
}

func TestConnectionsOverTheLimitWait(t *testing.T) {
	onBothServers(t, func(t *testing.T, fast bool) {
		var released atomic.Bool
		var early atomic.Int32
		addr := serveLimited(t, fast, Limits{MaxConnections: 2}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/third" && !released.Load() {
				early.Add(1)
			}
			w.WriteHeader(http.StatusNoContent)
		}))
		// Two connections take the two slots: each is served once and kept
		// alive.
		held := make([]net.Conn, 2)
		for i := range held {
			held[i] = dial(t, addr)
			fmt.Fprint(held[i], "GET /held HTTP/1.1\r\nHost: x\r\n\r\n")
			if resp := readResponse(t, held[i], bufio.NewReader(held[i])); resp.StatusCode != http.StatusNoContent {
				t.Fatalf("held connection %d: status %d", i, resp.StatusCode)
			}
		}
		third := dial(t, addr) // the kernel completes the handshake; the server does not accept it
		fmt.Fprint(third, "GET /third HTTP/1.1\r\nHost: x\r\n\r\n")
		br := bufio.NewReader(third)
		third.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		if _, err := br.Peek(1); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("the third connection was answered while two were held: %v", err)
		}
		released.Store(true)
		held[0].Close()
		if resp := readResponse(t, third, br); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("third connection: status %d", resp.StatusCode)
		}
		if early.Load() != 0 {
			t.Error("the third connection was served before a slot was free")
		}
	})
}

func TestByteSize(t *testing.T) {
	for in, want := range map[string]ByteSize{"65536": 64 << 10, "64KiB": 64 << 10, "100MiB": 100 << 20, "1GiB": 1 << 30, "1 GiB": 1 << 30, "-1": -1, "0": 0, "512B": 512} {
		var b ByteSize
		if err := b.Set(in); err != nil || b != want {
			t.Errorf("Set(%q) = %d, %v; want %d", in, b, err, want)
		}
	}
	for _, in := range []string{"", "1KB", "lots", "1.5MiB", "99999999999GiB"} {
		var b ByteSize
		if err := b.Set(in); err == nil {
			t.Errorf("Set(%q) = %d, want an error", in, b)
		}
	}
	for b, want := range map[ByteSize]string{64 << 10: "64KiB", 1 << 30: "1GiB", 1000: "1000", 0: "0", 3 << 20: "3MiB"} {
		if got := b.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int64(b), got, want)
		}
	}
}
