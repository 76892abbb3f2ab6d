package cli

import (
	"io"
	"sync"
	"time"
)

// BufferedWriter passes writes on to an io.Writer in batches: a write is
// kept until the batch reaches maxBytes or maxDelay has passed since the
// batch's first write, so that a busy access log costs one system call
// per batch instead of one per line. Each write is passed on whole and in
// order. It is safe for concurrent use; Close writes what is kept.
type BufferedWriter struct {
	w        io.Writer
	maxBytes int
	maxDelay time.Duration

	mu      sync.Mutex
	buf     []byte
	timer   *time.Timer
	pending bool // the timer is set for the current batch
	closed  bool
	err     error // the last error of the underlying writer
}

// NewBufferedWriter returns a BufferedWriter over w.
func NewBufferedWriter(w io.Writer, maxBytes int, maxDelay time.Duration) *BufferedWriter {
	b := &BufferedWriter{w: w, maxBytes: maxBytes, maxDelay: maxDelay, buf: make([]byte, 0, maxBytes)}
	b.timer = time.AfterFunc(time.Hour, b.flushTimer)
	b.timer.Stop()
	return b
}

// Write keeps p for the next batch, or writes the batch when it is full.
// It reports an error of an earlier batch.
func (b *BufferedWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return b.w.Write(p)
	}
	b.buf = append(b.buf, p...)
	if len(b.buf) >= b.maxBytes {
		b.flushLocked()
	} else if !b.pending {
		b.pending = true
		b.timer.Reset(b.maxDelay)
	}
	err := b.err
	b.err = nil
	return len(p), err
}

// Flush writes the kept batch now.
func (b *BufferedWriter) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
	err := b.err
	b.err = nil
	return err
}

// Close writes the kept batch; later writes go straight through.
func (b *BufferedWriter) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
	b.closed = true
	b.timer.Stop()
	return b.err
}

func (b *BufferedWriter) flushTimer() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
}

func (b *BufferedWriter) flushLocked() {
	b.pending = false
	if len(b.buf) == 0 {
		return
	}
	if _, err := b.w.Write(b.buf); err != nil {
		b.err = err
	}
	b.buf = b.buf[:0]
}
