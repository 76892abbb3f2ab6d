package selfhosted

import (
	"log/slog"
	"time"

	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/internal/gateway"
)

// GatewaySettings are the settings of a gateway's request path, shared by
// `gatehouse serve` (its embedded gateway) and `gatehouse gateway`.
type GatewaySettings struct {
	BackendTimeout time.Duration
	AccessLog      bool
	// Redis is the URL of the Redis keeping rate-limit and quota counters
	// and the cache, shared by gateway nodes; empty: in memory.
	Redis string
	// RedisFailOpen counts locally while Redis is unreachable.
	RedisFailOpen bool
	// TrustedProxies are proxies whose X-Forwarded-For is believed.
	TrustedProxies []string
}

// AddFlags defines the settings' flags, with their defaults, on f.
func (g *GatewaySettings) AddFlags(f *pflag.FlagSet) {
	f.DurationVar(&g.BackendTimeout, "backend-timeout", 300*time.Second, "longest wait for a backend's response headers")
	f.BoolVar(&g.AccessLog, "access-log", true, "log one line per gateway request")
	f.StringVar(&g.Redis, "redis", "", "Redis URL for rate-limit and quota counters and the cache, shared by gateway nodes (redis://, rediss://, redis+sentinel://, redis+cluster://); empty: in memory")
	f.BoolVar(&g.RedisFailOpen, "redis-fail-open", true, "while Redis is unreachable, count limits locally; false: fail limited requests")
	f.StringSliceVar(&g.TrustedProxies, "trusted-proxies", nil, "addresses or CIDR ranges of proxies in front of the gateway whose X-Forwarded-For is believed (comma-separated)")
}

// NewServer returns the gateway Server the settings describe; the caller
// closes it.
func (g GatewaySettings) NewServer(log *slog.Logger) (*gateway.Server, error) {
	trusted, err := gateway.ParsePrefixes(g.TrustedProxies)
	if err != nil {
		return nil, err
	}
	opts := gateway.Options{Logger: log, BackendTimeout: g.BackendTimeout, Redis: g.Redis, RedisFailClosed: !g.RedisFailOpen,
		TrustedProxies: trusted}
	if g.AccessLog {
		opts.AccessLog = log.With("log", "access")
	}
	return gateway.NewServer(opts), nil
}
