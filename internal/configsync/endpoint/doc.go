// Package endpoint is the configuration endpoint of the management plane,
// mounted under /configuration/ on the management address. It
// authenticates self-hosted gateways (GatewayKey tokens, or workload
// identity JWTs verified against the issuer's OIDC discovery document and
// JWKS), answers their long polls with snapshots built from the store, and
// keeps their heartbeats for the gateway status. Gateways use
// configsync.Client; this package is kept apart so that the gateway
// binary links no store.
package endpoint
