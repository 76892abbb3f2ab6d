package endpoint

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/lockout"
)

// Failed authentications per (address, gateway) allowed within a minute
// before further ones are answered 429.
const maxFailures = 10

// refuse answers a request for gateway whose credential failed with
// reason: 401, or, when the request's address has failed more than
// maxFailures times within a minute with a credential for this gateway,
// 429 with Retry-After. Requests without a credential are not counted.
// Credentials are checked before this is called, so a valid one is always
// accepted: a neighbour behind the same address, or one failing for
// another gateway, slows nobody else down.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, addr, gateway string, reason error) {
	if r.Header.Get("Authorization") != "" {
		retry, throttled := s.failures.Fail(lockout.KeyFor(addr, strings.ToLower(gateway)))
		if throttled {
			s.log.Debug("gateway authentication failed again; throttled", "gateway", gateway, "remote", addr, "reason", reason)
			w.Header().Set("Retry-After", strconv.Itoa(lockout.RetryAfter(retry)))
			writeError(w, http.StatusTooManyRequests, "TooManyRequests",
				"Too many failed authentications for this gateway from this address; try again later.")
			return
		}
	}
	s.log.Warn("gateway authentication failed", "gateway", gateway, "remote", addr, "reason", reason)
	w.Header().Set("WWW-Authenticate", `GatewayKey, Bearer`)
	writeError(w, http.StatusUnauthorized, "Unauthorized",
		"The gateway could not be authenticated: its token is missing, malformed, expired, or not valid for this gateway.")
}
