package forwardertest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"strings"
	"sync"
	"testing"
)

// serveRaw starts a backend that answers each connection with answer,
// which gets the connection and a reader over it, and then the forwarder
// in front of it; it returns the forwarder's front URL. The backend
// stops with the test.
func (h *harness) serveRaw(answer func(c net.Conn, br *bufio.Reader)) string {
	h.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		h.t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	h.t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				answer(c, bufio.NewReader(c))
			}()
		}
	}()
	front := h.start(h.t, "http://"+ln.Addr().String())
	tr := &http.Transport{DisableCompression: true}
	h.t.Cleanup(tr.CloseIdleConnections)
	h.client = &http.Client{Transport: tr}
	return front
}

// readRequest reads one request and its body from br.
func readRequest(br *bufio.Reader) (*http.Request, error) {
	r, err := http.ReadRequest(br)
	if err != nil {
		return nil, err
	}
	_, err = io.Copy(io.Discard, r.Body)
	return r, err
}

// testReuseAfterChunked: responses with chunked bodies, one after the
// other, each arrive whole: the end of a chunked body is found exactly,
// so whatever follows on a kept connection is read as the next response.
func testReuseAfterChunked(t *testing.T, h *harness) {
	front := h.serve(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "part one;")
		http.NewResponseController(w).Flush() // chunked from here on
		io.WriteString(w, "part two:"+r.URL.Query().Get("n"))
	})
	for i := range 4 {
		req, _ := http.NewRequestWithContext(h.context(), http.MethodGet, fmt.Sprintf("%s/chunked?n=%d", front, i), nil)
		resp, body := do(t, h.client, req)
		if want := fmt.Sprintf("part one;part two:%d", i); resp.StatusCode != http.StatusOK || body != want {
			t.Fatalf("request %d: %d %q, want 200 %q", i, resp.StatusCode, body, want)
		}
	}
}

// testBackendClosesIdle: a backend that closes each connection after
// one response, without saying so: every GET still gets its answer (a
// connection the backend closed is not used again, or the request is
// sent again on a new one). (A POST with a body may fail where the close
// races with it, with http.Transport too, so it is left out.)
func testBackendClosesIdle(t *testing.T, h *harness) {
	front := h.serveRaw(func(c net.Conn, br *bufio.Reader) {
		r, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		answer := r.Method + " " + r.URL.Path + " " + string(body)
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(answer), answer)
	})
	for i := range 4 {
		method, body := http.MethodGet, ""
		req, _ := http.NewRequestWithContext(h.context(), method, fmt.Sprintf("%s/r%d", front, i), strings.NewReader(body))
		resp, got := do(t, h.client, req)
		if want := fmt.Sprintf("%s /r%d %s", method, i, body); resp.StatusCode != http.StatusOK || got != want {
			t.Fatalf("request %d: %d %q, want 200 %q", i, resp.StatusCode, got, want)
		}
	}
}

// testInformationalBeforeFinal: several 1xx responses before the final
// one, sent at once, each reach the client with its fields, and the
// final response follows them.
func testInformationalBeforeFinal(t *testing.T, h *harness) {
	front := h.serveRaw(func(c net.Conn, br *bufio.Reader) {
		if _, err := readRequest(br); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"+
			"HTTP/1.1 103 Early Hints\r\nLink: </b.js>; rel=preload\r\n\r\n"+
			"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nfinal")
	})
	var mu sync.Mutex
	var hints []string
	trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, header textproto.MIMEHeader) error {
		mu.Lock()
		defer mu.Unlock()
		hints = append(hints, fmt.Sprintf("%d %s", code, header.Get("Link")))
		return nil
	}}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(h.context(), trace), http.MethodGet, front+"/page", nil)
	resp, body := do(t, h.client, req)
	if resp.StatusCode != http.StatusOK || body != "final" || resp.Header.Get("Link") != "" {
		t.Errorf("final response %d %q with Link %q, want 200 \"final\" and no Link", resp.StatusCode, body, resp.Header.Get("Link"))
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"103 </a.css>; rel=preload", "103 </b.js>; rel=preload"}; strings.Join(hints, "|") != strings.Join(want, "|") {
		t.Errorf("1xx responses %q, want %q", hints, want)
	}
}

// testNoBodyResponses: the answers to HEAD, 204 and 304 have no body
// whatever their fields say, and the connection goes on with the next
// response.
func testNoBodyResponses(t *testing.T, h *harness) {
	front := h.serve(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/head":
			w.Header().Set("Content-Length", "42")
			w.Header().Set("Content-Type", "application/json")
		case "/204":
			w.WriteHeader(http.StatusNoContent)
		case "/304":
			w.Header().Set("ETag", `"v1"`)
			w.WriteHeader(http.StatusNotModified)
		default:
			io.WriteString(w, "after")
		}
	})
	for _, tt := range []struct {
		method, path string
		status       int
		check        func(*http.Response) bool
	}{
		{http.MethodHead, "/head", http.StatusOK, func(r *http.Response) bool {
			return r.ContentLength == 42 && r.Header.Get("Content-Type") == "application/json"
		}},
		{http.MethodGet, "/next", http.StatusOK, nil},
		{http.MethodGet, "/204", http.StatusNoContent, nil},
		{http.MethodGet, "/next", http.StatusOK, nil},
		{http.MethodGet, "/304", http.StatusNotModified, func(r *http.Response) bool { return r.Header.Get("ETag") == `"v1"` }},
		{http.MethodGet, "/next", http.StatusOK, nil},
	} {
		req, _ := http.NewRequestWithContext(h.context(), tt.method, front+tt.path, nil)
		resp, body := do(t, h.client, req)
		want := ""
		if tt.path == "/next" {
			want = "after"
		}
		if resp.StatusCode != tt.status || body != want || (tt.check != nil && !tt.check(resp)) {
			t.Errorf("%s %s: %d %q %v, want %d %q", tt.method, tt.path, resp.StatusCode, body, resp.Header, tt.status, want)
		}
	}
}

// testShortBody: a body shorter than its Content-Length is an error the
// client sees: its response is cut off, never passed as complete.
func testShortBody(t *testing.T, h *harness) {
	front := h.serveRaw(func(c net.Conn, br *bufio.Reader) {
		if _, err := readRequest(br); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf!")
	})
	req, _ := http.NewRequestWithContext(h.context(), http.MethodGet, front+"/short", nil)
	resp, err := h.client.Do(req)
	if err != nil {
		return // cut off before the header: an error too
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil {
		t.Errorf("the client read %q (status %d) without an error; want the response cut off", body, resp.StatusCode)
	}
}

// testHugeHeaderRefused: a response head larger than http.Transport
// accepts (10 MiB) is refused: the client gets 502.
func testHugeHeaderRefused(t *testing.T, h *harness) {
	front := h.serveRaw(func(c net.Conn, br *bufio.Reader) {
		if _, err := readRequest(br); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nX-Huge: ")
		chunk := strings.Repeat("a", 64<<10)
		for range (11 << 20) / len(chunk) {
			if _, err := io.WriteString(c, chunk); err != nil {
				return // the forwarder gave up reading: as it should
			}
		}
		io.WriteString(c, "\r\nContent-Length: 2\r\n\r\nok")
	})
	req, _ := http.NewRequestWithContext(h.context(), http.MethodGet, front+"/huge", nil)
	resp, body := do(t, h.client, req)
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("got %d %q, want 502", resp.StatusCode, body)
	}
}

// testMalformedHeadLeavesNoFields: a response whose head is well formed
// but whose framing is not (two different Content-Lengths) is refused
// with 502, and none of its fields reach the client.
func testMalformedHeadLeavesNoFields(t *testing.T, h *harness) {
	front := h.serveRaw(func(c net.Conn, br *bufio.Reader) {
		if _, err := readRequest(br); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nX-Backend-Secret: leaked\r\nSet-Cookie: s=1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok")
	})
	req, _ := http.NewRequestWithContext(h.context(), http.MethodGet, front+"/malformed", nil)
	resp, body := do(t, h.client, req)
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("got %d %q, want 502", resp.StatusCode, body)
	}
	for _, k := range []string{"X-Backend-Secret", "Set-Cookie"} {
		if v := resp.Header.Values(k); len(v) > 0 {
			t.Errorf("the 502 carries the malformed response's %s %q", k, v)
		}
	}
}
