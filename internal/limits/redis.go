package limits

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisOptions configures a Redis store. Zero values select the
// documented defaults.
type RedisOptions struct {
	// URL locates Redis, as go-redis parses it: redis://[user:pass@]host:port/db
	// or rediss:// (TLS) for one server; redis+sentinel:// or
	// rediss+sentinel:// (or any URL with master_name=) for Sentinel, with
	// more sentinels as addr= parameters; redis+cluster:// or
	// rediss+cluster:// for Cluster, with more nodes as addr= parameters.
	URL string
	// FailClosed makes Take fail with ErrUnavailable while Redis is
	// unreachable. False (the default): decide with local counters.
	FailClosed bool
	// Prefix starts every key. Empty: "gatehouse:limits:".
	Prefix string
	// Logger receives outage and recovery messages. Nil: discard.
	Logger *slog.Logger
	// Now is the clock for fixed windows, local counters and probes; when
	// set, sliding windows use it too. Nil: time.Now, and sliding windows
	// use the Redis server's clock, so that nodes agree.
	Now func() time.Time
	// ProbeEvery is how often, at most, a request tries Redis again while it
	// is unreachable. 0: 2 seconds.
	ProbeEvery time.Duration
	// Timeout bounds one decision's round trip (and connecting) unless the
	// URL sets its own timeouts. 0: 500 milliseconds.
	Timeout time.Duration
}

// Redis is a Store shared by every gateway node that uses the same Redis.
// It is safe for concurrent use and starts no goroutines of its own (the
// go-redis client's are stopped by Close). While Redis is unreachable it
// decides with local counters (or fails, when FailClosed), logs the outage
// once, counts the decisions it made locally, and tries Redis again at
// most every ProbeEvery, from the request path.
type Redis struct {
	client     redis.UniversalClient
	local      *Memory
	log        *slog.Logger
	now        func() time.Time
	serverTime bool
	prefix     string
	failClosed bool
	probeEvery time.Duration
	leases     leases
	roundTrips atomic.Uint64 // decisions sent to Redis
	timeout    time.Duration
	down       atomic.Bool
	nextProbe  atomic.Int64 // unix nanoseconds
	fallbacks  atomic.Uint64
	outages    atomic.Uint64
	failover   failover // counts carried across outages
}

var _ Store = (*Redis)(nil)

// NewRedis returns a Redis store for opts.URL. It does not connect: the
// first Take does. Close releases the client.
func NewRedis(opts RedisOptions) (*Redis, error) {
	r := &Redis{log: opts.Logger, now: opts.Now, prefix: opts.Prefix, failClosed: opts.FailClosed,
		probeEvery: opts.ProbeEvery, timeout: opts.Timeout}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.now == nil {
		r.now, r.serverTime = time.Now, true
	}
	if r.prefix == "" {
		r.prefix = "gatehouse:limits:"
	}
	if r.probeEvery <= 0 {
		r.probeEvery = 2 * time.Second
	}
	if r.timeout <= 0 {
		r.timeout = 500 * time.Millisecond
	}
	client, err := NewClient(opts.URL, r.timeout)
	if err != nil {
		return nil, err
	}
	r.client = client
	r.local = NewMemory(r.now)
	return r, nil
}

// NewClient returns a go-redis client for rawURL (see RedisOptions.URL).
// timeout is used for connecting, reading and writing unless the URL sets
// them; commands are not retried unless the URL sets max_retries.
func NewClient(rawURL string, timeout time.Duration) (redis.UniversalClient, error) {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return nil, fmt.Errorf("redis URL %q: want redis://, rediss://, redis+sentinel:// or redis+cluster://", rawURL)
	}
	base, mode, _ := strings.Cut(strings.ToLower(scheme), "+")
	if base != "redis" && base != "rediss" {
		return nil, fmt.Errorf("redis URL: scheme %q: want redis or rediss, optionally +sentinel or +cluster", scheme)
	}
	u := base + "://" + rest
	retries := strings.Contains(rest, "max_retries=")
	switch {
	case mode == "cluster":
		o, err := redis.ParseClusterURL(u)
		if err != nil {
			return nil, fmt.Errorf("redis cluster URL: %w", err)
		}
		setTimeouts(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.MaxRetries, timeout, retries)
		return redis.NewClusterClient(o), nil
	case mode == "sentinel" || strings.Contains(rest, "master_name="):
		o, err := redis.ParseFailoverURL(u)
		if err != nil {
			return nil, fmt.Errorf("redis sentinel URL: %w", err)
		}
		setTimeouts(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.MaxRetries, timeout, retries)
		return redis.NewFailoverClient(o), nil
	case mode == "":
		o, err := redis.ParseURL(u)
		if err != nil {
			return nil, fmt.Errorf("redis URL: %w", err)
		}
		setTimeouts(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.MaxRetries, timeout, retries)
		if o.DialerRetries == 0 {
			o.DialerRetries = 1 // fail fast: an unreachable Redis is handled by falling back
		}
		return redis.NewClient(o), nil
	}
	return nil, fmt.Errorf("redis URL: scheme %q: want +sentinel or +cluster", scheme)
}

func setTimeouts(dial, read, write *time.Duration, maxRetries *int, timeout time.Duration, retries bool) {
	for _, d := range []*time.Duration{dial, read, write} {
		if *d == 0 {
			*d = timeout
		}
	}
	if !retries {
		*maxRetries = -1
	}
}

// Close releases the Redis client.
func (r *Redis) Close() error { return r.client.Close() }

// Fallbacks returns how many decisions were made with local counters
// because Redis was unreachable (or refused, when FailClosed).
func (r *Redis) Fallbacks() uint64 { return r.fallbacks.Load() }

// Outages returns how many times Redis became unreachable.
func (r *Redis) Outages() uint64 { return r.outages.Load() }

// Reachable reports whether the last attempt to use Redis succeeded.
func (r *Redis) Reachable() bool { return !r.down.Load() }

// Take implements Store.
func (r *Redis) Take(ctx context.Context, group string, cs []Counter) ([]Decision, error) {
	if err := validate(cs); err != nil {
		return nil, err
	}
	now := r.now()
	if r.down.Load() {
		np := r.nextProbe.Load()
		if now.UnixNano() < np || !r.nextProbe.CompareAndSwap(np, now.Add(r.probeEvery).UnixNano()) {
			return r.fallback(ctx, group, cs, errors.New("not probing yet"))
		}
		// This request probes Redis: first carry over what was counted
		// during the outage, so that its decision sees it.
		if !r.failClosed {
			if err := r.resync(ctx, now); err != nil {
				return r.fallback(ctx, group, cs, err)
			}
		}
	}
	var ds []Decision
	var err error
	handled := false
	if !r.down.Load() {
		ds, handled, err = r.leased(ctx, group, cs, now)
	}
	if !handled {
		ds, err = r.eval(ctx, group, cs, now)
	}
	if err == nil {
		if r.down.CompareAndSwap(true, false) {
			r.log.Info("redis reachable again; limits are shared across nodes")
		}
		return ds, nil
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("limits: %w", ctx.Err())
	}
	var re redis.Error
	if errors.As(err, &re) && !isDown(err) {
		return nil, fmt.Errorf("limits script: %w", err)
	}
	if r.down.CompareAndSwap(false, true) {
		r.outages.Add(1)
		r.nextProbe.Store(now.Add(r.probeEvery).UnixNano())
		mode := "counting locally on each node (fail-open)"
		if r.failClosed {
			mode = "refusing limited requests (fail-closed)"
		}
		r.log.Warn("redis unreachable; "+mode, "err", err)
	}
	return r.fallback(ctx, group, cs, err)
}

// isDown reports whether a Redis error reply means the server cannot
// serve now (loading, read-only replica, cluster down).
func isDown(err error) bool {
	s := err.Error()
	for _, p := range []string{"LOADING", "READONLY", "CLUSTERDOWN", "MASTERDOWN", "TRYAGAIN"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// fallback decides without Redis.
func (r *Redis) fallback(ctx context.Context, group string, cs []Counter, cause error) ([]Decision, error) {
	r.fallbacks.Add(1)
	if r.failClosed {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, cause)
	}
	now := r.now()
	r.failover.seed(r.local, group, cs, now)
	ds, err := r.local.Take(ctx, group, cs)
	if err == nil && Allowed(ds) {
		r.failover.admitted(group, cs, now)
	}
	return ds, err
}

// scriptCall starts the keys and arguments of a script over n counters
// of group: the time argument (0: the Redis server's clock) and the
// prefix of the group's keys, which keeps them in one Cluster slot.
func (r *Redis) scriptCall(group string, n int, now time.Time) (keys []string, args []any, base string) {
	ms := now.UnixMilli()
	if r.serverTime {
		ms = 0
	}
	keys = make([]string, 0, 2*n)
	args = append(make([]any, 0, 1+4*n), ms)
	return keys, args, r.prefix + "{" + group + "}:"
}

// eval runs takeScript for cs: one round trip.
func (r *Redis) eval(ctx context.Context, group string, cs []Counter, now time.Time) ([]Decision, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	keys, args, base := r.scriptCall(group, len(cs), now)
	for _, c := range cs {
		k := base + c.Key
		period := c.Period.Milliseconds()
		fixed := "0"
		if c.Fixed {
			idx, end := windowOf(c, now)
			k += ":" + strconv.FormatInt(idx, 10)
			period, fixed = max(end.Sub(now).Milliseconds(), 1), "1"
			if c.Overdraw {
				fixed = "2"
			}
		}
		keys = append(keys, k, k+":seq")
		args = append(args, fixed, c.Limit, max(period, 1), c.N)
	}
	r.roundTrips.Add(1)
	res, err := takeScript.Run(ctx, r.client, keys, args...).Int64Slice()
	if err != nil {
		return nil, err
	}
	if len(res) != 3*len(cs) {
		return nil, fmt.Errorf("limits script: %d values for %d counters", len(res), len(cs))
	}
	ds := make([]Decision, len(cs))
	for i := range ds {
		ds[i] = Decision{Allowed: res[3*i] == 1, Remaining: res[3*i+1], RetryAfter: time.Duration(res[3*i+2]) * time.Millisecond}
	}
	if !r.failClosed {
		r.failover.observe(group, cs, ds, now)
	}
	return ds, nil
}
