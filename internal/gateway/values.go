package gateway

import "net/http"

// endToEnd returns a deep copy of h, as http.Header.Clone makes it,
// without the hop-by-hop fields (hopHeaders) and the field skip (""
// none), and with room for extra more fields: adding them does not grow
// the map. A nil h gives an empty, non-nil copy. The values go into
// spare, which must be zero and used by nothing else, when they fit.
func endToEnd(h http.Header, skip string, extra int, spare []string) http.Header {
	n := 0
	for _, vs := range h {
		n += len(vs)
	}
	var all []string
	if n <= len(spare) {
		all = spare[:n]
	} else {
		all = make([]string, n)
	}
	out := make(http.Header, len(h)+extra)
	for k, vs := range h {
		if k == skip || isHopHeader(k) {
			continue
		}
		if vs == nil {
			out[k] = nil // as Clone: a nil value stays nil
			continue
		}
		n := copy(all, vs)
		out[k] = all[:n:n]
		all = all[n:]
	}
	return out
}

// isHopHeader reports whether k is one of hopHeaders.
func isHopHeader(k string) bool {
	switch k {
	case "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade":
		return true
	}
	return false
}
