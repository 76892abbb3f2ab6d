// Package h1server serves the common HTTP/1.1 request on connections it
// owns and hands every other connection to a net/http Server.
//
// A Server reads each request head from the connection's buffered
// reader and, when it has the common shape, serves it itself: an
// origin-form HTTP/1.1 request whose head fits in the reader's buffer,
// with one Host, well-formed fields separated by CRLF, no body or one
// delimited by a single Content-Length, and no Transfer-Encoding,
// Expect, Upgrade or HTTP2-Settings. Everything else (HTTP/1.0, h2c,
// upgrades, chunked uploads, oversized or malformed heads) is handed,
// with the bytes already read, to the net/http Server given to New,
// which serves that connection from then on: net/http answers what it
// would have answered, from its first byte.
//
// What the Server does for the requests it keeps is what net/http does
// for them: the same *http.Request (context with http.ServerContextKey
// and http.LocalAddrContextKey, cancelled when the handler returns),
// the same response framing (Content-Length for short replies written
// at once, chunked otherwise, Date, Content-Type sniffing, trailers,
// 1xx responses, Connection: close), the same reuse rules (unread
// bodies discarded up to 256 KiB) and the same timeouts. It saves what
// net/http spends per request: the background read that watches a
// connection while its handler runs (here started only when a request
// has been in flight for ClientGoneAfter), a goroutine hand-off, and
// most of the allocations of the request head. The connection's reader
// and writers are reused from one request to the next.
//
// One difference remains: http.MaxBytesReader tells only net/http's own
// ResponseWriter that its limit was hit, so after a handler exceeds it
// the Server adds no Connection: close and keeps the connection when
// the rest of the body (up to 256 KiB) can be read. TestDifferential,
// FuzzParseHead and FuzzExchange compare the Server with net/http.
//
// ServeTLS does the same over TLS: the Server runs the handshake (ALPN
// offers h2 and http/1.1, as net/http's ServeTLS does), hands a
// connection that negotiated h2 to the fallback Server, which serves
// HTTP/2 on it, and serves the others with the requests' TLS state
// (which a connection handed over later keeps).
package h1server
