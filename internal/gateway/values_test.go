package gateway

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// FuzzForwardQuery: forwardQuery, which skips parsing the client's
// query again when the policies left it alone, returns what backendQuery
// returns for the query without the subscription key, whether the
// policies removed the key parameter, kept it or changed another.
func FuzzForwardQuery(f *testing.F) {
	for _, q := range []string{"", "x=1", "a=1&subscription-key=k&b=%2F", "subscription-key=k", "subscription%2Dkey=k&a=1",
		"a=1&a=2&b", "a=%zz", "a;b=1", "&&a=+%20"} {
		f.Add(q, "subscription-key")
	}
	f.Fuzz(func(t *testing.T, raw, key string) {
		orig, err := url.ParseQuery(raw)
		sent := raw
		if raw != "" && strings.Contains(raw, key) {
			sent = removeQueryParam(raw, key)
		}
		without := cloneValues(orig)
		without.Del(key)
		changed := cloneValues(without)
		changed.Set("changed", "1")
		for _, q := range []url.Values{without, orig, changed} {
			want := backendQuery(sent, q)
			if got := forwardQuery(raw, key, orig, err == nil, cloneValues(q)); got != want {
				t.Errorf("query %q, key %q, policies' query %v: forwardQuery gives %q, backendQuery %q", raw, key, q, got, want)
			}
		}
	})
}

func TestSameValuesExcept(t *testing.T) {
	a := url.Values{"a": {"1"}, "b": {"2", "3"}, "key": {"k"}}
	tests := []struct {
		name string
		b    url.Values
		want bool
	}{
		{name: "without the key", b: url.Values{"a": {"1"}, "b": {"2", "3"}}, want: true},
		{name: "with the key", b: url.Values{"a": {"1"}, "b": {"2", "3"}, "key": {"k"}}},
		{name: "a value changed", b: url.Values{"a": {"1"}, "b": {"3", "2"}}},
		{name: "one replaced", b: url.Values{"a": {"1"}, "c": {"2", "3"}}},
		{name: "one removed", b: url.Values{"a": {"1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := sameValuesExcept(a, tt.b, "key"); got != tt.want {
				t.Errorf("sameValuesExcept(%v, %v) = %v, want %v", a, tt.b, got, tt.want)
			}
		})
	}
}

// TestEndToEnd: endToEnd copies what http.Header.Clone copies, less the
// hop-by-hop fields and the one skipped, and the copy is the copy's own.
func TestEndToEnd(t *testing.T) {
	h := http.Header{"A": {"1", "2"}, "B": nil, "C": {}, "Key": {"k"}}
	want := h.Clone()
	delete(want, "Key")
	for _, k := range hopHeaders {
		if !isHopHeader(k) {
			t.Errorf("isHopHeader(%q) = false", k)
		}
		h[k] = []string{"hop"}
	}
	if isHopHeader("X-Other") {
		t.Error(`isHopHeader("X-Other") = true`)
	}
	for _, spare := range [][]string{nil, make([]string, 32)} { // too small, or holding the values
		got := endToEnd(h, "Key", 4, spare)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("endToEnd = %#v, want %#v", got, want)
		}
		got["A"] = append(got["A"], "3")
		got["C"] = append(got["C"], "x")
		if len(h["A"]) != 2 || len(h["C"]) != 0 {
			t.Errorf("changing the copy changed the original: %v", h)
		}
		for _, v := range spare {
			if v == "3" || v == "x" {
				t.Errorf("an append to one value wrote into spare: %q", spare)
			}
		}
	}
	if got := endToEnd(nil, "", 2, nil); got == nil || len(got) != 0 {
		t.Errorf("endToEnd(nil) = %#v, want an empty header", got)
	}
}

// cloneValues returns a deep copy of v in two allocations (the map and
// one array behind all the values), as http.Header.Clone copies headers.
// A nil v gives an empty, non-nil copy, as url.ParseQuery would: the
// policies' view of a query before it was parsed lazily.
func cloneValues(v url.Values) url.Values {
	n := 0
	for _, vs := range v {
		n += len(vs)
	}
	all := make([]string, n)
	out := make(url.Values, len(v))
	for k, vs := range v {
		if vs == nil {
			out[k] = nil
			continue
		}
		n := copy(all, vs)
		out[k] = all[:n:n]
		all = all[n:]
	}
	return out
}
