package mgmt

import (
	"net/http"
	"strings"
)

// routeMethods are the methods the management API's routes use, in the
// order an Allow header lists them.
var routeMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// unrouted answers a request that no route takes: 405 with Allow when the
// path has routes for other methods, else 404.
func (s *Server) unrouted(w http.ResponseWriter, r *http.Request) {
	if allow := s.allowed(r); len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		s.adapt(func(*http.Request) (response, error) {
			return response{}, errorf(http.StatusMethodNotAllowed, "MethodNotAllowed",
				r.URL.Path+" does not take "+r.Method+"; it takes "+strings.Join(allow, ", ")+".")
		})(w, r)
		return
	}
	s.adapt(func(*http.Request) (response, error) {
		return response{}, errorf(http.StatusNotFound, "NotFound",
			"There is no "+r.Method+" "+r.URL.Path+" in the management API; GET /mgmt/openapi.json lists what there is.")
	})(w, r)
}

// allowed returns the methods that have a route for r's path.
func (s *Server) allowed(r *http.Request) []string {
	var allow []string
	for _, m := range routeMethods {
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
		if _, pattern := s.mux.Handler(probe); pattern != "" && pattern != "/mgmt/" {
			allow = append(allow, m)
		}
	}
	return allow
}
