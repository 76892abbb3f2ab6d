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
// never reads the next request.
type body struct {
	mu        sync.Mutex
	br        *bufio.Reader
	remaining int64
	closed    bool
	err       error  // a read error: the connection cannot be reused
	onEOF     func() // called, with mu held, when the body has been read
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
	if b.err != nil {
		return 0, b.err
	}
	if b.remaining == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.remaining {
		p = p[:b.remaining]
	}
	n, err := b.br.Read(p)
	b.remaining -= int64(n)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		b.err = err
		return n, err
	}
	if b.remaining == 0 {
		if b.onEOF != nil {
			b.onEOF()
			b.onEOF = nil
		}
		return n, io.EOF
	}
	return n, nil
}

// Close implements io.Closer. As net/http's, it reads what is left of
// the body, up to maxPostHandlerReadBytes, so that the connection can
// serve the next request.
func (b *body) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.closed = true
		b.drainLocked()
	}
	return nil
}

// drain reads what the handler left of the body, up to
// maxPostHandlerReadBytes, before the response starts. It reports
// whether the connection can serve another request afterwards.
func (b *body) drain() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.drainLocked()
}

func (b *body) drainLocked() bool {
	if b.err != nil || b.remaining >= maxPostHandlerReadBytes {
		return false
	}
	for b.remaining > 0 {
		n, err := b.br.Discard(int(b.remaining))
		b.remaining -= int64(n)
		if err != nil {
			b.err = err
			return false
		}
	}
	return true
}
