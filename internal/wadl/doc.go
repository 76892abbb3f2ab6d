// Package wadl reads a WADL document (Web Application Description
// Language, W3C member submission 2009) into the operations of an http
// API, as Azure API Management imports the wadl-xml and wadl-link-json
// formats: one operation per method of every resource, its URL template
// the resources' joined paths, its template, query and header parameters
// and its request and response representations. It sits beside the
// management API in the data flow, as packages openapi and wsdl do: the
// management plane, the CLI and APIOps folders call it before writing to
// the store. Its functions perform no I/O and are safe for concurrent use.
// It uses encoding/xml and follows no links (include, external method
// references and resource types are refused, naming the element).
package wadl
