package mgmt

import (
	"net"
	"net/http"
	"strconv"

	"github.com/gatehouse/gatehouse/internal/lockout"
)

// Failed token checks per address allowed within a minute before further
// ones are answered 429.
const maxTokenFailures = 10

// unauthorized answers a request without a valid bearer token: 401, or,
// when its address has presented more than maxTokenFailures wrong tokens
// within a minute, 429 with Retry-After. Requests without a token are not
// counted. The token is checked before this is called, so a valid one is
// always accepted, however many wrong ones come from the same address.
// A bearer token names no identity, so failures count per address.
func (s *Server) unauthorized(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "" {
		addr, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			addr = r.RemoteAddr
		}
		if retry, throttled := s.failures.Fail(lockout.KeyFor(addr, "")); throttled {
			w.Header().Set("Retry-After", strconv.Itoa(lockout.RetryAfter(retry)))
			s.adapt(func(*http.Request) (response, error) {
				return response{}, errorf(http.StatusTooManyRequests, "TooManyRequests",
					"Too many requests with a wrong token from this address; try again in "+strconv.Itoa(lockout.RetryAfter(retry))+" seconds.")
			})(w, r)
			return
		}
		s.log.Warn("management API token refused", "remote", addr, "path", r.URL.Path)
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="gatehouse"`)
	s.adapt(func(*http.Request) (response, error) {
		return response{}, errorf(http.StatusUnauthorized, "Unauthorized",
			"A valid bearer token is required: send Authorization: Bearer <token>.")
	})(w, r)
}
