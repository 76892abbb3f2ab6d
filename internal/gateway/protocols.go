package gateway

import (
	"net/http"
	"slices"
	"strings"
)

// onlyScheme returns the one scheme an API with protocols is served
// over, or "" when it is served over both (or protocols is empty).
func onlyScheme(protocols []string) string {
	http, https := slices.Contains(protocols, "http"), slices.Contains(protocols, "https")
	switch {
	case http && !https:
		return "http"
	case https && !http:
		return "https"
	}
	return ""
}

// scheme returns the scheme the client used: "https" over TLS, else
// "http"; behind a trusted proxy (Options.TrustedProxies), the first
// scheme of its X-Forwarded-Proto.
func (s *Server) scheme(r *http.Request) string {
	if len(s.trusted) > 0 && s.isTrusted(clientIP(r)) {
		proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
		if proto = strings.ToLower(strings.TrimSpace(proto)); proto == "http" || proto == "https" {
			return proto
		}
	}
	if r.TLS != nil {
		return "https"
	}
	return "http"
}
