//go:build linux || darwin || freebsd || netbsd || openbsd

package h1

import (
	"errors"
	"net"
	"os"
	"syscall"
)

// rawConn returns nc's syscall.RawConn when nc is a TCP connection, for
// writeAwaiting; nil otherwise.
func rawConn(nc net.Conn) syscall.RawConn {
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		return nil
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// writeAwaiting writes p, the end of a request, to c and returns once
// the response has begun to arrive (or the wait failed: the read that
// follows reports why). Written then read the ordinary way, the first
// read would come too early, find nothing and cost a system call before
// the wait: here the write runs inside the wait for the socket to become
// readable, which the runtime's poller arms before the write, so no
// readiness can be missed. What cannot be written at once is written the
// ordinary way, and then the read waits as usual.
func (c *conn) writeAwaiting(p []byte) (int, error) {
	if c.rc == nil {
		return c.nc.Write(p)
	}
	a := &c.await
	*a = awaitState{p: p}
	if c.awaitFn == nil {
		c.awaitFn = a.step // bound once: rc.Read's function would escape
	}
	err := c.rc.Read(c.awaitFn)
	n, werr := a.n, a.werr
	a.p = nil
	switch {
	case n == len(p):
		return n, nil // a failed wait shows in the read that follows
	case errors.Is(werr, syscall.EAGAIN) || (werr == nil && err == nil):
		m, err := c.nc.Write(p[n:]) // the socket's buffer is full: wait the ordinary way
		return n + m, err
	case werr != nil:
		err = os.NewSyscallError("write", werr)
	}
	return n, &net.OpError{Op: "write", Net: "tcp", Source: c.nc.LocalAddr(), Addr: c.nc.RemoteAddr(), Err: err}
}

// awaitState is what writeAwaiting's step works on: the bytes to write,
// how many were, and the error that stopped it.
type awaitState struct {
	p       []byte
	n       int
	written bool
	werr    error
}

// step is called by the runtime's poller: first to write p, then, once
// the socket is readable, to end the wait.
func (a *awaitState) step(fd uintptr) bool {
	if a.written {
		return true // readable: the read is the caller's
	}
	a.written = true
	for a.n < len(a.p) {
		m, err := syscall.Write(int(fd), a.p[a.n:])
		if m > 0 {
			a.n += m
		}
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			a.werr = err
			return true
		}
	}
	return false // wait until the response begins
}
