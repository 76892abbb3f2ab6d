package h1server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultClientGoneAfter is how long a request without a body runs
// before its connection is watched for the client going away.
const DefaultClientGoneAfter = 500 * time.Millisecond

// Server serves HTTP/1.1 connections of a plain-text listener: the
// common request itself, the rest through its fallback net/http Server.
// Make one with New.
type Server struct {
	fallback *http.Server
	handoff  *handoffListener
	// ClientGoneAfter is how long a request runs before its connection is
	// read in the background, so that a client that goes away cancels
	// the request's context (as net/http does from the start). Zero:
	// DefaultClientGoneAfter.
	ClientGoneAfter time.Duration

	tlsConfig  *tls.Config // ServeTLS's: nil for plain text
	inShutdown atomic.Bool
	date       atomic.Pointer[dateValue] // see dateNow
	mu         sync.Mutex
	listeners  map[net.Listener]struct{}
	serving    sync.WaitGroup // the Serve calls running
	conns      map[*conn]struct{}
	fallbackUp sync.Once
	fallbackCh chan error
}

// New returns a Server that serves what srv would serve, with srv's
// Handler, ReadHeaderTimeout, IdleTimeout, MaxHeaderBytes, BaseContext
// and ErrorLog, handing srv the connections it does not serve. srv must
// not use ReadTimeout, WriteTimeout, ConnState, ConnContext or disabled
// keep-alives: the Server does not apply them, so New refuses them.
func New(srv *http.Server) (*Server, error) {
	if srv.ReadTimeout != 0 || srv.WriteTimeout != 0 || srv.ConnState != nil || srv.ConnContext != nil {
		return nil, errors.New("h1server: ReadTimeout, WriteTimeout, ConnState and ConnContext are not supported")
	}
	return &Server{fallback: srv, listeners: map[net.Listener]struct{}{}, conns: map[*conn]struct{}{}}, nil
}

// Serve accepts connections on ln until Shutdown, serving each on its
// own goroutine. It returns http.ErrServerClosed after Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	if !s.trackListener(ln, true) {
		return http.ErrServerClosed
	}
	defer s.trackListener(ln, false)
	s.startFallback(ln.Addr())
	base := context.Background()
	if s.fallback.BaseContext != nil {
		base = s.fallback.BaseContext(ln)
	}
	base = context.WithValue(base, http.ServerContextKey, s.fallback)
	var delay time.Duration
	for {
		rwc, err := ln.Accept()
		if err != nil {
			if s.inShutdown.Load() {
				return http.ErrServerClosed
			}
			var te interface{ Temporary() bool }
			if errors.As(err, &te) && te.Temporary() {
				// As net/http: back off on accept errors such as EMFILE.
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				s.logf("http: Accept error: %v; retrying in %v", err, delay)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		c := newConn(s, rwc)
		if !s.trackConn(c, true) {
			rwc.Close()
			continue
		}
		go c.serve(base)
	}
}

// startFallback starts the net/http Server on the hand-off listener.
func (s *Server) startFallback(addr net.Addr) {
	s.fallbackUp.Do(func() {
		s.handoff = newHandoffListener(addr)
		s.fallbackCh = make(chan error, 1)
		go func() { s.fallbackCh <- s.fallback.Serve(s.handoff) }()
	})
}

// Shutdown stops accepting, closes idle connections, waits for the
// active ones to finish their request (or ctx to end), then shuts the
// fallback Server down within ctx.
func (s *Server) Shutdown(ctx context.Context) error {
	s.inShutdown.Store(true)
	s.mu.Lock()
	var errs []error
	for ln := range s.listeners {
		if err := ln.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	s.mu.Unlock()
	// As net/http: the accept loops have returned before the
	// connections are looked at.
	s.serving.Wait()
	fallbackDone := make(chan error, 1)
	go func() { fallbackDone <- s.fallback.Shutdown(ctx) }()
	wait := time.Millisecond
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for !s.closeIdle() {
		select {
		case <-ctx.Done():
			errs = append(errs, ctx.Err())
			return errors.Join(append(errs, <-fallbackDone)...)
		case <-timer.C:
			wait = min(2*wait, 100*time.Millisecond)
			timer.Reset(wait)
		}
	}
	if err := <-fallbackDone; err != nil && !errors.Is(err, http.ErrServerClosed) {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// closeIdle closes the connections waiting for a request and reports
// whether none is left.
func (s *Server) closeIdle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.state.CompareAndSwap(stateIdle, stateClosed) {
			c.rwc.Close()
			delete(s.conns, c)
		}
	}
	return len(s.conns) == 0
}

func (s *Server) trackListener(ln net.Listener, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		if s.inShutdown.Load() {
			return false
		}
		s.listeners[ln] = struct{}{}
		s.serving.Add(1)
	} else {
		delete(s.listeners, ln)
		s.serving.Done()
	}
	return true
}

func (s *Server) trackConn(c *conn, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		if s.inShutdown.Load() {
			return false
		}
		s.conns[c] = struct{}{}
	} else {
		delete(s.conns, c)
	}
	return true
}

func (s *Server) logf(format string, args ...any) {
	if s.fallback.ErrorLog != nil {
		s.fallback.ErrorLog.Printf(format, args...)
		return
	}
	log.Printf(format, args...)
}

func (s *Server) clientGoneAfter() time.Duration {
	if s.ClientGoneAfter > 0 {
		return s.ClientGoneAfter
	}
	return DefaultClientGoneAfter
}

// handoffListener is the fallback Server's listener: it accepts the
// connections the Server hands over.
type handoffListener struct {
	addr  net.Addr
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newHandoffListener(addr net.Addr) *handoffListener {
	return &handoffListener{addr: addr, conns: make(chan net.Conn), done: make(chan struct{})}
}

// Accept implements net.Listener.
func (l *handoffListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close implements net.Listener.
func (l *handoffListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

// Addr implements net.Listener.
func (l *handoffListener) Addr() net.Addr { return l.addr }

// deliver hands c to the fallback Server, or closes it when that has
// shut down.
func (l *handoffListener) deliver(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.done:
		c.Close()
	}
}

// replayConn is a handed-over connection: its reads return the bytes
// already read from it first, then the error that ended that reading,
// if any.
type replayConn struct {
	net.Conn
	buf []byte

	mu sync.Mutex
	// err, when not nil, is returned by every read after buf, as a
	// connection past its read deadline does, until a deadline is set
	// after it was first returned.
	err      error
	returned bool
}

// Read implements net.Conn.
func (c *replayConn) Read(p []byte) (int, error) {
	if len(c.buf) > 0 {
		n := copy(p, c.buf)
		c.buf = c.buf[n:]
		return n, nil
	}
	c.mu.Lock()
	err := c.err
	c.returned = err != nil
	c.mu.Unlock()
	if err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

// SetDeadline implements net.Conn.
func (c *replayConn) SetDeadline(t time.Time) error {
	c.newDeadline()
	return c.Conn.SetDeadline(t)
}

// SetReadDeadline implements net.Conn.
func (c *replayConn) SetReadDeadline(t time.Time) error {
	c.newDeadline()
	return c.Conn.SetReadDeadline(t)
}

func (c *replayConn) newDeadline() {
	c.mu.Lock()
	if c.returned {
		c.err = nil
	}
	c.mu.Unlock()
}

// CloseWrite closes the writing side when the connection has one, as
// net/http does after some errors.
func (c *replayConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return fmt.Errorf("h1server: %T has no CloseWrite", c.Conn)
}
