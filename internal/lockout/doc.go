// Package lockout slows down whoever keeps failing authentication without
// refusing anyone who authenticates. Failures are counted per Key (the
// client's address and the identity its credential claims); once a key
// has failed more than the limit within the window, its further failures
// are answered 429 instead of 401, with Retry-After. Callers always check
// a credential before asking the Limiter, and a valid credential is always
// accepted, so a neighbour behind the same address cannot lock anyone
// out. The configuration endpoint, the management API and the gateway's
// subscription-key check use it.
package lockout
