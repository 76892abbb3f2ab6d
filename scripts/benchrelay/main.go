// Command benchrelay is the floor row of scripts/bench.sh: the least a Go
// proxy on the runtime's netpoller can do per request. For each client
// connection it dials the backend once and then, in turn, reads what the
// client sent, writes it to the backend, reads what the backend answered
// and writes it to the client, without looking at the bytes. That is
// only right for a client that waits for each response before sending
// the next request and for responses that arrive in one read, as wrk's
// and the benchmark backend's do; it is a yardstick, not a proxy.
//
// Like the gateway's server, it lets the other connections' work run
// before waiting for a connection's next request (runtime.Gosched),
// which spares the read that would find nothing.
//
//	benchrelay -addr 127.0.0.1:9001 -backend 127.0.0.1:9000
package main

import (
	"flag"
	"log"
	"net"
	"runtime"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9001", "listen address")
	backend := flag.String("backend", "127.0.0.1:9000", "backend address")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go relay(c, *backend)
	}
}

// relay passes c's requests to a connection of its own to backend and
// the answers back, one at a time, until either side closes.
func relay(c net.Conn, backend string) {
	defer c.Close()
	b, err := net.Dial("tcp", backend)
	if err != nil {
		log.Print(err)
		return
	}
	defer b.Close()
	req, res := make([]byte, 16<<10), make([]byte, 16<<10)
	for {
		runtime.Gosched()
		n, err := c.Read(req)
		if err != nil {
			return
		}
		if _, err := b.Write(req[:n]); err != nil {
			return
		}
		m, err := b.Read(res)
		if err != nil {
			return
		}
		if _, err := c.Write(res[:m]); err != nil {
			return
		}
	}
}
