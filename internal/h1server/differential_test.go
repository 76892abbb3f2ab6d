package h1server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests in this file serve the same handler behind a net/http
// Server and behind a Server, send both the same bytes and require the
// same bytes back (apart from the Date header's value) and the same
// request seen by the handler.

// probePath is the path of the request sent after an exchange's own to
// learn whether the connection was kept; every handler answers it the
// same way.
const probePath = "/probe"

// probeRequest asks, on a connection the server kept, for one more
// response and for the connection to be closed after it.
const probeRequest = "GET " + probePath + " HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n"

// quietLog discards what the servers log (panics, superfluous
// WriteHeader calls), which differs in caller names only.
var quietLog = log.New(io.Discard, "", 0)

// recorder keeps what a server's handler saw of each request.
type recorder struct {
	mu    sync.Mutex
	seen  []string
	serve http.Handler
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec.mu.Lock()
	rec.seen = append(rec.seen, describeRequest(r))
	rec.mu.Unlock()
	if r.URL.Path == probePath {
		io.WriteString(w, "probe")
		return
	}
	rec.serve.ServeHTTP(w, r)
}

// take returns what the handler saw since the last call.
func (rec *recorder) take() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	s := rec.seen
	rec.seen = nil
	return s
}

// describeRequest renders what a handler sees of r.
func describeRequest(r *http.Request) string {
	var b strings.Builder
	fmt.Fprintf(&b, "method=%q url=%q urlfields=%+v requestURI=%q proto=%q %d.%d host=%q\n",
		r.Method, r.URL.String(), *r.URL, r.RequestURI, r.Proto, r.ProtoMajor, r.ProtoMinor, r.Host)
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range r.Header {
			if !yield(k) {
				return
			}
		}
	})
	for _, k := range keys {
		fmt.Fprintf(&b, "header %q=%q\n", k, r.Header[k])
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = "unparsable " + r.RemoteAddr
	}
	_, hasServer := r.Context().Value(http.ServerContextKey).(*http.Server)
	_, hasLocal := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	// The context's error is left out: net/http cancels it as soon as
	// the client's end of writing arrives, a Server only after
	// ClientGoneAfter (see Server.ClientGoneAfter).
	fmt.Fprintf(&b, "contentLength=%d close=%v te=%q trailer=%v remote=%s server=%v local=%v body=%v noBody=%v tls=%v getBody=%v form=%v",
		r.ContentLength, r.Close, r.TransferEncoding, r.Trailer, host, hasServer, hasLocal, r.Body != nil, r.Body == http.NoBody,
		r.TLS != nil, r.GetBody != nil, r.Form != nil || r.PostForm != nil || r.MultipartForm != nil)
	return b.String()
}

// serverPair is one handler served by net/http and by a Server.
type serverPair struct {
	std, h1       string // addresses
	stdRec, h1Rec *recorder
}

// startPair serves h behind a net/http Server and a Server on loopback,
// both with the given ReadHeaderTimeout and IdleTimeout.
func startPair(t testing.TB, h http.Handler, headerTimeout, idleTimeout time.Duration) *serverPair {
	t.Helper()
	p := &serverPair{stdRec: &recorder{serve: h}, h1Rec: &recorder{serve: h}}

	stdLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	std := &http.Server{Handler: p.stdRec, ReadHeaderTimeout: headerTimeout, IdleTimeout: idleTimeout, ErrorLog: quietLog}
	stdDone := make(chan error, 1)
	go func() { stdDone <- std.Serve(stdLn) }()
	p.std = stdLn.Addr().String()

	h1Ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(&http.Server{Handler: p.h1Rec, ReadHeaderTimeout: headerTimeout, IdleTimeout: idleTimeout, ErrorLog: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	h1Done := make(chan error, 1)
	go func() { h1Done <- s.Serve(h1Ln) }()
	p.h1 = h1Ln.Addr().String()

	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := std.Shutdown(ctx); err != nil {
			t.Errorf("net/http shutdown: %v", err)
		}
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("h1server shutdown: %v", err)
		}
		if err := <-stdDone; err != http.ErrServerClosed {
			t.Errorf("net/http serve: %v", err)
		}
		if err := <-h1Done; err != http.ErrServerClosed {
			t.Errorf("h1server serve: %v", err)
		}
	})
	return p
}

// exchangeResult is what a client got from one connection.
type exchangeResult struct {
	bytes string // everything received, Date values normalised
	end   string // how the connection ended
	seen  []string
}

var dateField = regexp.MustCompile(`(?m)^Date: [^\r\n]*\r$`)

// rawExchange writes raw to a new connection to addr, reads the
// responses to the requests whose methods are listed, then sends the
// probe request and reads until the connection ends.
func rawExchange(t testing.TB, addr, raw string, methods []string) (got string, end string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		io.WriteString(c, raw) // a server that stops reading ends with an error here
	}()
	var all bytes.Buffer
	br := bufio.NewReader(io.TeeReader(c, &all))
	readErr := error(nil)
	for i := 0; i < len(methods) && readErr == nil; {
		res, err := http.ReadResponse(br, &http.Request{Method: methods[i]})
		if err != nil {
			readErr = err
			break
		}
		_, readErr = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode >= 200 || res.StatusCode == http.StatusSwitchingProtocols {
			i++
		}
	}
	<-wrote
	if readErr != nil {
		// A reset before the client sent anything more is one the
		// server caused by closing with a request body unread.
		end = "before probe: " + endOf(readErr)
		if errors.Is(readErr, io.EOF) || errors.Is(readErr, io.ErrUnexpectedEOF) || errors.Is(readErr, syscall.ECONNRESET) {
			return dateField.ReplaceAllString(all.String(), "Date: <date>\r"), end
		}
		// A response the client cannot parse: what follows it is read
		// until the server closes or sends nothing more for a while
		// (all it has to send was written right away).
		readIdle(c, br)
	} else {
		io.WriteString(c, probeRequest)
		_, readErr = io.Copy(io.Discard, br)
		end = endOf(readErr)
		if end == "reset" {
			// A server that closed the connection resets it when the
			// probe request arrives, sooner or later.
			end = "closed"
		}
	}
	return dateField.ReplaceAllString(all.String(), "Date: <date>\r"), end
}

// readIdle reads from br, whose reads c's deadline bounds, until the
// connection ends or stays silent for half a second.
func readIdle(c net.Conn, br *bufio.Reader) {
	buf := make([]byte, 32<<10)
	for {
		c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		if _, err := br.Read(buf); err != nil {
			return
		}
	}
}

// endOf names how a connection's reading ended.
func endOf(err error) string {
	var ne net.Error
	switch {
	case err == nil, errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "closed"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "reset"
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, os.ErrDeadlineExceeded):
		return "timeout"
	}
	return "error: " + err.Error()
}

// compare sends raw to both servers of p and reports every difference.
func (p *serverPair) compare(t *testing.T, raw string, methods []string) {
	t.Helper()
	var stdGot, h1Got, stdEnd, h1End string
	var stdSeen, h1Seen []string
	// A server closing with a request body unread resets the connection
	// (after a FIN and a pause, with RST avoidance); net/http's own
	// responses are then, rarely, cut short by the reset (about 1 in 30
	// for a 100 kB response to a 300 KiB body). An exchange that ended
	// in a reset is tried again, up to 3 times; a server that resets
	// where net/http does not still fails every time.
	for range 3 {
		p.stdRec.take()
		p.h1Rec.take()
		stdGot, stdEnd = rawExchange(t, p.std, raw, methods)
		stdSeen = p.stdRec.take()
		h1Got, h1End = rawExchange(t, p.h1, raw, methods)
		h1Seen = p.h1Rec.take()
		same := stdGot == h1Got && stdEnd == h1End && slices.Equal(stdSeen, h1Seen)
		if same || !strings.HasSuffix(stdEnd, "reset") && !strings.HasSuffix(h1End, "reset") {
			break
		}
	}
	if stdGot != h1Got {
		t.Errorf("response bytes differ (net/http %d bytes, h1server %d)\nnet/http: %q\nh1server: %q", len(stdGot), len(h1Got), clip(stdGot), clip(h1Got))
	}
	if stdEnd != h1End {
		t.Errorf("connection end: net/http %s, h1server %s", stdEnd, h1End)
	}
	if !slices.Equal(stdSeen, h1Seen) {
		t.Errorf("handler saw different requests\nnet/http:\n%s\nh1server:\n%s", strings.Join(stdSeen, "\n--\n"), strings.Join(h1Seen, "\n--\n"))
	}
}

// clip shortens long responses in failure messages, keeping both ends.
func clip(s string) string {
	if len(s) <= 1200 {
		return s
	}
	return s[:800] + fmt.Sprintf("...<%d bytes>...", len(s)-1200) + s[len(s)-400:]
}

// diffHandlers are the handler behaviours compared. FuzzExchange's
// corpus (testdata/fuzz/FuzzExchange) picks them by index, leaving out
// knownDifferences: add new behaviours at the end.
var diffHandlers = []struct {
	name string
	h    http.HandlerFunc
}{
	{"nothing", func(w http.ResponseWriter, r *http.Request) {}},
	{"204", status(204)},
	{"304", status(304)},
	{"404", status(404)},
	{"500", status(500)},
	{"299", status(299)},
	{"999", status(999)},
	{"204 with body and headers", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", "5")
		w.WriteHeader(204)
		io.WriteString(w, "hello")
	}},
	{"304 with headers", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Etag", `"x"`)
		w.Header().Set("Transfer-Encoding", "chunked")
		w.WriteHeader(304)
	}},
	{"small body", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello, world\n") }},
	{"2048 in one write", bodyOf(2048, 2048)},
	{"2049 in one write", bodyOf(2049, 2049)},
	{"100000 in one write", bodyOf(100000, 100000)},
	{"2048 in small writes", bodyOf(2048, 7)},
	{"2049 in small writes", bodyOf(2049, 7)},
	{"100000 in small writes", bodyOf(100000, 1000)},
	{"100000 by WriteString", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("s", 100000))
	}},
	{"flush then write", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first")
		w.(http.Flusher).Flush()
		io.WriteString(w, "second")
	}},
	{"flush only", func(w http.ResponseWriter, r *http.Request) { w.(http.Flusher).Flush() }},
	{"ResponseController flush", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(202)
		http.NewResponseController(w).Flush()
		io.WriteString(w, "later")
	}},
	{"content-length right", withLength("5", "hello")},
	{"content-length too short", withLength("3", "hello")},
	{"content-length too long", withLength("10", "hello")},
	{"content-length invalid", withLength("five", "hello")},
	{"content-length with flush", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		io.WriteString(w, "hello")
		w.(http.Flusher).Flush()
		io.WriteString(w, "world")
	}},
	{"transfer-encoding identity", withHeader("Transfer-Encoding", "identity", "streamed")},
	{"transfer-encoding chunked", withHeader("Transfer-Encoding", "chunked", "chunks")},
	{"transfer-encoding gzip", withHeader("Transfer-Encoding", "gzip", "zipped")},
	{"transfer-encoding with length", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Transfer-Encoding", "chunked")
		w.Header().Set("Content-Length", "6")
		io.WriteString(w, "chunks")
	}},
	{"sniffed html", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<!DOCTYPE html><p>hi") }},
	{"sniffed binary", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte{0, 1, 2, 3, 0xff}) }},
	{"content-type set", withHeader("Content-Type", "application/json", `{"a":1}`)},
	{"content-type empty slice", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = nil
		io.WriteString(w, "<html>untyped")
	}},
	{"content-type empty value", withHeader("Content-Type", "", "<html>")},
	{"content-encoding set", withHeader("Content-Encoding", "gzip", "\x1f\x8b\x08\x00")},
	{"content-encoding empty", withHeader("Content-Encoding", "", "<html>")},
	{"declared trailers", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Sum, X-Count")
		w.Header().Add("Trailer", "Content-Length, x-lower")
		w.WriteHeader(200)
		io.WriteString(w, "body")
		w.Header().Set("X-Sum", "42")
		w.Header().Set("X-Count", "1")
		w.Header().Add("X-Count", "2")
		w.Header().Set("X-Lower", "l")
		w.Header().Set("X-Undeclared", "u")
	}},
	{"declared trailers, none set", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Sum")
		io.WriteString(w, "body")
	}},
	{"prefixed trailers", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "body")
		w.Header().Set(http.TrailerPrefix+"X-Late", "late")
		w.Header()[http.TrailerPrefix+"x-raw"] = []string{"raw"}
	}},
	{"prefixed trailer before header", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(http.TrailerPrefix+"X-Early", "early")
		io.WriteString(w, "body")
	}},
	{"header after WriteHeader", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Before", "1")
		w.WriteHeader(201)
		w.Header().Set("X-After", "2")
		w.Header().Set("X-Before", "changed")
		w.Header().Del("Date")
		io.WriteString(w, "created")
	}},
	{"header value changed in place after WriteHeader", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Before", "1")
		w.WriteHeader(200)
		w.Header()["X-Before"][0] = "changed"
		io.WriteString(w, "ok")
	}},
	{"header first touched after WriteHeader", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		w.Header().Set("X-After", "2")
		io.WriteString(w, "ok")
	}},
	{"superfluous WriteHeader", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(202)
		w.WriteHeader(500)
		io.WriteString(w, "accepted")
	}},
	{"early hints then 200", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Link", "</style.css>; rel=preload; as=style")
		w.Header().Set("Content-Length", "99")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Del("Content-Length")
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "after hints")
	}},
	{"100 continue by handler", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusContinue)
		io.ReadAll(r.Body)
		io.WriteString(w, "continued")
	}},
	{"101 without upgrade", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "Upgrade")
		w.Header().Set("Upgrade", "thing")
		w.WriteHeader(http.StatusSwitchingProtocols)
	}},
	{"connection close by handler", withHeader("Connection", "close", "bye")},
	{"connection close, keep-alive by handler", withHeader("Connection", "keep-alive, close", "bye")},
	{"connection keep-alive by handler", withHeader("Connection", "keep-alive", "hi")},
	{"header values with CRLF", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Split", "a\r\nX-Injected: 1")
		w.Header().Set("X-Lf", " b\nc ")
		w.Header().Add("X-Multi", "1")
		w.Header().Add("X-Multi", "\t2\t")
		io.WriteString(w, "ok")
	}},
	{"invalid header names", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Bad Name"] = []string{"x"}
		w.Header()["Bad:Colon"] = []string{"x"}
		w.Header()[""] = []string{"x"}
		w.Header()["lower-case"] = []string{"kept"}
		io.WriteString(w, "ok")
	}},
	{"date set by handler", withHeader("Date", "yesterday", "old")},
	{"read none", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "did not read") }},
	{"read part", func(w http.ResponseWriter, r *http.Request) {
		n, err := io.ReadFull(r.Body, make([]byte, 5))
		fmt.Fprintf(w, "read %d %v", n, err)
	}},
	{"read all", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		fmt.Fprintf(w, "read %d %v", len(b), err)
	}},
	{"read all, then read and close", func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		n, err := r.Body.Read(make([]byte, 1))
		cerr := r.Body.Close()
		n2, err2 := r.Body.Read(make([]byte, 1))
		fmt.Fprintf(w, "%d %v %v %d %v", n, err, cerr, n2, err2)
	}},
	{"close body unread", func(w http.ResponseWriter, r *http.Request) {
		err := r.Body.Close()
		fmt.Fprintf(w, "closed %v", err)
	}},
	{"read part, then write big", func(w http.ResponseWriter, r *http.Request) {
		io.ReadFull(r.Body, make([]byte, 5))
		io.WriteString(w, strings.Repeat("b", 5000))
	}},
	{"write before reading", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("w", 3000))
		b, err := io.ReadAll(r.Body)
		fmt.Fprintf(w, "read %d %v", len(b), err)
	}},
	{"full duplex", func(w http.ResponseWriter, r *http.Request) {
		http.NewResponseController(w).EnableFullDuplex()
		io.WriteString(w, strings.Repeat("d", 3000))
		b, err := io.ReadAll(r.Body)
		fmt.Fprintf(w, "read %d %v", len(b), err)
	}},
	{"MaxBytesReader", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 5))
		fmt.Fprintf(w, "read %d %v", len(b), err)
	}},
	{"write deadline passed after the response", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "2")
		io.WriteString(w, "ok")
		rc := http.NewResponseController(w)
		rc.Flush()
		rc.SetWriteDeadline(time.Unix(1, 0))
	}},
	{"deadlines passed, then hijack", func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		rc.SetWriteDeadline(time.Unix(1, 0))
		rc.SetReadDeadline(time.Unix(1, 0))
		c, brw, err := rc.Hijack()
		if err != nil {
			panic(err)
		}
		defer c.Close()
		io.WriteString(brw, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 8\r\n\r\nhijacked")
		brw.Flush()
	}},
	{"panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") }},
	{"panic ErrAbortHandler", func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) }},
	{"panic after header", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		panic("boom")
	}},
	{"panic after big write", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("p", 3000))
		panic("boom")
	}},
	{"hijack", func(w http.ResponseWriter, r *http.Request) {
		c, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		defer c.Close()
		fmt.Fprintf(brw, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 9\r\n\r\nbuffered%d", min(brw.Reader.Buffered(), 9))
		brw.Flush()
	}},
	{"write then hijack", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Before", "1")
		io.WriteString(w, "unsent")
		c, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		defer c.Close()
		io.WriteString(brw, "0\r\n\r\n")
		brw.Flush()
	}},
	{"hijack, then use writer", func(w http.ResponseWriter, r *http.Request) {
		c, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		defer c.Close()
		_, werr := io.WriteString(w, "x")
		_, _, herr := w.(http.Hijacker).Hijack()
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n%v|%v", werr, herr)
	}},
	{"write after body not allowed", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(304)
		_, err := io.WriteString(w, "x")
		w.Header().Set("X-Err", fmt.Sprint(err))
	}},
	{"head aware", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "7")
		if r.Method != http.MethodHead {
			io.WriteString(w, "content")
		}
	}},
	{"ParseForm", func(w http.ResponseWriter, r *http.Request) {
		err := r.ParseForm()
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range r.Form {
				if !yield(k) {
					return
				}
			}
		})
		fmt.Fprintf(w, "err=%v", err)
		for _, k := range keys {
			fmt.Fprintf(w, " %q=%q", k, r.Form[k])
		}
		fmt.Fprintf(w, " post=%d", len(r.PostForm))
	}},
}

func status(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) }
}

// bodyOf writes n bytes in writes of size each.
func bodyOf(n, size int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := bytes.Repeat([]byte("0123456789abcdef"), n/16+1)[:n]
		for len(b) > 0 {
			k := min(size, len(b))
			w.Write(b[:k])
			b = b[k:]
		}
	}
}

func withLength(cl, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", cl)
		_, err := io.WriteString(w, body)
		w.Header().Set("X-Err", fmt.Sprint(err)) // ignored: after the header
	}
}

func withHeader(k, v, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(k, v)
		io.WriteString(w, body)
	}
}

// diffRequest is a request shape: raw bytes and the method of each
// request in them.
type diffRequest struct {
	name    string
	raw     string
	methods []string
}

// sentOnce names the requests sent with the first handler only: they
// never reach a handler and are slow to answer (a header timeout, a
// megabyte head).
var sentOnce = map[string]bool{"partial head": true, "garbage": true, "huge head": true}

var (
	body10  = "0123456789"
	body300 = strings.Repeat("x", 300<<10)
	body256 = strings.Repeat("y", 256<<10)
)

var diffRequests = []diffRequest{
	{"GET", "GET /a HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\n\r\n", []string{"GET"}},
	{"HEAD", "HEAD /a HTTP/1.1\r\nHost: example.com\r\n\r\n", []string{"HEAD"}},
	{"POST 10", "POST /a HTTP/1.1\r\nHost: example.com\r\nContent-Length: 10\r\nContent-Type: text/plain\r\n\r\n" + body10, []string{"POST"}},
	{"POST 300KiB", "POST /a HTTP/1.1\r\nHost: example.com\r\nContent-Length: 307200\r\n\r\n" + body300, []string{"POST"}},
	{"POST 256KiB", "POST /a HTTP/1.1\r\nHost: example.com\r\nContent-Length: 262144\r\n\r\n" + body256, []string{"POST"}},
	{"POST 256KiB-1", "POST /a HTTP/1.1\r\nHost: example.com\r\nContent-Length: 262143\r\n\r\n" + body256[1:], []string{"POST"}},
	{"POST 0", "POST /a HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\r\n", []string{"POST"}},
	{"GET with body", "GET /a HTTP/1.1\r\nHost: example.com\r\nContent-Length: 10\r\n\r\n" + body10, []string{"GET"}},
	{"HEAD with body", "HEAD /a HTTP/1.1\r\nHost: example.com\r\nContent-Length: 10\r\n\r\n" + body10, []string{"HEAD"}},
	{"Connection close", "GET /a HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n", []string{"GET"}},
	{"Connection keep-alive, close", "GET /a HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive\r\nConnection: Close\r\n\r\n", []string{"GET"}},
	{"POST 300KiB Connection close", "POST /a HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\nContent-Length: 307200\r\n\r\n" + body300, []string{"POST"}},
	{"Pragma no-cache", "GET /a HTTP/1.1\r\nHost: example.com\r\nPragma: no-cache\r\n\r\n", []string{"GET"}},
	{"Pragma no-cache with Cache-Control", "GET /a HTTP/1.1\r\nHost: example.com\r\nPragma: no-cache\r\nCache-Control: max-age=1\r\n\r\n", []string{"GET"}},
	{"duplicate fields", "GET /a HTTP/1.1\r\nHost: example.com\r\nX-A: 1\r\nAccept: a\r\nX-A:  2 \r\nAccept:b\r\nX-Empty:\r\nX-Tab:\tt\t\r\n\r\n", []string{"GET"}},
	{"non-canonical names", "GET /a HTTP/1.1\r\nhost: example.com\r\nx-foo: 1\r\nCONTENT-type: a/b\r\nx_under: 2\r\nX-FOO: 3\r\nuser-AGENT: u\r\n\r\n", []string{"GET"}},
	{"odd query", "GET /a%2Fb/%7e/c;p?x=%zz&y=a+b&&z=%E2%82%AC;w#frag HTTP/1.1\r\nHost: example.com\r\n\r\n", []string{"GET"}},
	{"odd path", "GET //double/./dot/../x?q HTTP/1.1\r\nHost: example.com:8080\r\n\r\n", []string{"GET"}},
	{"bad escape in path", "GET /%zz HTTP/1.1\r\nHost: example.com\r\n\r\n", []string{"GET"}},
	{"obs-text in field", "GET /a HTTP/1.1\r\nHost: example.com\r\nX-Utf8: caf\xc3\xa9 \xff\r\n\r\n", []string{"GET"}},
	{"pipelined", "GET /1 HTTP/1.1\r\nHost: example.com\r\n\r\nGET /2 HTTP/1.1\r\nHost: example.com\r\n\r\n", []string{"GET", "GET"}},
	{"pipelined after body", "POST /1 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 10\r\n\r\n" + body10 + "HEAD /2 HTTP/1.1\r\nHost: example.com\r\n\r\n", []string{"POST", "HEAD"}},
	{"POST then CRLF then GET", "POST /1 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 10\r\n\r\n" + body10 + "\r\nGET /2 HTTP/1.1\r\nHost: example.com\r\n\r\n", []string{"POST", "GET"}},
	{"GET then CRLF then GET", "GET /1 HTTP/1.1\r\nHost: example.com\r\n\r\n\r\nGET /2 HTTP/1.1\r\nHost: example.com\r\n\r\n", []string{"GET", "GET"}},
	{"pipelined, second handed off", "GET /1 HTTP/1.1\r\nHost: example.com\r\n\r\nGET /2 HTTP/1.0\r\n\r\n", []string{"GET", "GET"}},
	// Requests net/http serves for a Server.
	{"HTTP/1.0", "GET /a HTTP/1.0\r\n\r\n", []string{"GET"}},
	{"HTTP/1.0 keep-alive", "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", []string{"GET"}},
	{"chunked upload", "POST /a HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\nworld\r\n0\r\nX-T: 1\r\n\r\n", []string{"POST"}},
	{"Expect 100-continue", "POST /a HTTP/1.1\r\nHost: example.com\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n" + body10, []string{"POST"}},
	{"Expect unknown", "POST /a HTTP/1.1\r\nHost: example.com\r\nExpect: something\r\nContent-Length: 10\r\n\r\n" + body10, []string{"POST"}},
	{"Upgrade websocket", "GET /a HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", []string{"GET"}},
	{"h2c upgrade", "GET /a HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n", []string{"GET"}},
	{"h2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", []string{"PRI"}},
	{"bare LF", "GET /a HTTP/1.1\nHost: example.com\n\n", []string{"GET"}},
	{"bare LF in field", "GET /a HTTP/1.1\r\nHost: example.com\nX: y\r\n\r\n", []string{"GET"}},
	{"oversize head", "GET /a HTTP/1.1\r\nHost: example.com\r\nX-Big: " + strings.Repeat("b", 5000) + "\r\n\r\n", []string{"GET"}},
	{"huge head", "GET /a HTTP/1.1\r\nHost: example.com\r\nX-Big: " + strings.Repeat("b", 1<<20+10) + "\r\n\r\n", []string{"GET"}},
	{"folded field", "GET /a HTTP/1.1\r\nHost: example.com\r\nX-Fold: a\r\n b\r\n\r\n", []string{"GET"}},
	{"no colon", "GET /a HTTP/1.1\r\nHost: example.com\r\nNoColon\r\n\r\n", []string{"GET"}},
	{"space before colon", "GET /a HTTP/1.1\r\nHost: example.com\r\nX-Sp : 1\r\n\r\n", []string{"GET"}},
	{"missing Host", "GET /a HTTP/1.1\r\n\r\n", []string{"GET"}},
	{"two Hosts", "GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", []string{"GET"}},
	{"bad Host", "GET /a HTTP/1.1\r\nHost: a b\r\n\r\n", []string{"GET"}},
	{"two Content-Lengths", "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\nContent-Length: 10\r\n\r\n" + body10, []string{"POST"}},
	{"bad Content-Length", "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: +10\r\n\r\n" + body10, []string{"POST"}},
	{"absolute form", "GET http://other.example/x?y HTTP/1.1\r\nHost: example.com\r\n\r\n", []string{"GET"}},
	{"OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: example.com\r\n\r\n", []string{"OPTIONS"}},
	{"CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", []string{"CONNECT"}},
	{"bad method", "G(T /a HTTP/1.1\r\nHost: example.com\r\n\r\n", []string{"GET"}},
	{"HTTP/1.2", "GET /a HTTP/1.2\r\nHost: example.com\r\n\r\n", []string{"GET"}},
	{"HTTP/2.0", "GET /a HTTP/2.0\r\nHost: example.com\r\n\r\n", []string{"GET"}},
	{"leading CRLF", "\r\nGET /a HTTP/1.1\r\nHost: example.com\r\n\r\n", []string{"GET"}},
	{"partial head", "GET /a HTTP/1.1\r\nHost: exa", nil},
	{"garbage", "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", []string{"GET"}},
	{"POST form", "POST /f?q=1&a=0 HTTP/1.1\r\nHost: example.com\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 17\r\n\r\na=1&b=2&a=3&c=%41", []string{"POST"}},
	{"POST bad form", "POST /f HTTP/1.1\r\nHost: example.com\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 6\r\n\r\na=%zz&", []string{"POST"}},
}

// knownDifferences are the handler behaviours for which a Server does
// not answer as net/http does, and why.
var knownDifferences = map[string]string{
	"MaxBytesReader": "http.MaxBytesReader tells only net/http's own ResponseWriter that the limit was hit " +
		"(through an unexported method), so a Server neither adds Connection: close nor closes the connection: " +
		"it reads the rest of the body, up to 256 KiB, and keeps the connection",
}

// TestDifferential compares, for every handler behaviour and request
// shape, the bytes a client receives from net/http and from a Server
// and what the handler sees.
func TestDifferential(t *testing.T) {
	for i, hc := range diffHandlers {
		t.Run(hc.name, func(t *testing.T) {
			if reason, ok := knownDifferences[hc.name]; ok {
				t.Skip(reason)
			}
			t.Parallel()
			p := startPair(t, hc.h, 2*time.Second, 30*time.Second)
			for _, rc := range diffRequests {
				if sentOnce[rc.name] && i > 0 {
					continue
				}
				t.Run(rc.name, func(t *testing.T) {
					p.compare(t, rc.raw, rc.methods)
				})
			}
		})
	}
}
