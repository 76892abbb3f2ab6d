// Package control holds the management rules that every way of changing
// the configuration shares: the management API today, the developer
// portal, the admin console and RBAC next. Its Service takes each call
// with the Principal that makes it, authorises it, runs it in one store
// transaction with the validation and cascades of the kinds it touches
// (unique paths and emails, subscription scopes and keys, certificate
// material, what deleting an API or product takes along), and refuses a
// write that would stop an API from compiling on its gateways. It decides
// with package compile, the compiler the gateways run, so a change the
// management plane accepts is one every gateway can run. Adapters map
// requests to calls and refusals (*Error, *PolicyError, *RefusedError) to
// answers, and hold no rules of their own.
package control
