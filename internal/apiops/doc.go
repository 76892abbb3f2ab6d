// Package apiops reads and writes Gatehouse's configuration as a folder in
// APIOps's extracted-artifact layout (apis/<name>/apiInformation.json and
// specification.yaml|json|wsdl|graphql|wadl, the API's schemas in
// apis/<name>/schemas/<id>/apiSchemaInformation.json,
// products/<name>/productInformation.json with
// its apis/ and groups/ link folders, groups/, "named values/", backends/,
// gateways/, "version sets/", loggers/, diagnostics/ and
// apis/<name>/diagnostics/, policy.xml at every scope and "policy
// fragments/"; older layouts too), with the publisher's per-environment
// configuration file, and plans and applies the changes that make a
// management plane equal to a folder, in one batch: all or nothing.
//
// The package is a client of the management plane: it reads the current
// state and writes changes through internal/mgmtclient, so it works the
// same against a local or a remote Gatehouse, and every write is validated
// by the management API (apply sends one POST /mgmt/batch); policies and fragments are also compiled before
// the first write, with the code the management API uses. Parts of a
// folder that Gatehouse does not support yet (loggers of APIM's types
// and the diagnostics that name them, releases, unknown properties, ...)
// are listed, never silently dropped.
// An API's revisions are folders of their own, "apis/echo;rev=2", as
// APIOps writes them.
package apiops
