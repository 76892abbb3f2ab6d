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
	n, written := 0, false
	var werr error
	err := c.rc.Read(func(fd uintptr) bool {
		if written {
			return true // readable: the read is the caller's
		}
		written = true
		for n < len(p) {
			m, err := syscall.Write(int(fd), p[n:])
			if m > 0 {
				n += m
			}
			if err == syscall.EINTR {
				continue
			}
			if err != nil {
				werr = err
				return true
			}
		}
		return false // wait until the response begins
	})
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
