package analytics

import (
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Redis is the health of a store kept in Redis (limits.Redis,
// cache.Redis).
type Redis interface {
	// Reachable reports whether the last attempt to use Redis succeeded.
	Reachable() bool
	// Outages returns how many times Redis became unreachable.
	Outages() uint64
}

// LocalDecisions is a limits store that can decide locally while Redis
// is unreachable.
type LocalDecisions interface {
	// Fallbacks returns how many decisions were made without Redis.
	Fallbacks() uint64
}

// NewRegistry returns a registry with the Go runtime and process
// collectors.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// RegisterRedis adds the metrics of a Redis-backed store named store
// ("limits" or "cache"): gatehouse_redis_up, gatehouse_redis_outages_total
// and, for a store that decides locally meanwhile,
// gatehouse_limits_local_decisions_total.
func RegisterRedis(reg prometheus.Registerer, store string, r Redis) error {
	labels := prometheus.Labels{"store": store}
	cs := []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "gatehouse_redis_up", ConstLabels: labels,
			Help: "1 when the last use of Redis by this store succeeded, 0 while it is unreachable.",
		}, func() float64 {
			if r.Reachable() {
				return 1
			}
			return 0
		}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "gatehouse_redis_outages_total", ConstLabels: labels,
			Help: "How many times Redis became unreachable for this store.",
		}, func() float64 { return float64(r.Outages()) }),
	}
	if l, ok := r.(LocalDecisions); ok {
		cs = append(cs, prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "gatehouse_limits_local_decisions_total",
			Help: "Rate-limit and quota decisions made on this node alone (or refused, when fail-closed) because Redis was unreachable.",
		}, func() float64 { return float64(l.Fallbacks()) }))
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("metrics of the %s store: %w", store, err)
		}
	}
	return nil
}

// Handler serves reg's metrics in Prometheus's text format.
func Handler(reg *prometheus.Registry) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux
}
