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

// encoded is one gateway's snapshot as it goes on the wire.
type encoded struct {
	version int64
	plain   []byte // JSON
	gzipped []byte // the same, gzip-compressed
}

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
	builds    int64 // snapshots built, for tests and metrics
}

func newSnapshotCache(st store.Store, b *source.Builder) *snapshotCache {
	return &snapshotCache{store: st, builder: b, byGateway: map[string]*encoded{}}
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
	plain, err := json.Marshal(snap)
	if err != nil {
		return nil, fmt.Errorf("encode the snapshot of gateway %s: %w", gateway, err)
	}
	plain = append(plain, '\n')
	var z bytes.Buffer
	zw, err := gzip.NewWriterLevel(&z, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(plain); err != nil {
		return nil, fmt.Errorf("compress the snapshot of gateway %s: %w", gateway, err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress the snapshot of gateway %s: %w", gateway, err)
	}
	return &encoded{version: snap.Version, plain: plain, gzipped: z.Bytes()}, nil
}

// built returns how many snapshots the cache has built.
func (c *snapshotCache) built() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.builds
}
