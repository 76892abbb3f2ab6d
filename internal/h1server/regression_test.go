package h1server

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// halfCloseExchange writes raw to a new connection to addr, closes its
// writing side and returns what comes back until the server closes the
// connection or the deadline passes.
func halfCloseExchange(t *testing.T, addr, raw string, deadline time.Duration) (string, error) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(deadline))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	return dateField.ReplaceAllString(string(b), "Date: <date>\r"), err
}

// TestPartialHeadAnsweredAtHeaderTimeout: a head cut short ends when
// the ReadHeaderTimeout passes, as with net/http (silently, or with a
// 400 when not even the request line came), not when it passes a
// second time on the hand-off to net/http.
func TestPartialHeadAnsweredAtHeaderTimeout(t *testing.T) {
	const timeout = 500 * time.Millisecond
	p := startPair(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), timeout, 30*time.Second)
	for _, raw := range []string{"GET /a HTTP/1.1\r\nHost: exa", "GET /a HT"} {
		var got [2]string
		for i, addr := range []string{p.std, p.h1} {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			io.WriteString(c, raw)
			c.SetReadDeadline(time.Now().Add(timeout * 8 / 5))
			b, err := io.ReadAll(c)
			if err != nil {
				t.Errorf("%q to %s: %v after %q", raw, []string{"net/http", "h1server"}[i], err, b)
			}
			got[i] = string(b)
		}
		if got[0] != got[1] {
			t.Errorf("%q: net/http answered %q, h1server %q", raw, got[0], got[1])
		}
	}
}

// TestShortTailAfterRequest: bytes too few to start a request, then the
// client closing, end the connection silently, as with net/http.
func TestShortTailAfterRequest(t *testing.T) {
	p := startPair(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }), 2*time.Second, 30*time.Second)
	for _, raw := range []string{
		"GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGE",
		"POST /1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab\r\n",
		"POST /1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab\r\nGET",
	} {
		std, stdErr := halfCloseExchange(t, p.std, raw, 5*time.Second)
		h1, h1Err := halfCloseExchange(t, p.h1, raw, 5*time.Second)
		if std != h1 || (stdErr == nil) != (h1Err == nil) {
			t.Errorf("%q:\nnet/http: %q, %v\nh1server: %q, %v", raw, std, stdErr, h1, h1Err)
		}
	}
}

// TestHandlerDeadlinesEndWithTheRequest: read and write deadlines a
// handler sets do not outlive its request, as with net/http, also when
// the server sets none of its own.
func TestHandlerDeadlinesEndWithTheRequest(t *testing.T) {
	for _, set := range []string{"read", "write"} {
		t.Run(set, func(t *testing.T) {
			p := startPair(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				rc := http.NewResponseController(w)
				w.Header().Set("Content-Length", "2")
				io.WriteString(w, "ok")
				rc.Flush()
				if set == "read" {
					rc.SetReadDeadline(time.Unix(1, 0))
				} else {
					rc.SetWriteDeadline(time.Unix(1, 0))
				}
			}), 0, 0)
			const raw = "GET /1 HTTP/1.1\r\nHost: x\r\n\r\n"
			want := "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nDate: <date>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nok" +
				"HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Length: 5\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\nprobe"
			for i, addr := range []string{p.std, p.h1} {
				if got, end := rawExchange(t, addr, raw, []string{"GET"}); got != want || end != "closed" {
					t.Errorf("%s: got %q (%s), want %q", []string{"net/http", "h1server"}[i], got, end, want)
				}
			}
		})
	}
}

// registerOnDefaultMux registers TestNilHandlerServesDefaultServeMux's
// handler once, however often the test runs.
var registerOnDefaultMux sync.Once

// TestNilHandlerServesDefaultServeMux: a Server whose http.Server has no
// Handler serves http.DefaultServeMux, as net/http does.
func TestNilHandlerServesDefaultServeMux(t *testing.T) {
	const path = "/h1server-test-default-mux"
	registerOnDefaultMux.Do(func() {
		http.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "default mux") })
	})
	var addrs []string
	for _, h1 := range []bool{false, true} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{ErrorLog: quietLog}
		serve := srv.Serve
		if h1 {
			s, err := New(srv)
			if err != nil {
				t.Fatal(err)
			}
			serve = s.Serve
			t.Cleanup(func() { s.Shutdown(context.Background()) })
		} else {
			t.Cleanup(func() { srv.Close() })
		}
		go serve(ln)
		addrs = append(addrs, ln.Addr().String())
	}
	const raw = "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n"
	std, stdEnd := rawExchange(t, addrs[0], raw, []string{"GET"})
	h1, h1End := rawExchange(t, addrs[1], raw, []string{"GET"})
	if !strings.Contains(std, "default mux") || std != h1 || stdEnd != h1End {
		t.Errorf("net/http: %q (%s)\nh1server: %q (%s)", std, stdEnd, h1, h1End)
	}
}

// TestUnreadBodyEndsWithFIN: a connection closed with a request body
// left unread first closes its writing side and waits, as net/http's
// does (golang.org/issue/3595), and only when net/http's does: the
// client reads the response and then the end of the stream, or a reset
// when net/http resets too (a request that said Connection: close).
func TestUnreadBodyEndsWithFIN(t *testing.T) {
	p := startPair(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/close" {
			r.Body.Close()
		}
		if r.URL.Path == "/say-close" {
			w.Header().Set("Connection", "close")
		}
		io.WriteString(w, "unread")
	}), 2*time.Second, 30*time.Second)
	for _, raw := range []string{
		"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 307200\r\n\r\n" + body300,
		"POST /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 307200\r\n\r\n" + body300,
		"POST /close HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 10\r\n\r\n" + body10,
		"POST /close HTTP/1.1\r\nHost: x\r\nContent-Length: 307200\r\n\r\n" + body300,
		"POST /close HTTP/1.1\r\nHost: x\r\nContent-Length: 262144\r\n\r\n" + body256,
		"POST /say-close HTTP/1.1\r\nHost: x\r\nContent-Length: 307200\r\n\r\n" + body300,
	} {
		var ends [2]string
		for i, addr := range []string{p.std, p.h1} {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Second))
			go io.WriteString(c, raw)
			br := bufio.NewReader(c)
			res, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("%s, %.40q: %v", []string{"net/http", "h1server"}[i], raw, err)
			}
			io.Copy(io.Discard, res.Body)
			_, err = br.Read(make([]byte, 1))
			ends[i] = endOf(err)
		}
		if ends[0] != ends[1] {
			t.Errorf("%.48q: after the response, net/http %s, h1server %s", raw, ends[0], ends[1])
		}
	}
}
