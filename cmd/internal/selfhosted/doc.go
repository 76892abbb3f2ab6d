// Package selfhosted runs a self-hosted gateway: the gateway Server fed by
// a configsync Client instead of a local store. It is the whole of the
// `gatehouse gateway` command and of the lean gatehouse-gateway binary,
// which links no store, SQL driver or management code.
package selfhosted
