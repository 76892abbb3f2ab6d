package h1

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Options configures a Pool. Zero values select the documented defaults,
// which are those of the gateway's http.Transport.
type Options struct {
	// Dial opens a connection to the backend. Nil: a net.Dialer with a
	// 10 s timeout and 30 s keep-alive.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// MaxIdle bounds the idle connections kept. 0: 256.
	MaxIdle int
	// IdleTimeout closes a connection idle for longer. 0: 90 s.
	IdleTimeout time.Duration
	// ResponseHeaderTimeout bounds the wait for a response's header after
	// the request was written. 0: no bound.
	ResponseHeaderTimeout time.Duration
	// MaxHeaderBytes bounds the size of a response's status line and
	// header fields. 0: 10 MiB, as http.Transport.
	MaxHeaderBytes int
	// Buffers lends the buffers that bodies are copied through. Nil: one
	// is allocated per body.
	Buffers BufferPool
}

// BufferPool lends byte slices, as httputil.BufferPool.
type BufferPool interface {
	Get() []byte
	Put([]byte)
}

// Pool keeps the idle HTTP/1.1 connections to one backend address and
// forwards requests over them. It is safe for concurrent use; each
// connection is used by one request at a time.
type Pool struct {
	addr string // host:port dialled
	opts Options

	mu   sync.Mutex
	idle []*conn // most recently used last, so by idleAt
	// sweeper closes the connections idle for too long; sweeping: it is
	// scheduled. One timer for the pool rather than one per connection
	// keeps timers off the request path.
	sweeper  *time.Timer
	sweeping bool
}

// NewPool returns a Pool of connections to addr (host:port).
func NewPool(addr string, opts Options) *Pool {
	if opts.Dial == nil {
		opts.Dial = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	}
	if opts.MaxIdle <= 0 {
		opts.MaxIdle = 256
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 90 * time.Second
	}
	if opts.MaxHeaderBytes <= 0 {
		opts.MaxHeaderBytes = 10 << 20
	}
	return &Pool{addr: addr, opts: opts}
}

// Addr returns the address the pool dials.
func (p *Pool) Addr() string { return p.addr }

// CloseIdle closes the idle connections. The pool stays usable:
// connections in use are kept when their exchange ends cleanly.
func (p *Pool) CloseIdle() {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, c := range idle {
		c.nc.Close()
	}
}

// Idle returns how many idle connections the pool holds.
func (p *Pool) Idle() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.idle)
}

// get returns an idle connection, or nil.
func (p *Pool) get() *conn {
	for {
		p.mu.Lock()
		n := len(p.idle)
		if n == 0 {
			p.mu.Unlock()
			return nil
		}
		c := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		if time.Since(c.idleAt) < p.opts.IdleTimeout {
			return c
		}
		c.nc.Close()
	}
}

// dial opens a new connection.
func (p *Pool) dial(ctx context.Context) (*conn, error) {
	nc, err := p.opts.Dial(ctx, "tcp", p.addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", p.addr, err)
	}
	c := &conn{nc: nc, rc: rawConn(nc), pool: p, br: bufio.NewReaderSize(nc, 4<<10)}
	c.bw = bufio.NewWriterSize(backendWriter{c}, 4<<10)
	c.abortFn = c.abort
	return c, nil
}

// put keeps c for the next request, or closes it when the pool is full.
func (p *Pool) put(c *conn) {
	c.idleAt = time.Now()
	c.reused = true
	p.mu.Lock()
	if len(p.idle) >= p.opts.MaxIdle {
		p.mu.Unlock()
		c.nc.Close()
		return
	}
	p.idle = append(p.idle, c)
	if !p.sweeping {
		p.schedule(p.opts.IdleTimeout)
	}
	p.mu.Unlock()
}

// schedule runs sweep after d. p.mu is held.
func (p *Pool) schedule(d time.Duration) {
	p.sweeping = true
	if p.sweeper == nil {
		p.sweeper = time.AfterFunc(d, p.sweep)
	} else {
		p.sweeper.Reset(d)
	}
}

// sweep closes the connections idle for IdleTimeout or longer, the
// oldest first, and runs again when the next one will be.
func (p *Pool) sweep() {
	now := time.Now()
	p.mu.Lock()
	n := 0
	for n < len(p.idle) && now.Sub(p.idle[n].idleAt) >= p.opts.IdleTimeout {
		n++
	}
	expired := make([]*conn, n)
	copy(expired, p.idle[:n])
	m := copy(p.idle, p.idle[n:])
	clear(p.idle[m:])
	p.idle = p.idle[:m]
	p.sweeping = false
	if m > 0 {
		p.schedule(p.opts.IdleTimeout - now.Sub(p.idle[0].idleAt))
	}
	p.mu.Unlock()
	for _, c := range expired {
		c.nc.Close()
	}
}

// conn is one connection to a backend with its buffers. It belongs to
// one request at a time, or to its pool's idle list.
type conn struct {
	nc net.Conn
	rc syscall.RawConn // nc's, when writeAwaiting can use it
	// await is writeAwaiting's state, awaitFn its step, bound once.
	await   awaitState
	awaitFn func(fd uintptr) bool
	pool    *Pool
	br      *bufio.Reader
	bw      *bufio.Writer // writes to backendWriter
	// awaitResponse makes bw's next write to nc the request's last:
	// written with writeAwaiting.
	awaitResponse bool
	head          []byte       // the latest response head, reused
	hdr           http.Header  // the latest response's fields, reused
	lr            lengthReader // the latest response's body with a Content-Length
	reused        bool         // it served a request before
	idleAt        time.Time
	// aborted is set once the request's context ended: its deadlines
	// are in the past and it must not be reused.
	aborted atomic.Bool
	abortFn func() // c.abort, bound once
}

// backendWriter is what a conn's bufio.Writer writes to: its
// connection, through writeAwaiting when the write ends a request.
type backendWriter struct{ c *conn }

func (w backendWriter) Write(p []byte) (int, error) {
	if w.c.awaitResponse {
		w.c.awaitResponse = false
		return w.c.writeAwaiting(p)
	}
	return w.c.nc.Write(p)
}

// abort makes c's pending and future reads and writes fail at once. It
// runs on the goroutine of context.AfterFunc.
func (c *conn) abort() {
	c.aborted.Store(true)
	c.nc.SetDeadline(aLongTimeAgo)
}

// aLongTimeAgo is a deadline in the past.
var aLongTimeAgo = time.Unix(1, 0)

// clearReadDeadline lifts the response header deadline, unless an abort
// set one meanwhile.
func (c *conn) clearReadDeadline() {
	c.nc.SetReadDeadline(time.Time{})
	if c.aborted.Load() {
		c.nc.SetDeadline(aLongTimeAgo)
	}
}
