package expr

import (
	"net/url"
	"reflect"
	"testing"
)

// TestURLRawQuery: a query given with SetRawQuery or SetRawQueryWithout
// reads as url.ParseQuery parses it (less the parameter left out), is
// parsed once, and stays pending until read or replaced.
func TestURLRawQuery(t *testing.T) {
	for _, raw := range []string{"", "a=1&b=2&a=3", "k=x&a=1", "=x&a", "a=%zz&b=1", "a;b=1&c=2"} {
		want, err := url.ParseQuery(raw)
		var u URL
		u.SetRawQuery(raw)
		if u.Query != nil {
			t.Errorf("%q: Query %v before it was read, want nil", raw, u.Query)
		}
		if got := u.QueryValues(); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: QueryValues = %v, want %v", raw, got, want)
		}
		if u.QueryValid() != (err == nil) {
			t.Errorf("%q: QueryValid = %v, want %v", raw, u.QueryValid(), err == nil)
		}
		u.QueryValues().Set("changed", "1")
		if u.QueryValues().Get("changed") != "1" {
			t.Errorf("%q: a change to QueryValues did not stay", raw)
		}
		for _, omit := range []string{"k", ""} {
			var w URL
			w.SetRawQueryWithout(raw, omit)
			if !w.QueryPendingWithout(raw, omit) || w.QueryPendingWithout(raw, omit+"x") || w.QueryPendingWithout(raw+"&", omit) {
				t.Errorf("%q without %q: QueryPendingWithout wrong before a read", raw, omit)
			}
			want, _ := url.ParseQuery(raw)
			want.Del(omit)
			if got := w.QueryValues(); !reflect.DeepEqual(got, want) {
				t.Errorf("%q without %q: QueryValues = %v, want %v", raw, omit, got, want)
			}
			if w.QueryPendingWithout(raw, omit) {
				t.Errorf("%q without %q: still pending once read", raw, omit)
			}
		}
	}
	var u URL
	u.SetRawQueryWithout("a=1", "k")
	q := url.Values{"b": {"2"}}
	u.SetQuery(q)
	if u.QueryPendingWithout("a=1", "k") || !reflect.DeepEqual(u.QueryValues(), q) || !u.QueryValid() {
		t.Errorf("SetQuery: %v pending %v, want %v", u.QueryValues(), u.QueryPendingWithout("a=1", "k"), q)
	}
	if got := (&URL{Scheme: "http", Host: "h", Path: "/p", lazy: lazyQuery{}}).String(); got != "http://h/p" {
		t.Errorf("String without a query = %q", got)
	}
	u = URL{Scheme: "http", Host: "h", Path: "/p"}
	u.SetRawQuery("b=2&a=1")
	if got := u.String(); got != "http://h/p?a=1&b=2" {
		t.Errorf("String with a pending query = %q, want the query parsed and encoded", got)
	}
}

// countingSource is a ParameterSource that counts its calls.
type countingSource struct{ calls int }

func (s *countingSource) Params(path string) map[string]string {
	s.calls++
	if path == "/nomatch" {
		return nil
	}
	return map[string]string{"id": path[1:]}
}

// TestRequestParameters: parameters given with SetParameters are worked
// out once, on the first read, and MatchedParameters set directly read
// as they are.
func TestRequestParameters(t *testing.T) {
	src := &countingSource{}
	var r Request
	r.SetParameters(src, "/42")
	if src.calls != 0 || r.MatchedParameters != nil {
		t.Fatalf("worked out before a read: %d calls, %v", src.calls, r.MatchedParameters)
	}
	for range 2 {
		if got := r.Parameters(); !reflect.DeepEqual(got, map[string]string{"id": "42"}) {
			t.Errorf("Parameters = %v", got)
		}
	}
	if src.calls != 1 {
		t.Errorf("Params called %d times, want 1", src.calls)
	}
	r.SetParameters(src, "/nomatch")
	if got := r.Parameters(); got != nil {
		t.Errorf("Parameters for a path that does not match = %v, want nil", got)
	}
	direct := Request{MatchedParameters: map[string]string{"a": "b"}}
	if got := direct.Parameters(); !reflect.DeepEqual(got, direct.MatchedParameters) {
		t.Errorf("Parameters = %v, want the MatchedParameters set", got)
	}
}
