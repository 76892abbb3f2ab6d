package endpoint

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"golang.org/x/sync/singleflight"

	"github.com/gatehouse/gatehouse/internal/configsync/source"
	"github.com/gatehouse/gatehouse/internal/snapshot"
	"github.com/gatehouse/gatehouse/internal/store"
)

// encoded is one gateway's snapshot, or a delta, as it goes on the wire.
type encoded struct {
	version int64
	plain   []byte // JSON
	gzipped []byte // the same, gzip-compressed
	// snap is the snapshot as built, kept for the deltas from it and
	// to it; nil for a delta.
	snap *snapshot.Snapshot
}

// historyDepth is how many of a gateway's latest snapshots the cache
// keeps to send deltas from: a node further behind gets the full
// snapshot.
const historyDepth = 4

// snapshotCache builds each gateway's snapshot once per configuration
// version and hands the encoded result to every node of that gateway: N
// nodes polling after a change cost one build, not N. Concurrent polls for
// a gateway share one build.
type snapshotCache struct {
	store     store.Store
	builder   *source.Builder
	flight    singleflight.Group
	mu        sync.Mutex
	byGateway map[string]*encoded
	// history holds each gateway's latest snapshots, oldest first, and
	// deltas the encoded deltas to its latest one, by base version.
	history map[string][]*encoded
	deltas  map[string]map[int64]*deltaEntry
	builds  int64 // snapshots built, for tests and metrics
}

func newSnapshotCache(st store.Store, b *source.Builder) *snapshotCache {
	return &snapshotCache{store: st, builder: b, byGateway: map[string]*encoded{},
		history: map[string][]*encoded{}, deltas: map[string]map[int64]*deltaEntry{}}
}

// deltaEntry is the delta from one base version to version, encoded;
// nil when the full snapshot is as small.
type deltaEntry struct {
	version int64
	enc     *encoded
}

// get returns gateway's snapshot at version atLeast or newer: the cached
// one when it is that new, a new build otherwise.
func (c *snapshotCache) get(ctx context.Context, gateway string, atLeast int64) (*encoded, error) {
	if e := c.cached(gateway); e != nil && e.version >= atLeast {
		return e, nil
	}
	v, err, _ := c.flight.Do(gateway, func() (any, error) {
		if e := c.cached(gateway); e != nil && e.version >= atLeast {
			return e, nil
		}
		e, err := c.build(ctx, gateway)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		if old := c.byGateway[gateway]; old == nil || old.version < e.version {
			c.byGateway[gateway] = e
			h := append(c.history[gateway], e)
			c.history[gateway] = h[max(0, len(h)-historyDepth):]
			delete(c.deltas, gateway)
		}
		c.builds++
		c.mu.Unlock()
		return e, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*encoded), nil
}

func (c *snapshotCache) cached(gateway string) *encoded {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byGateway[gateway]
}

// build builds and encodes gateway's snapshot at the store's current
// version.
func (c *snapshotCache) build(ctx context.Context, gateway string) (*encoded, error) {
	var snap *snapshot.Snapshot
	err := c.store.View(ctx, func(rd store.Reader) error {
		var err error
		snap, err = c.builder.Build(ctx, rd, gateway)
		return err
	})
	if err != nil {
		return nil, err
	}
	if snap.RoutesDigest, err = snapshot.RoutesDigest(snap); err != nil {
		return nil, err
	}
	plain, gzipped, err := encode(snap)
	if err != nil {
		return nil, fmt.Errorf("encode the snapshot of gateway %s: %w", gateway, err)
	}
	return &encoded{version: snap.Version, plain: plain, gzipped: gzipped, snap: snap}, nil
}

// encode returns v as JSON, plain and gzipped.
func encode(v any) (plain, gzipped []byte, err error) {
	plain, err = json.Marshal(v)
	if err != nil {
		return nil, nil, err
	}
	plain = append(plain, '\n')
	var z bytes.Buffer
	zw, err := gzip.NewWriterLevel(&z, gzip.BestSpeed)
	if err != nil {
		return nil, nil, err
	}
	if _, err := zw.Write(plain); err != nil {
		return nil, nil, fmt.Errorf("compress: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, nil, fmt.Errorf("compress: %w", err)
	}
	return plain, z.Bytes(), nil
}

// delta returns the delta from gateway's snapshot of version base to
// cur, encoded, or nil when the cache no longer holds either or the
// delta is not smaller than cur. Nodes at the same base share one diff.
func (c *snapshotCache) delta(gateway string, base int64, cur *encoded) *encoded {
	c.mu.Lock()
	if d := c.deltas[gateway][base]; d != nil && d.version == cur.version {
		c.mu.Unlock()
		return d.enc
	}
	var from, to *encoded
	for _, e := range c.history[gateway] {
		switch e.version {
		case base:
			from = e
		case cur.version:
			to = e
		}
	}
	c.mu.Unlock()
	if from == nil || to == nil || from.snap == nil || to.snap == nil {
		return nil
	}
	v, _, _ := c.flight.Do(fmt.Sprintf("%s\x00%d\x00%d", gateway, base, cur.version), func() (any, error) {
		d, err := snapshot.Diff(from.snap, to.snap)
		if err != nil {
			return nil, err
		}
		plain, gzipped, err := encode(d)
		if err != nil {
			return nil, err
		}
		e := &encoded{version: cur.version, plain: plain, gzipped: gzipped}
		if len(gzipped) >= len(cur.gzipped) {
			e = nil // the full snapshot is as small
		}
		c.mu.Lock()
		if latest := c.byGateway[gateway]; latest != nil && latest.version == cur.version {
			if c.deltas[gateway] == nil {
				c.deltas[gateway] = map[int64]*deltaEntry{}
			}
			c.deltas[gateway][base] = &deltaEntry{version: cur.version, enc: e}
		}
		c.mu.Unlock()
		return e, nil
	})
	e, _ := v.(*encoded)
	return e
}

// built returns how many snapshots the cache has built.
func (c *snapshotCache) built() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.builds
}
