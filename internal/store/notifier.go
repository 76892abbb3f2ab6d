package store

import (
	"context"
	"sync"
)

// Notifier tracks the latest configuration version and wakes waiters when
// it moves. Its zero value is ready to use; it is safe for concurrent use.
type Notifier struct {
	mu      sync.Mutex
	version int64
	changed chan struct{} // closed and replaced on every advance
}

// Advance records version v and wakes every waiter if v is newer than the
// last one recorded. Older versions are ignored.
func (n *Notifier) Advance(v int64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if v <= n.version {
		return
	}
	n.version = v
	if n.changed != nil {
		close(n.changed)
		n.changed = nil
	}
}

// Wait blocks until the recorded version is greater than after or ctx is
// done, and returns the recorded version with ctx's error, if any.
func (n *Notifier) Wait(ctx context.Context, after int64) (int64, error) {
	for {
		n.mu.Lock()
		v := n.version
		if v > after {
			n.mu.Unlock()
			return v, nil
		}
		if n.changed == nil {
			n.changed = make(chan struct{})
		}
		ch := n.changed
		n.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return v, ctx.Err()
		}
	}
}
