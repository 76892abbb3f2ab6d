// Package compile is the one compiler of Gatehouse's configuration: it
// turns a gateway's snapshot into the policy pipelines of its APIs and a
// Report of every problem, each located by resource, element path, line
// and column. It does no I/O and keeps no state, so the management plane
// (to check a write against what gateways will run), `gatehouse policy
// check`, and every gateway call the same function and agree.
//
// An API with a problem anywhere in its effective policy (its global,
// product, API and operation documents and the fragments they include) is
// left out of the Result; the others compile regardless.
package compile
