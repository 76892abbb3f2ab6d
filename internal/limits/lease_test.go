package limits

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/limits/redistest"
)

// TestRedisLeasesBusyCounters: a counter with a large limit is decided
// from blocks reserved in Redis: far fewer round trips than requests, and
// the limit is kept within 1%.
func TestRedisLeasesBusyCounters(t *testing.T) {
	url := redistest.URL(t)
	r := newRedis(t, url, RedisOptions{})
	c := []Counter{{Key: "busy", Limit: 2000, Period: time.Minute, N: 1}}
	admitted := 0
	for range 2100 {
		ds, err := r.Take(context.Background(), "lease", c)
		if err != nil {
			t.Fatal(err)
		}
		if ds[0].Allowed {
			admitted++
		}
	}
	if admitted < 1980 || admitted > 2020 {
		t.Errorf("admitted %d of 2100 for a limit of 2000; want 2000 ±1%%", admitted)
	}
	if trips := r.roundTrips.Load(); trips > 2100/4 {
		t.Errorf("%d round trips to Redis for 2100 decisions", trips)
	} else {
		t.Logf("2100 decisions in %d round trips, %d admitted", trips, admitted)
	}
	small := []Counter{{Key: "small", Limit: 100, Period: time.Minute, N: 1}}
	before := r.roundTrips.Load()
	for range 10 {
		r.Take(context.Background(), "lease", small)
	}
	if n := r.roundTrips.Load() - before; n != 10 {
		t.Errorf("a limit of 100 took %d round trips for 10 decisions; small limits are decided one by one", n)
	}
}

// TestRedisLeasesAcrossNodes: two stores (two nodes) taking from one
// busy counter at once admit its limit within 1%.
func TestRedisLeasesAcrossNodes(t *testing.T) {
	url := redistest.URL(t)
	prefix := redistest.Prefix(t, url)
	nodes := []*Redis{newRedis(t, url, RedisOptions{Prefix: prefix}), newRedis(t, url, RedisOptions{Prefix: prefix})}
	const limit, sent = 4000, 4800
	c := []Counter{{Key: "shared", Limit: limit, Period: time.Minute, N: 1}}
	var admitted, next atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			node := nodes[g%2]
			for next.Add(1) <= sent {
				ds, err := node.Take(context.Background(), "lease", c)
				if err != nil {
					t.Error(err)
					return
				}
				if ds[0].Allowed {
					admitted.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if n := admitted.Load(); n < limit*99/100 || n > limit*101/100 {
		t.Errorf("two nodes admitted %d of %d for a limit of %d; want the limit ±1%%", n, sent, limit)
	}
	t.Logf("round trips: %d and %d for %d decisions", nodes[0].roundTrips.Load(), nodes[1].roundTrips.Load(), sent)
}

// TestRedisLeaseBounds: however many requests reserve at once, a node
// holds one block of at most limit/200 units; once the limit is used up,
// a refused request costs one round trip, not two.
func TestRedisLeaseBounds(t *testing.T) {
	url := redistest.URL(t)
	r := newRedis(t, url, RedisOptions{})
	c := []Counter{{Key: "bounded", Limit: 1000, Period: time.Minute, N: 1}}
	key := leaseKey("bounds", c[0])
	var wg sync.WaitGroup
	var most atomic.Int64
	for range 64 {
		wg.Go(func() {
			for range 20 {
				if _, err := r.Take(context.Background(), "bounds", c); err != nil {
					t.Error(err)
					return
				}
				r.leases.mu.Lock()
				if l := r.leases.blocks[key]; l != nil && l.left+1 > most.Load() {
					most.Store(l.left + 1)
				}
				r.leases.mu.Unlock()
			}
		})
	}
	wg.Wait()
	if m := most.Load(); m > 1000/maxLeaseShare {
		t.Errorf("a node held a block of %d units; at most %d", m, 1000/maxLeaseShare)
	}
	before := r.roundTrips.Load()
	for range 100 {
		if ds, err := r.Take(context.Background(), "bounds", c); err != nil || ds[0].Allowed {
			t.Fatalf("past the limit: %v, %v", ds, err)
		}
	}
	if n := r.roundTrips.Load() - before; n > 101 {
		t.Errorf("100 refused requests took %d round trips", n)
	}
}
