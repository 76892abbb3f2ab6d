package h1server

import (
	"context"
	"net"
	"net/http/httptrace"
)

func withGotConn(ctx context.Context, f func(net.Conn)) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { f(i.Conn) }})
}
