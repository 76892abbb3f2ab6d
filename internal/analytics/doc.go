// Package analytics exposes what the gateway measures about itself as
// Prometheus metrics: the Go runtime and process, and the health of the
// Redis that shares rate-limit counters and the cache between gateway
// nodes. Metrics are read from the stores' own counters when scraped, so
// the request path does no extra work for them.
package analytics
