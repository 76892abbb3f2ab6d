// Package secret seals secrets at rest (the store's secret fields and a
// self-hosted gateway's backup file) with AES-256-GCM, and makes and keeps
// the keys and tokens a process generates on first start.
package secret
