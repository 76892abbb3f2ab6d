// Package urlpath resolves the dot segments of URL paths and refuses the
// paths that could reach somewhere other than where they appear to point:
// encoded slashes and backslashes, backslashes, control characters, and
// dot segments that climb above the root. The gateway cleans every request
// path with it before routing, and the policies that build backend URLs
// (rewrite-uri, set-backend-service) clean what they build, so a backend
// always receives a path under its service URL. It is pure: no I/O, no
// state.
package urlpath
