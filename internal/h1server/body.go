package h1server

import (
	"bufio"
	"io"
	"net/http"
	"sync"
)

// maxPostHandlerReadBytes is how much of a body its handler left unread
// is discarded to keep the connection, as net/http does; more closes it.
const maxPostHandlerReadBytes = 256 << 10

// body is a request body of known length read from the connection's
// reader. Reads and Close are serialised, so that a reader still running
// when the handler returns (a Transport writing the body to a backend)
// never reads the next request. Its states are those of net/http's body.
type body struct {
	mu        sync.Mutex
	br        *bufio.Reader
	remaining int64
	closed    bool
	// closing: the connection closes after this request (Connection:
	// close), so Close does not read what is left, as net/http's.
	closing bool
	// eof: the body was read to its end, or to the end of the
	// connection (reported once as io.ErrUnexpectedEOF, then io.EOF).
	eof bool
	// earlyClose: Close gave up on the body, or read as much as it
	// tolerates (maxPostHandlerReadBytes), so the connection is not
	// reused, as with net/http.
	earlyClose bool
	err        error  // a read error: the connection cannot be reused
	onEOF      func() // called, with mu held, when the body has been read
}

// Read implements io.Reader.
func (b *body) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, http.ErrBodyReadAfterClose
	}
	return b.readLocked(p)
}

func (b *body) readLocked(p []byte) (int, error) {
	switch {
	case b.eof:
		return 0, io.EOF
	case b.err != nil:
		return 0, b.err
	case b.remaining == 0:
		b.eof = true
		return 0, io.EOF
	}
	if int64(len(p)) > b.remaining {
		p = p[:b.remaining]
	}
	n, err := b.br.Read(p)
	b.remaining -= int64(n)
	if err != nil {
		return n, b.failLocked(err)
	}
	if b.remaining == 0 {
		b.eof = true
		if b.onEOF != nil {
			b.onEOF()
			b.onEOF = nil
		}
		return n, io.EOF
	}
	return n, nil
}

// failLocked records err, a read error, and returns what the reader
// reports: a connection that ends before the body does is an
// io.ErrUnexpectedEOF.
func (b *body) failLocked(err error) error {
	if err == io.EOF {
		b.eof = true
		err = io.ErrUnexpectedEOF
	}
	b.err = err
	return err
}

// Close implements io.Closer. As net/http's, it reads what is left of
// the body, up to maxPostHandlerReadBytes, so that the connection can
// serve the next request; a body of exactly that much left is read but
// the connection is still not reused.
func (b *body) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	switch {
	case b.eof, b.remaining == 0, b.closing:
		return nil
	case b.err != nil:
		return b.err
	case b.remaining > maxPostHandlerReadBytes:
		b.earlyClose = true
		return nil
	}
	b.earlyClose = b.remaining == maxPostHandlerReadBytes
	b.discardLocked()
	return b.err
}

// sawEOF reports whether the body was read to its end (or the
// connection's).
func (b *body) sawEOF() bool { return b.eof || b.remaining == 0 }

// beforeResponse does with what the handler left of the body what
// net/http does when the response header is written: a closed body
// stays as it is; maxPostHandlerReadBytes or more left is tooBig (the
// connection closes, saying so); less is read and the body closed. keep
// is false when the connection cannot serve another request.
func (b *body) beforeResponse() (keep, tooBig bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.closed:
		return b.sawEOF(), false
	case b.remaining >= maxPostHandlerReadBytes:
		return false, true
	case b.eof:
	case b.err != nil || !b.discardLocked():
		return false, false
	}
	b.closed = true
	return true, false
}

// discardLocked reads the rest of the body and reports whether it got
// all of it.
func (b *body) discardLocked() bool {
	for b.remaining > 0 {
		n, err := b.br.Discard(int(b.remaining))
		b.remaining -= int64(n)
		if err != nil {
			b.failLocked(err)
			return false
		}
	}
	b.eof = true
	return true
}
