// Package route parses APIM operation URL templates ("/users/{id}",
// "/files/*", "/reports/{year}.json") and matches request paths against
// them. Templates are parsed once, when a Runtime is compiled; matching
// allocates nothing.
package route
