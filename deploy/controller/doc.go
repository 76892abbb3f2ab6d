// Package controller publishes Kubernetes Services as Gatehouse APIs.
//
// It watches Services (and, optionally, Ingresses) annotated
// gatehouse.io/api with client-go informers and, for each, makes the management plane hold an API (its
// path, the Service's cluster address as service URL), its operations
// (imported from the OpenAPI document the Service serves, or one
// wildcard operation), a backend and the gateway links the annotations
// ask for. It talks to the management plane over HTTP only, with a bearer
// token, like any other client of the management API; the main module
// knows nothing of Kubernetes.
//
// Reconciling is level-based: a Service's key goes through a rate-limited
// work queue, and each pass compares what the management plane holds
// with what the Service asks for, writing only the difference. What the
// controller creates carries an owner mark in its description (see
// Mark); it deletes only what carries its own mark and never changes a
// resource that does not.
package controller
