package h1

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// ErrResponseStarted wraps an error that happened once the final
// response's header was written to the client: all that is left is to
// abort the client's response (httputil.ReverseProxy panics with
// http.ErrAbortHandler then, golang.org/issue/23643).
var ErrResponseStarted = errors.New("the response to the client had begun")

// errSwitchingProtocols is a 101 answering a request that asked for no
// upgrade.
var errSwitchingProtocols = errors.New("backend switched protocols without an upgrade request")

// max1xx bounds the 1xx responses before the final one, as http.Transport.
const max1xx = 5

// Forward sends req to the pool's backend and writes the backend's
// response to w: 1xx responses as they come, then the final one with
// its body and trailers. It returns nil once the response was relayed.
// An error that does not wrap ErrResponseStarted means the client got
// no final response yet (maybe 1xx ones): the caller answers it. ctx
// ends the exchange when it is done (the client went away): the
// connection is closed. Forward uses the caller's goroutine only.
func (p *Pool) Forward(ctx context.Context, w http.ResponseWriter, req *Request) error {
	for attempt := 0; ; attempt++ {
		var c *conn
		if attempt == 0 {
			c = p.get()
		}
		if c != nil && !req.replayable() && !c.alive() {
			c.nc.Close() // the backend closed it: a body could not be sent again
			c = nil
		}
		if c == nil {
			var err error
			if c, err = p.dial(ctx); err != nil {
				return err
			}
		}
		retry, err := p.exchange(ctx, c, w, req)
		if retry && attempt == 0 {
			continue
		}
		return err
	}
}

// exchange runs one request and response over c, which it closes or
// puts back. retry: c was reused and failed before any response byte in
// a way that makes sending req again on a new connection safe.
func (p *Pool) exchange(ctx context.Context, c *conn, w http.ResponseWriter, req *Request) (retry bool, err error) {
	stop := arm(ctx, w, c)
	keep := false
	defer func() { p.finish(c, stop, keep) }()
	// When the client's header is empty, as it mostly is, the response's
	// fields are read straight into it instead of into the connection's
	// map and then copied; it is emptied again if the exchange fails
	// before the response is relayed, for the caller's error response.
	dst := w.Header()
	direct := len(dst) == 0
	h := head{header: c.hdr}
	if direct {
		h.header = dst
	}
	werr, retry, err := p.start(c, req, &h, writerInformer{w, direct})
	if !direct {
		c.hdr = h.header
	}
	if err != nil {
		if direct {
			clear(dst)
		}
		return retry, err
	}
	f, err := frame(&h, req.Method)
	if err != nil {
		if direct {
			clear(dst)
		}
		return false, err
	}
	if err := p.relay(c, w, req.Method, &h, &f, direct); err != nil {
		return false, fmt.Errorf("%w: %w", ErrResponseStarted, err)
	}
	keep = werr == nil && !f.close && c.br.Buffered() == 0
	return false, nil
}

// arm makes the end of ctx abort c; the returned function disarms it and
// reports false when the abort ran. Nil: ctx never ends. When w (the
// ResponseWriter of the request whose context ctx is, or nil) or the
// ClientGoneNotifier under ClientGoneKey in ctx can tell when the client
// goes away, that replaces context.AfterFunc and its allocations.
func arm(ctx context.Context, w http.ResponseWriter, c *conn) func() bool {
	if stop, ok := AfterClientGone(w, ctx, c.abortFn); ok {
		return stop
	}
	if n, found := ctx.Value(ClientGoneKey{}).(ClientGoneNotifier); found {
		if stop, ok := n.AfterClientGone(ctx, c.abortFn); ok {
			return stop
		}
	}
	if ctx.Done() == nil {
		return nil
	}
	return context.AfterFunc(ctx, c.abortFn)
}

// ClientGoneNotifier runs a function when a request's client goes away,
// as context.AfterFunc on ctx would, when ctx ends only then (or when
// the request's handler returns): the gateway's server's ResponseWriter
// is one. ok is false, and nothing is arranged, for another context.
// stop reports whether it kept f from running; f must not block.
type ClientGoneNotifier interface {
	AfterClientGone(ctx context.Context, f func()) (stop func() bool, ok bool)
}

// ClientGoneKey is the context key of a ClientGoneNotifier, for
// RoundTrip, which has no ResponseWriter to ask.
type ClientGoneKey struct{}

// AfterClientGone asks w, or the ResponseWriters it wraps (Unwrap), for
// AfterClientGone(ctx, f): ok is false when none is a
// ClientGoneNotifier or the one found refuses ctx.
func AfterClientGone(w http.ResponseWriter, ctx context.Context, f func()) (stop func() bool, ok bool) {
	for w != nil {
		if n, is := w.(ClientGoneNotifier); is {
			return n.AfterClientGone(ctx, f)
		}
		u, is := w.(interface{ Unwrap() http.ResponseWriter })
		if !is {
			break
		}
		w = u.Unwrap()
	}
	return nil, false
}

// finish ends an exchange on c: it is disarmed, then put back when keep
// says it may be reused and no abort touched it, else closed.
func (p *Pool) finish(c *conn, stop func() bool, keep bool) {
	if stop != nil && !stop() {
		keep = false // the abort ran: its deadlines are on the connection
	}
	if keep {
		p.put(c)
	} else {
		c.nc.Close()
	}
}

// informer receives the 1xx responses before the final one.
type informer interface {
	inform(h *head) error
}

// writerInformer writes 1xx responses to a ResponseWriter. direct: the
// responses' fields are read into the ResponseWriter's header already.
type writerInformer struct {
	w      http.ResponseWriter
	direct bool
}

func (i writerInformer) inform(h *head) error {
	if i.direct {
		i.w.WriteHeader(h.status)
		clear(i.w.Header()) // the next head is read into it
		return nil
	}
	relay1xx(i.w, h)
	return nil
}

// start writes req on c and reads the head of the final response into h
// (whose header map it fills), handing 1xx responses to inf. werr is
// the error writing the request when the backend answered nonetheless.
// retry: c was reused and nothing shows that the backend got req, which
// may be sent again.
func (p *Pool) start(c *conn, req *Request, h *head, inf informer) (werr error, retry bool, err error) {
	// Without a body, writing the request and waiting for the response
	// are one step (writeAwaiting), so the wait's deadline comes first.
	bodyless := req.bodyLength() == 0
	if bodyless {
		p.armHeaderTimeout(c)
	}
	bodyTouched, werr := p.writeRequest(c, req)
	if werr != nil && c.reused && !bodyTouched {
		return werr, true, werr // nothing of the request reached the backend
	}
	if !bodyless {
		p.armHeaderTimeout(c)
	}
	if _, err := c.br.Peek(1); err != nil {
		if werr != nil {
			return werr, false, werr
		}
		return nil, c.reused && req.replayable(), fmt.Errorf("read response: %w", err)
	}
	for n1xx := 0; ; n1xx++ {
		if c.head, err = readHead(c.br, c.head, p.opts.MaxHeaderBytes, h); err != nil {
			return werr, false, fmt.Errorf("read response head: %w", err)
		}
		if h.status >= 200 {
			break
		}
		if h.status == http.StatusSwitchingProtocols {
			return werr, false, errSwitchingProtocols
		}
		if n1xx == max1xx {
			return werr, false, errors.New("too many 1xx informational responses")
		}
		if err := inf.inform(h); err != nil {
			return werr, false, err
		}
	}
	if p.opts.ResponseHeaderTimeout > 0 {
		c.clearReadDeadline()
	}
	return werr, false, nil
}

// armHeaderTimeout starts the wait for the response's header, bounded
// by ResponseHeaderTimeout.
func (p *Pool) armHeaderTimeout(c *conn) {
	if p.opts.ResponseHeaderTimeout > 0 {
		c.nc.SetReadDeadline(time.Now().Add(p.opts.ResponseHeaderTimeout))
		if c.aborted.Load() {
			c.nc.SetDeadline(aLongTimeAgo) // an abort ran meanwhile: its deadline stands
		}
	}
}

// writeRequest writes req's head and body to c. bodyTouched: some of the
// body was read, so req cannot be sent again.
func (p *Pool) writeRequest(c *conn, req *Request) (bodyTouched bool, err error) {
	n := req.bodyLength()
	if req.out != nil {
		writeOutHead(c.bw, req.out, n)
	} else {
		writeHead(c.bw, req)
	}
	if n == 0 {
		c.awaitResponse = true // the head is all: write it and await the response
		err := c.bw.Flush()
		c.awaitResponse = false
		return false, err
	}
	// As http.Transport: the head goes first, in case the backend needs
	// it before the body arrives.
	if err := c.bw.Flush(); err != nil {
		return false, err
	}
	buf := p.buffer()
	defer p.release(buf)
	for n > 0 {
		b := buf
		if int64(len(b)) > n {
			b = b[:n]
		}
		m, err := req.Body.Read(b)
		n -= int64(m)
		if _, werr := c.bw.Write(b[:m]); werr != nil {
			return true, werr
		}
		if err == io.EOF && n > 0 {
			err = io.ErrUnexpectedEOF
		}
		if err != nil && err != io.EOF {
			return true, fmt.Errorf("read request body: %w", err)
		}
		if err == io.EOF {
			break
		}
	}
	return true, c.bw.Flush()
}

// relay1xx writes an informational response to w as ReverseProxy does:
// its fields, then WriteHeader, then every field of w's header cleared.
func relay1xx(w http.ResponseWriter, h *head) {
	dst := w.Header()
	for k, vv := range h.header {
		dst[k] = append(dst[k], vv...)
	}
	w.WriteHeader(h.status)
	clear(dst)
}

func (p *Pool) buffer() []byte {
	if p.opts.Buffers != nil {
		return p.opts.Buffers.Get()
	}
	return make([]byte, 32<<10)
}

func (p *Pool) release(b []byte) {
	if p.opts.Buffers != nil {
		p.opts.Buffers.Put(b)
	}
}
