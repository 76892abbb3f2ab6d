package cli

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"
)

// guard applies a listener's per-request Limits before its handler: it
// refuses an over-long URL (414), over-large headers (431) and a body
// whose declared length is over the limit (413), and gives every other
// body a size limit and read deadlines.
type guard struct {
	next   http.Handler
	limits Limits // with defaults
	refuse func(w http.ResponseWriter, status int, message string)
}

func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l := g.limits
	if l.MaxURLBytes > 0 && int64(len(r.RequestURI)) > int64(l.MaxURLBytes) {
		g.refuse(w, http.StatusRequestURITooLong, fmt.Sprintf("The request URL is longer than %d bytes.", l.MaxURLBytes))
		return
	}
	if l.MaxHeaderBytes > 0 && headerBytes(r) > int64(l.MaxHeaderBytes) {
		g.refuse(w, http.StatusRequestHeaderFieldsTooLarge, fmt.Sprintf("The request headers are larger than %d bytes.", l.MaxHeaderBytes))
		return
	}
	if r.Body == nil || r.Body == http.NoBody {
		g.next.ServeHTTP(w, r)
		return
	}
	if l.MaxBodyBytes > 0 && r.ContentLength > int64(l.MaxBodyBytes) {
		w.Header().Set("Connection", "close") // the body is not read
		g.refuse(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("The request body is larger than %d bytes.", l.MaxBodyBytes))
		return
	}
	body := &deadlineBody{body: r.Body, rc: http.NewResponseController(w), timeout: l.RequestBodyTimeout, rate: int64(l.RequestBodyMinRate)}
	r.Body = body
	if l.MaxBodyBytes > 0 {
		r.Body = http.MaxBytesReader(w, body, int64(l.MaxBodyBytes))
	}
	g.next.ServeHTTP(w, r)
	body.handlerDone()
}

// headerBytes returns the size of r's header section as the client sent
// it, without the request line.
func headerBytes(r *http.Request) int64 {
	n := int64(len(r.Host) + len("Host: \r\n"))
	for k, vs := range r.Header {
		for _, v := range vs {
			n += int64(len(k) + len(v) + len(": \r\n"))
		}
	}
	return n
}

// refuseText is the refusal of a listener without an error shape of its
// own.
func refuseText(w http.ResponseWriter, status int, message string) {
	http.Error(w, message, status)
}

// deadlineBody is a request body read with deadlines: a read fails once
// the body has sent nothing for timeout, or once its average rate since
// the first read, after a grace period of timeout, falls below rate bytes
// a second. The deadline is the connection's (HTTP/1) or the stream's
// (HTTP/2) read deadline, set through the ResponseController, so a read
// blocked on a silent client fails with os.ErrDeadlineExceeded. Reads
// come from one goroutine at a time (the handler's, or a Transport's
// writing the body to a backend); the mutex, never held while reading,
// orders their bookkeeping against handlerDone.
type deadlineBody struct {
	body    io.ReadCloser
	rc      *http.ResponseController
	timeout time.Duration // <= 0: no deadlines
	rate    int64         // <= 0: no minimum rate

	mu    sync.Mutex
	start time.Time // of the first read
	last  time.Time // of the latest read that brought bytes
	n     int64     // bytes read
	eof   bool
	late  bool // a read failed at its deadline, which stays past
	done  bool // the handler returned: rc must not be used
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	if !b.beforeRead() {
		return b.body.Read(p)
	}
	n, err := b.body.Read(p)
	b.afterRead(n, err)
	return n, err
}

// beforeRead sets the deadline of the next read, and reports whether
// there is one.
func (b *deadlineBody) beforeRead() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.timeout <= 0 || b.done || b.eof {
		return false
	}
	if b.start.IsZero() {
		b.start = time.Now()
		b.last = b.start
	}
	b.rc.SetReadDeadline(b.deadline()) // ErrNotSupported: no deadline to set
	return true
}

// afterRead counts what a read brought.
func (b *deadlineBody) afterRead(n int, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n > 0 {
		b.n += int64(n)
		b.last = time.Now()
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		b.late = true
	}
	if err == io.EOF {
		b.eof = true
		if !b.done {
			// The server reads ahead for the next request (or a closed
			// connection) from here on; a deadline would fail that read.
			b.rc.SetReadDeadline(time.Time{})
		}
	}
}

// deadline returns when the next read must have brought bytes.
func (b *deadlineBody) deadline() time.Time {
	d := b.last.Add(b.timeout)
	if b.rate > 0 {
		allowed := b.timeout + time.Duration(float64(b.n)/float64(b.rate)*float64(time.Second))
		if byRate := b.start.Add(allowed); byRate.Before(d) {
			d = byRate
		}
	}
	return d
}

func (b *deadlineBody) Close() error { return b.body.Close() }

// handlerDone is called when the handler has returned. What the handler
// left unread the server reads (to reuse the connection) within timeout.
func (b *deadlineBody) handlerDone() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.timeout > 0 && !b.eof && !b.late {
		b.rc.SetReadDeadline(time.Now().Add(b.timeout))
	}
	b.done = true
}
