// Package snapshot defines the Snapshot, the plain, serialisable
// configuration of one gateway, and builds it from the store. The data flow
// is store → snapshot → gateway: the embedded gateway installs snapshots in
// process, and self-hosted gateways receive them over the configuration
// endpoint. A Snapshot never holds a plaintext subscription key, only
// SHA-256 digests.
package snapshot
