package h1server

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Connection states, for Shutdown.
const (
	stateIdle   int32 = iota // waiting for a request (or new)
	stateActive              // reading or serving a request
	stateClosed              // closed by Shutdown
)

// Watch states of a connection's background read.
const (
	watchOff     = iota
	watchArmed   // the timer will start a read
	watchReading // a read is running
	watchDone    // the read ended
)

// headBufferSize is the size of a connection's reader: a request head
// that does not fit goes to the fallback Server.
const headBufferSize = 4 << 10

// aLongTimeAgo is a read deadline in the past, which ends a blocked read.
var aLongTimeAgo = time.Unix(1, 0)

// conn is one client connection served by the Server.
type conn struct {
	srv        *Server
	rwc        net.Conn
	remoteAddr string
	state      atomic.Int32
	br         *bufio.Reader // over reader
	bw         *bufio.Writer // over writer
	resBuf     *bufio.Writer // a response's body buffer
	reader     connReader
	writer     connWriter
	fields     []field              // the header being written
	vals       []string             // its values
	curBody    *body                // the body of the request being served, if any
	tmpl       http.Request         // see serveRequest
	tlsState   *tls.ConnectionState // nil: plain text
	extra      extraHeader          // the fields sendHeader adds
	clenBuf    [20]byte
	hijacked   bool
	// spareHeader is the last response's header map, emptied and used
	// again for the next response: a handler may not use a
	// ResponseWriter after it returned.
	spareHeader http.Header
	// linger: the connection closes with a request body left unread,
	// so it closes its writing side first and waits (closeWriteAndWait).
	linger bool
	// hasWriteDeadline: the handler set a write deadline.
	hasWriteDeadline bool
	// hasDeadline: the connection may have a read deadline set (by the
	// server, or by a handler through http.ResponseController).
	hasDeadline atomic.Bool
	// lastDeadline is the read deadline readDeadline set last, while it
	// is the connection's; zero once anything else may have changed it.
	// It belongs to the serving goroutine.
	lastDeadline time.Time

	// The background read that notices a client going away while a
	// request runs (see Server.ClientGoneAfter).
	wmu       sync.Mutex
	wcond     sync.Cond
	wstate    int
	running   bool // a request's handler runs
	timer     *time.Timer
	cancelReq context.CancelFunc
	saved     [1]byte // a byte the background read got: the next request's first
	hasSaved  bool
	gone      bool
	// goneHook runs when the client goes away, until its stop (stopGone,
	// bound once as stopGoneFn) is called: see response.AfterClientGone.
	goneHook   func()
	stopGoneFn func() bool
}

func newConn(s *Server, rwc net.Conn) *conn {
	c := &conn{srv: s, rwc: rwc}
	if ra := rwc.RemoteAddr(); ra != nil {
		c.remoteAddr = ra.String()
	}
	c.reader.c, c.writer.c = c, c
	c.wcond.L = &c.wmu
	c.stopGoneFn = c.stopGone
	return c
}

// connReader reads the connection, with the byte a background read got
// first.
type connReader struct{ c *conn }

func (r connReader) Read(p []byte) (int, error) {
	c := r.c
	if c.hasSaved && len(p) > 0 {
		c.hasSaved = false
		p[0] = c.saved[0]
		return 1, nil
	}
	return c.rwc.Read(p)
}

// connWriter writes the connection and remembers the first error, after
// which the connection is not reused.
type connWriter struct {
	c   *conn
	err error
}

func (w *connWriter) Write(p []byte) (int, error) {
	n, err := w.c.rwc.Write(p)
	if err != nil && w.err == nil {
		w.err = err
	}
	return n, err
}

var (
	readerPool sync.Pool
	writerPool sync.Pool
	bufPool    sync.Pool
)

func (c *conn) takeBuffers() {
	if v := readerPool.Get(); v != nil {
		c.br = v.(*bufio.Reader)
		c.br.Reset(c.reader)
	} else {
		c.br = bufio.NewReaderSize(c.reader, headBufferSize)
	}
	if v := writerPool.Get(); v != nil {
		c.bw = v.(*bufio.Writer)
		c.bw.Reset(&c.writer)
	} else {
		c.bw = bufio.NewWriterSize(&c.writer, 4<<10)
	}
	if v := bufPool.Get(); v != nil {
		c.resBuf = v.(*bufio.Writer)
	} else {
		c.resBuf = bufio.NewWriterSize(nil, bufferBeforeChunkingSize)
	}
}

func (c *conn) releaseBuffers() {
	if c.br != nil {
		c.br.Reset(nil)
		readerPool.Put(c.br)
		c.br = nil
	}
	if c.bw != nil {
		c.bw.Reset(nil)
		writerPool.Put(c.bw)
		c.bw = nil
	}
	if c.resBuf != nil {
		c.resBuf.Reset(nil)
		bufPool.Put(c.resBuf)
		c.resBuf = nil
	}
}

// serve serves the connection's requests until it closes, is hijacked
// or is handed to the fallback Server.
func (c *conn) serve(base context.Context) {
	// Requests' contexts derive from values, a context that never ends:
	// one derived from a context that can end would be registered with
	// it and removed again, request after request.
	values := context.WithValue(base, http.LocalAddrContextKey, c.rwc.LocalAddr())
	if c.srv.tlsConfig != nil {
		ctx, cancel := context.WithCancel(values)
		ok, handedOff := c.handshake(ctx)
		cancel()
		if !ok {
			if !handedOff {
				c.srv.trackConn(c, false)
				c.rwc.Close()
			}
			return
		}
	}
	handedOff := false
	c.takeBuffers()
	defer func() {
		if err := recover(); err != nil && err != http.ErrAbortHandler {
			const size = 64 << 10
			buf := make([]byte, size)
			buf = buf[:runtime.Stack(buf, false)]
			c.srv.logf("http: panic serving %v: %v\n%s", c.remoteAddr, err, buf)
		}
		c.stopWatch()
		if c.timer != nil {
			c.timer.Stop()
		}
		c.srv.trackConn(c, false)
		if !c.hijacked && !handedOff {
			// After a panic, as net/http: the request body is closed
			// (read up to maxPostHandlerReadBytes) and what the
			// connection's writer holds is sent before it closes.
			if c.curBody != nil {
				c.curBody.Close()
			}
			c.bw.Flush()
			c.rwc.Close()
		}
		c.releaseBuffers()
	}()

	// Read deadlines are set only when a read may wait: for the next
	// request (IdleTimeout, or ReadHeaderTimeout for the first), for the
	// rest of a head that came in pieces (ReadHeaderTimeout), and cleared
	// for a body that is not in the buffer yet. A deadline left from the
	// wait does not matter while the handler runs without reading the
	// connection; the background read and Hijack clear it.
	lastMethod := ""
	for first := true; ; first = false {
		switch {
		case !first && c.br.Buffered() < 4:
			// As net/http: wait for the next request's first bytes
			// under the idle timeout. The other connections' work runs
			// first: a client that waited for this response has seldom
			// sent its next request yet, and a read now would find
			// nothing and cost a system call before the goroutine
			// parks (under load, 3.95 reads per proxied request
			// without the yield, 3.0 with it).
			c.readDeadline(c.srv.fallback.IdleTimeout)
			runtime.Gosched()
			if _, err := c.br.Peek(4); err != nil {
				return
			}
		case first && c.br.Buffered() == 0:
			c.readDeadline(c.srv.fallback.ReadHeaderTimeout)
			if _, err := c.br.Peek(1); err != nil {
				return
			}
		}
		if lastMethod == http.MethodPost {
			// As net/http: CR and LF after a POST body are skipped
			// (RFC 7230 section 3.5), for old clients that send them.
			peek, _ := c.br.Peek(min(4, c.br.Buffered()))
			c.br.Discard(numLeadingCRorLF(peek))
		}
		n, err := headLength(c.mustPeek(c.br.Buffered())), error(nil)
		if n == 0 {
			c.readDeadline(c.srv.fallback.ReadHeaderTimeout)
			n, err = c.peekHead()
		}
		if !c.state.CompareAndSwap(stateIdle, stateActive) {
			return // closed by Shutdown
		}
		if err != nil {
			if c.br.Buffered() == 0 {
				return // closed, or silent past the deadline: nothing to answer
			}
			n = 0 // a partial head: net/http answers it
		}
		var h head
		if n <= 0 || !parseHead(string(c.mustPeek(n)), &h) {
			c.handOff(err)
			handedOff = true
			return
		}
		lastMethod = h.method
		c.br.Discard(n)
		if h.contentLength > int64(c.br.Buffered()) {
			c.readDeadline(0)
		}
		c.linger = false
		if !c.serveRequest(values, &h) {
			if c.linger && !c.hijacked {
				c.closeWriteAndWait()
			}
			return
		}
		if c.state.Load() != stateIdle || c.srv.inShutdown.Load() {
			return
		}
	}
}

// readDeadline sets the connection's read deadline d from now; 0: none.
//
// A deadline set less than d/64 ago is kept rather than moved: on a busy
// connection, the wait for the next request is bounded by d minus at
// most a 64th, and no timer is moved per request.
func (c *conn) readDeadline(d time.Duration) {
	switch {
	case d > 0:
		at := time.Now().Add(d)
		if c.hasDeadline.Load() && !c.lastDeadline.IsZero() && at.Sub(c.lastDeadline) < d/64 && !at.Before(c.lastDeadline) {
			return
		}
		c.rwc.SetReadDeadline(at)
		c.lastDeadline = at
		c.hasDeadline.Store(true)
	case c.hasDeadline.Load():
		c.rwc.SetReadDeadline(time.Time{})
		c.lastDeadline = time.Time{}
		c.hasDeadline.Store(false)
	}
}

// peekHead returns the length of the request head at the front of the
// reader, reading more until it is whole; 0 when the head does not fit
// in the reader or uses bare LF line ends.
func (c *conn) peekHead() (int, error) {
	for {
		buf := c.mustPeek(c.br.Buffered())
		if n := headLength(buf); n != 0 {
			return max(n, 0), nil
		}
		if len(buf) == c.br.Size() {
			return 0, nil
		}
		if _, err := c.br.Peek(len(buf) + 1); err != nil {
			return 0, err
		}
	}
}

func (c *conn) mustPeek(n int) []byte {
	b, _ := c.br.Peek(n)
	return b
}

// rstAvoidanceDelay is how long a connection closing with a request
// body left unread waits after closing its writing side, as net/http's:
// closing a socket with unread bytes sends a reset, which can destroy
// the response before the client reads it.
const rstAvoidanceDelay = 500 * time.Millisecond

// closeWriteAndWait sends what is buffered and a FIN, then waits
// rstAvoidanceDelay before the connection closes, as net/http does
// after a request body it left unread (golang.org/issue/3595).
func (c *conn) closeWriteAndWait() {
	c.bw.Flush()
	if cw, ok := c.rwc.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	time.Sleep(rstAvoidanceDelay)
}

// numLeadingCRorLF returns the number of CR and LF bytes at the start
// of v.
func numLeadingCRorLF(v []byte) int {
	n := 0
	for _, b := range v {
		if b != '\r' && b != '\n' {
			break
		}
		n++
	}
	return n
}

// handOff gives the connection, with what was read of it, to the
// fallback Server; readErr, when not nil, is the error that ended the
// reading of a partial head, which the fallback Server reads after
// those bytes, so that it answers when and what net/http would have.
func (c *conn) handOff(readErr error) {
	var pending []byte
	if c.hasSaved {
		pending = append(pending, c.saved[0])
		c.hasSaved = false
	}
	pending = append(pending, c.mustPeek(c.br.Buffered())...)
	c.rwc.SetReadDeadline(time.Time{})
	c.srv.trackConn(c, false)
	c.srv.handoff.deliver(c.replayed(pending, readErr))
}

// serveRequest serves one request and reports whether the connection
// can serve another.
func (c *conn) serveRequest(connCtx context.Context, h *head) bool {
	ctx, cancel := context.WithCancel(connCtx)
	defer cancel()
	// The request is a copy of the connection's template, made by
	// WithContext: one allocation.
	t := &c.tmpl
	*t = http.Request{
		Method:        h.method,
		URL:           h.url,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h.header,
		Host:          h.host,
		RequestURI:    h.target,
		RemoteAddr:    c.remoteAddr,
		TLS:           c.tlsState,
		ContentLength: h.contentLength,
		Close:         h.close,
		Body:          http.NoBody,
	}
	var b *body
	if h.contentLength > 0 {
		b = &body{br: c.br, remaining: h.contentLength, closing: h.close}
		t.Body = b
	}
	c.curBody = b
	req := t.WithContext(ctx)
	*t = http.Request{}
	w := &response{c: c, req: req, body: b, handler: c.takeHeader(), contentLength: -1, wantsClose: h.close}
	w.cw.r = w
	c.resBuf.Reset(&w.cw)
	w.w = c.resBuf
	c.writer.err = nil

	c.wmu.Lock()
	c.running, c.cancelReq = true, cancel
	c.wmu.Unlock()
	if b == nil {
		c.armWatch()
	} else {
		b.onEOF = c.armWatch
	}
	handler := c.srv.fallback.Handler
	if handler == nil {
		handler = http.DefaultServeMux // as net/http
	}
	handler.ServeHTTP(w, req)
	c.curBody = nil
	c.stopWatch()
	cancel()
	if c.hijacked {
		return false
	}
	w.finish()
	if len(w.handler) <= maxSpareFields {
		c.spareHeader = w.handler
	}
	if c.hasWriteDeadline {
		c.rwc.SetWriteDeadline(time.Time{})
		c.hasWriteDeadline = false
	}
	return w.reusable() && !c.gone
}

// maxSpareFields bounds the fields of a header map kept for the next
// response: emptying a map costs as much as it once held.
const maxSpareFields = 16

// takeHeader returns an empty header map for a response.
func (c *conn) takeHeader() http.Header {
	h := c.spareHeader
	if h == nil {
		return make(http.Header, 8)
	}
	c.spareHeader = nil
	clear(h)
	return h
}

// armWatch starts the timer after which the connection is read in the
// background, so that a client going away cancels the request: when
// the request has no body or its body has been read, and nothing of the
// next request is buffered.
func (c *conn) armWatch() {
	if c.br.Buffered() > 0 || c.hasSaved {
		return
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if !c.running || c.wstate != watchOff {
		return
	}
	c.wstate = watchArmed
	if c.timer == nil {
		c.timer = time.AfterFunc(c.srv.clientGoneAfter(), c.watch)
	} else {
		c.timer.Reset(c.srv.clientGoneAfter())
	}
}

// watch reads the connection while a request runs: an error other than
// a deadline means the client went away; a byte is the start of its
// next request and is kept.
func (c *conn) watch() {
	c.wmu.Lock()
	if c.wstate != watchArmed {
		c.wmu.Unlock()
		return
	}
	c.rwc.SetReadDeadline(time.Time{}) // one left from waiting for the request
	c.hasDeadline.Store(false)
	c.wstate = watchReading
	c.wmu.Unlock()
	n, err := c.rwc.Read(c.saved[:])
	c.wmu.Lock()
	if n == 1 {
		c.hasSaved = true
	}
	var ne net.Error
	var hook func()
	if err != nil && !(errors.As(err, &ne) && ne.Timeout()) {
		c.gone = true
		c.cancelReq()
		hook, c.goneHook = c.goneHook, nil
	}
	c.wstate = watchDone
	c.wcond.Broadcast()
	c.wmu.Unlock()
	if hook != nil {
		hook()
	}
}

// afterGone arranges for f to run once the client has gone away, as
// context.AfterFunc on the request's context would, until stop is
// called; stop reports whether it kept f from running. It takes one
// function at a time: ok is false while another is armed.
func (c *conn) afterGone(f func()) (stop func() bool, ok bool) {
	c.wmu.Lock()
	if c.goneHook != nil {
		c.wmu.Unlock()
		return nil, false
	}
	gone := c.gone
	if !gone {
		c.goneHook = f
	}
	c.wmu.Unlock()
	if gone {
		f()
	}
	return c.stopGoneFn, true
}

// stopGone takes back the function afterGone was given, and reports
// whether it had not run.
func (c *conn) stopGone() bool {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	kept := c.goneHook != nil
	c.goneHook = nil
	return kept
}

// stopWatch ends the background read, if any, and waits for it.
func (c *conn) stopWatch() {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	switch c.wstate {
	case watchArmed:
		c.timer.Stop()
	case watchReading:
		c.rwc.SetReadDeadline(aLongTimeAgo)
		for c.wstate == watchReading {
			c.wcond.Wait()
		}
		c.rwc.SetReadDeadline(time.Time{})
	}
	c.wstate = watchOff
	c.running, c.cancelReq = false, nil
	c.goneHook = nil
}

// hijack implements http.Hijacker for the connection's response.
func (c *conn) hijack() (net.Conn, *bufio.ReadWriter, error) {
	if c.hijacked {
		return nil, nil, http.ErrHijacked
	}
	c.stopWatch()
	// As net/http: a failed flush (the header) does not stop the
	// hijack, and the handler gets the connection without deadlines.
	c.bw.Flush()
	c.rwc.SetDeadline(time.Time{})
	c.hijacked = true
	c.srv.trackConn(c, false)
	// As net/http: the reader handed over holds what was read of the
	// connection, including a byte the background read got.
	br := c.br
	c.br = nil // not pooled: the handler owns it now
	if c.hasSaved {
		br.Peek(br.Buffered() + 1)
	}
	return c.rwc, bufio.NewReadWriter(br, bufio.NewWriter(c.rwc)), nil
}
