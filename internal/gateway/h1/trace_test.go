package h1

import (
	"context"
	"net/http/httptrace"
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
