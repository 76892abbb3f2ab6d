package gateway

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gatehouse/gatehouse/internal/urlpath"
)

// msgBadPath answers a request whose path is refused by cleanPath.
const msgBadPath = "The request path is not valid: it has an encoded slash or backslash, a control character, or dot segments that leave the API's path."

// cleanPath makes r's path safe to route and forward, before anything
// else looks at it: dot segments ("." and "..", also written %2e) are
// resolved as RFC 3986 section 5.2.4 says, and r.URL.Path and RawPath are
// set to the result, so the router and the backend see the same path and
// a backend always gets a path under the API's service URL. Empty
// segments ("//") are kept, as APIM passes them through.
//
// It answers 400 and returns false when the path has an encoded slash or
// backslash (%2F, %5C), a backslash or a control character (such as %00),
// or when its dot segments climb above the root or out of the path of the
// API the request names: "/docs/a/../b" is served as "/docs/b", while
// "/docs/../x" is refused. A path that does not begin with '/' ("*") is
// left to the router, which answers 404.
func (s *Server) cleanPath(w http.ResponseWriter, r *http.Request, rt *Runtime) bool {
	raw := r.URL.EscapedPath()
	if raw == "" || raw[0] != '/' {
		return true
	}
	clean, err := urlpath.Clean(raw)
	if err == nil && clean == raw {
		return true // the common case: nothing to resolve, nothing allocated
	}
	var decoded string
	if err == nil {
		decoded, err = url.PathUnescape(clean)
	}
	if err == nil {
		if api, _, _ := rt.match(r.Method, r.URL.Path); api != nil && !withinAPI(decoded, api.path) {
			err = urlpath.ErrAboveRoot
		}
	}
	if err != nil {
		s.log.Debug("request path refused", "path", raw, "err", err)
		writeError(w, http.StatusBadRequest, msgBadPath)
		return false
	}
	r.URL.Path, r.URL.RawPath = decoded, clean
	if (&url.URL{Path: decoded}).EscapedPath() == clean {
		r.URL.RawPath = "" // the default encoding, as url.Parse leaves it
	}
	return true
}

// withinAPI reports whether the decoded path p lies within the path of an
// API (without its surrounding slashes; empty for the API at the root).
func withinAPI(p, apiPath string) bool {
	if apiPath == "" {
		return true
	}
	rest, ok := strings.CutPrefix(p, "/"+apiPath)
	return ok && (rest == "" || rest[0] == '/')
}
