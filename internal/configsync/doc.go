// Package configsync moves configuration from the management plane to
// self-hosted gateways, and their heartbeats back.
//
// The Server is the configuration endpoint, mounted on the management
// address under /configuration/. A gateway authenticates with a GatewayKey
// token or a workload-identity JWT (verified against the issuer's OIDC
// discovery document and JWKS), then long-polls for its snapshot: the
// request returns as soon as the configuration version moves past the one
// the gateway has, so a change reaches every connected gateway within
// milliseconds. The Client is the gateway side: it installs each snapshot,
// keeps the last good one in a backup file, starts from that file when the
// management plane is away, and sends heartbeats.
package configsync
