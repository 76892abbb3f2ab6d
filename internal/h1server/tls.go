package h1server

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"slices"
	"time"
)

// ServeTLS accepts connections on ln and serves them over TLS with the
// fallback Server's TLSConfig, as http.Server.ServeTLS does: ALPN offers
// h2 and http/1.1; a connection that negotiates h2 is handed to the
// fallback Server, which serves HTTP/2 on it; the others are served as
// on a plain listener, with the requests' TLS state. The TLSConfig must
// hold the certificates. It returns http.ErrServerClosed after
// Shutdown.
func (s *Server) ServeTLS(ln net.Listener) error {
	if s.fallback.TLSConfig == nil {
		return errors.New("h1server: ServeTLS needs the Server's TLSConfig")
	}
	config := s.fallback.TLSConfig.Clone()
	protos := slices.DeleteFunc(slices.Clone(config.NextProtos), func(p string) bool { return p == "h2" || p == "http/1.1" })
	config.NextProtos = append(protos, "h2", "http/1.1")
	// The fallback Server configures HTTP/2 for the connections it is
	// handed when its TLSConfig offers h2.
	if !slices.Contains(s.fallback.TLSConfig.NextProtos, "h2") {
		s.fallback.TLSConfig.NextProtos = append(slices.Clone(s.fallback.TLSConfig.NextProtos), "h2")
	}
	s.tlsConfig = config
	return s.Serve(ln)
}

// handshake runs the TLS handshake of a connection of ServeTLS and
// reports whether its requests are to be served here; false: the
// connection failed or was handed to the fallback Server (HTTP/2).
func (c *conn) handshake(ctx context.Context) (ok, handedOff bool) {
	tc := tls.Server(c.rwc, c.srv.tlsConfig)
	c.rwc = tc
	d := c.srv.fallback.ReadHeaderTimeout
	if d > 0 {
		tc.SetDeadline(time.Now().Add(d))
	}
	if err := tc.HandshakeContext(ctx); err != nil {
		reason := err.Error()
		var re tls.RecordHeaderError
		if errors.As(err, &re) && re.Conn != nil && looksLikeHTTP(re.RecordHeader) {
			io.WriteString(re.Conn, "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n")
			re.Conn.Close()
			reason = "client sent an HTTP request to an HTTPS server"
		}
		c.srv.logf("http: TLS handshake error from %s: %v", c.remoteAddr, reason)
		return false, false
	}
	if d > 0 {
		tc.SetDeadline(time.Time{})
	}
	st := tc.ConnectionState()
	c.tlsState = &st
	if p := st.NegotiatedProtocol; p != "" && p != "http/1.1" && p != "http/1.0" {
		c.srv.trackConn(c, false)
		c.srv.handoff.deliver(tc)
		return false, true
	}
	return true, false
}

// looksLikeHTTP reports whether a TLS record header is the start of a
// plain HTTP request.
func looksLikeHTTP(hdr [5]byte) bool {
	switch string(hdr[:]) {
	case "GET /", "HEAD ", "POST ", "PUT /", "OPTIO":
		return true
	}
	return false
}

// tlsReplayConn is a handed-over TLS connection: net/http takes its
// requests' TLS state from ConnectionState.
type tlsReplayConn struct {
	*replayConn
	state tls.ConnectionState
}

// ConnectionState returns the connection's TLS state.
func (c *tlsReplayConn) ConnectionState() tls.ConnectionState { return c.state }

// replayed returns c with pending read first, then readErr when not
// nil, for the fallback Server.
func (c *conn) replayed(pending []byte, readErr error) net.Conn {
	rc := &replayConn{Conn: c.rwc, buf: pending, err: readErr}
	if c.tlsState != nil {
		return &tlsReplayConn{replayConn: rc, state: *c.tlsState}
	}
	return rc
}
