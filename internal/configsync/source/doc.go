// Package source builds gateways' snapshots from the store and follows
// the store's changes. It is the management plane's side of
// configuration sync; self-hosted gateways never link it, and so link no
// store.
package source
