//go:build linux || darwin || freebsd || netbsd || openbsd

package h1

import (
	"errors"
	"syscall"
)

// alive reports whether the backend has not closed c while it was idle
// (nor sent anything unasked). It peeks at the socket without waiting;
// http.Transport learns the same from its read loop.
func (c *conn) alive() bool {
	sc, ok := c.nc.(syscall.Conn)
	if !ok {
		return true
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	var buf [1]byte
	var perr error
	err = rc.Read(func(fd uintptr) bool {
		_, _, perr = syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return true
	})
	// Nothing to read is the one good answer: a read of 0 bytes is the
	// backend's close, data is a response nobody asked for.
	return err == nil && (errors.Is(perr, syscall.EAGAIN) || errors.Is(perr, syscall.EWOULDBLOCK))
}
