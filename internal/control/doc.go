// Package control holds the management rules that every way of changing
// the configuration shares (the management API today; the portal, the
// console and RBAC next): a write that would stop an API from compiling
// on its gateways is refused, and what uses a resource can be listed.
// It decides with package compile, the compiler the gateways run, so a
// change the management plane accepts is one every gateway can run.
package control
