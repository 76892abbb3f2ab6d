//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package h1

import (
	"net"
	"syscall"
)

// rawConn returns nil: writeAwaiting writes the ordinary way here.
func rawConn(net.Conn) syscall.RawConn { return nil }

// writeAwaiting writes p to c.
func (c *conn) writeAwaiting(p []byte) (int, error) { return c.nc.Write(p) }

// awaitState is empty here: writeAwaiting writes the ordinary way.
type awaitState struct{}
