package mgmt

import (
	"errors"
	"io"
	"net/http"
	"os"
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

// clientBody is a request body whose read errors are the client's: a
// body over the limit, one that stalled past the listener's deadline,
// a client that went away, or malformed chunked encoding.
type clientBody struct{ io.ReadCloser }

func (b *clientBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = &bodyError{err}
	}
	return n, err
}

// bodyError is an error reading the request body.
type bodyError struct{ err error }

func (e *bodyError) Error() string { return "read the request body: " + e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }

// bodyAPIError is the answer to a request whose body could not be read.
func bodyAPIError(e *bodyError) *apiError {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(e, &mbe):
		return errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "The request body is larger than the limit.")
	case errors.Is(e, os.ErrDeadlineExceeded):
		return errorf(http.StatusRequestTimeout, "RequestTimeout", "The request body did not arrive in time.")
	}
	return errorf(http.StatusBadRequest, "InvalidRequestBody", "The request body could not be read: "+e.err.Error()+".")
}
