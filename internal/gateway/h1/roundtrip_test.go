package h1

import (
	"bufio"
	"context"
	"net/http/httptrace"
	"net/url"
	"strings"
	"testing"
)

// keyContext answers ClientTraceKey with its trace.
type keyContext struct {
	context.Context
	t *httptrace.ClientTrace
}

func (c keyContext) Value(key any) any {
	if key == (ClientTraceKey{}) {
		return c.t
	}
	return c.Context.Value(key)
}

// TestClientTrace: RoundTrip's 1xx responses go to httptrace's trace of
// the request's context, else to the one under ClientTraceKey.
func TestClientTrace(t *testing.T) {
	own, keyed := &httptrace.ClientTrace{}, &httptrace.ClientTrace{}
	bg := context.Background()
	for _, tt := range []struct {
		name string
		ctx  context.Context
		want *httptrace.ClientTrace
	}{
		{"none", bg, nil},
		{"httptrace", httptrace.WithClientTrace(bg, own), own},
		{"key", keyContext{bg, keyed}, keyed},
		{"both", httptrace.WithClientTrace(keyContext{bg, keyed}, own), own},
	} {
		if got := clientTrace(tt.ctx); got != tt.want {
			t.Errorf("%s: clientTrace = %p, want %p", tt.name, got, tt.want)
		}
	}
}

// TestWriteRequestURI: writeRequestURI writes what url.URL.RequestURI
// returns.
func TestWriteRequestURI(t *testing.T) {
	for _, raw := range []string{"http://h", "http://h/", "http://h/a/b?x=1&y", "http://h/a%2Fb/c?q", "http://h/a b", "http://h/p?",
		"http://h?x=1", "http:opaque?q=1", "http://h/*"} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		for _, force := range []bool{false, true} {
			u.ForceQuery = force
			var b strings.Builder
			bw := bufio.NewWriter(&b)
			writeRequestURI(bw, u)
			bw.Flush()
			if got, want := b.String(), u.RequestURI(); got != want {
				t.Errorf("%q (ForceQuery %v): wrote %q, want %q", raw, force, got, want)
			}
		}
	}
	u := &url.URL{Scheme: "http", Opaque: "//h/p", RawQuery: "a=1"}
	var b strings.Builder
	bw := bufio.NewWriter(&b)
	writeRequestURI(bw, u)
	bw.Flush()
	if got, want := b.String(), u.RequestURI(); got != want {
		t.Errorf("opaque //: wrote %q, want %q", got, want)
	}
}
