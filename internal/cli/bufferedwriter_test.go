package cli

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// countingWriter records each write it is given.
type countingWriter struct {
	mu     sync.Mutex
	writes []string
	done   chan struct{} // receives after each write
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.writes = append(c.writes, string(p))
	c.mu.Unlock()
	select {
	case c.done <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (c *countingWriter) all() (int, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.writes), strings.Join(c.writes, "")
}

func TestBufferedWriterBatchesLines(t *testing.T) {
	out := &countingWriter{done: make(chan struct{}, 1)}
	b := NewBufferedWriter(out, 1024, time.Hour)
	var want bytes.Buffer
	for i := range 100 {
		line := fmt.Sprintf("line %03d\n", i) // 9 bytes: a batch holds 114
		want.WriteString(line)
		if _, err := b.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := out.all(); n != 0 {
		t.Errorf("%d writes before the batch filled", n)
	}
	for i := 100; i < 200; i++ {
		line := fmt.Sprintf("line %03d\n", i)
		want.WriteString(line)
		b.Write([]byte(line))
	}
	if n, _ := out.all(); n != 1 {
		t.Errorf("%d writes after 1,800 bytes with batches of 1,024, want 1", n)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	n, got := out.all()
	if n != 2 || got != want.String() {
		t.Errorf("after Close: %d writes; the lines in order: %v", n, got == want.String())
	}
	b.Write([]byte("after close\n"))
	if n, _ := out.all(); n != 3 {
		t.Errorf("a write after Close is passed on at once: %d writes", n)
	}
}

func TestBufferedWriterFlushesAfterTheDelay(t *testing.T) {
	out := &countingWriter{done: make(chan struct{}, 1)}
	b := NewBufferedWriter(out, 1<<20, 10*time.Millisecond)
	defer b.Close()
	b.Write([]byte("one line\n"))
	select {
	case <-out.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the line was not written after the delay")
	}
	if _, got := out.all(); got != "one line\n" {
		t.Errorf("wrote %q", got)
	}
}
