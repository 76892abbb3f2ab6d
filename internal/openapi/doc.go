// Package openapi converts between OpenAPI documents and Gatehouse's API
// and operation resources: Import turns a Swagger 2.0 or OpenAPI 3.0/3.1
// document (JSON or YAML) into API properties and operations, PlanOperations
// compares them with the operations an API has, and Export writes an
// OpenAPI document of an API, in the version the operations were imported
// in (see source.go for how that is remembered). Documents that bend the
// specification as Azure API Management accepts them are read with
// warnings (lenient.go).
//
// The package sits beside the management API in the data flow: the
// management API and the CLI call it to turn documents into resources
// before they are written to the store. Its functions perform no I/O of
// their own and are safe for concurrent use: external $refs are read only
// through the folder (an fs.FS) and the fetch function the caller gives
// in ImportOptions, and refused without them. Parsing and validation use
// github.com/getkin/kin-openapi.
package openapi
