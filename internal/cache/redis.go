package cache

import (
	"context"
	"encoding/binary"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a Store shared by every gateway node through Redis (APIM's
// external cache). When Redis fails, it uses its in-memory fallback until
// Redis answers again, logging once per outage. It is safe for concurrent
// use.
type Redis struct {
	client   redis.UniversalClient
	fallback Store
	prefix   string
	timeout  time.Duration
	log      *slog.Logger
	down     atomic.Bool
	outages  atomic.Uint64
}

var _ Store = (*Redis)(nil)

// NewRedis returns a Store on client. fallback (nil: a 64 MiB Memory)
// serves while Redis is unreachable; keys are prefixed with prefix.
func NewRedis(client redis.UniversalClient, fallback Store, prefix string, log *slog.Logger) *Redis {
	if fallback == nil {
		fallback = NewMemory(0, nil)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Redis{client: client, fallback: fallback, prefix: prefix, timeout: time.Second, log: log}
}

func (r *Redis) failed(err error) {
	if err != nil && err != redis.Nil && r.down.CompareAndSwap(false, true) {
		r.outages.Add(1)
		r.log.Warn("redis cache unreachable; caching in memory", "err", err)
	}
}

// Reachable reports whether the last attempt to use Redis succeeded.
func (r *Redis) Reachable() bool { return !r.down.Load() }

// Outages returns how many times Redis became unreachable.
func (r *Redis) Outages() uint64 { return r.outages.Load() }

func (r *Redis) recovered() {
	if r.down.CompareAndSwap(true, false) {
		r.log.Info("redis cache reachable again")
	}
}

// Get reads key from Redis, or from the fallback when Redis fails.
func (r *Redis) Get(key string) ([]byte, time.Time, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	raw, err := r.client.Get(ctx, r.prefix+key).Bytes()
	switch {
	case err == redis.Nil:
		r.recovered()
		return nil, time.Time{}, false
	case err != nil:
		r.failed(err)
		return r.fallback.Get(key)
	case len(raw) < 8:
		return nil, time.Time{}, false
	}
	r.recovered()
	stored := time.Unix(0, int64(binary.BigEndian.Uint64(raw[:8])))
	return raw[8:], stored, true
}

// Set writes key to Redis with ttl, or to the fallback when Redis fails.
func (r *Redis) Set(key string, value []byte, ttl time.Duration) {
	if ttl <= 0 {
		return
	}
	buf := make([]byte, 8+len(value))
	binary.BigEndian.PutUint64(buf, uint64(time.Now().UnixNano()))
	copy(buf[8:], value)
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	if err := r.client.Set(ctx, r.prefix+key, buf, ttl).Err(); err != nil {
		r.failed(err)
		r.fallback.Set(key, value, ttl)
		return
	}
	r.recovered()
}

// Delete removes key from Redis and from the fallback.
func (r *Redis) Delete(key string) {
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	r.failed(r.client.Del(ctx, r.prefix+key).Err())
	r.fallback.Delete(key)
}
