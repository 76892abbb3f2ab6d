// Package query reads the GraphQL requests that reach a GraphQL API:
// the request's query (a JSON body, an application/graphql body or GET's
// query string), parsed with github.com/vektah/gqlparser/v2 and, when the
// API has a schema, validated against it; the operation's depth and
// fields; and the removal of fields, for validate-graphql-request. A
// Schema is parsed once, when a policy is compiled; the rest runs per
// request. It imports nothing of Gatehouse, performs no I/O and is safe
// for concurrent use (a Document belongs to one request).
package query
