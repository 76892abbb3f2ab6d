package gateway

import (
	"net/url"
	"testing"
)

// TestPlainQueryNeedsNoParsing: for a plain query (see plainQuery) that
// no policy read, backendRawQuery sends what forwardQuery sends for the
// query parsed, as the policy context parsed it before it was lazy.
func TestPlainQueryNeedsNoParsing(t *testing.T) {
	raws := []string{"", "a=1", "a=1&k=s", "k=s", "k=s&k=t&a=1", "xk=1&a=2", "a=k", "k", "k=", "&&a=1&", "a=1&a=2&b",
		"=x&a=1", "a=%41&k=1", "a+b=1&k=2", "a;b=1&k=2", "k%3D1", "a=1&%6b=2"}
	for _, key := range []string{"k", "a b", ""} {
		for _, raw := range raws {
			orig, err := url.ParseQuery(raw)
			if raw == "" {
				orig = nil // as requestURL leaves a request without a query
			}
			q := cloneValues(orig)
			q.Del(key)
			want := forwardQuery(raw, key, orig, err == nil, q)
			if !plainQuery(raw) {
				continue
			}
			if got := withoutKeyParam(raw, key); got != want {
				t.Errorf("raw %q key %q: the plain query sends %q, forwardQuery %q", raw, key, got, want)
			}
		}
	}
	for raw, plain := range map[string]bool{"a=1&b=2": true, "": true, "a=%41": false, "a+b=1": false, "a;b": false} {
		if plainQuery(raw) != plain {
			t.Errorf("plainQuery(%q) = %v, want %v", raw, !plain, plain)
		}
	}
}
