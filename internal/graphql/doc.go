// Package graphql makes pass-through GraphQL APIs: Import checks a schema
// and returns the operations such an API has. It sits beside the
// management API in the data flow, as package openapi does: the management
// plane and APIOps folders call it before writing to the store. The schema
// is kept as text: the gateway forwards GraphQL requests as they are,
// and validate-graphql-request parses it, once per compile, with package
// query below. Its functions perform no I/O and are safe for concurrent use.
package graphql
