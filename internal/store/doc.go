// Package store persists Gatehouse's configuration. It sits between the
// management API, which writes resources in transactions, and the snapshot
// builder, which reads them whenever the configuration version moves.
//
// Implementations live in the sqlite (embedded default) and postgres
// subpackages; both are built on sqlstore and pass the conformance suite in
// storetest. Every committed write bumps one monotonic configuration version
// and wakes the callers of Wait. Resource secrets (subscription keys,
// named-value secrets, password hashes) are encrypted at rest with a Sealer.
package store
