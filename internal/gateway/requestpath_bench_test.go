package gateway

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/policy/builtin"
)

// BenchmarkEventPut is log-to-eventhub's cost on the request path once
// the message is made: one non-blocking queue send (the queue drained
// by a sender that discards).
func BenchmarkEventPut(b *testing.B) {
	ss := newSinks("", io.Discard, slog.New(slog.DiscardHandler))
	es := &eventSender{name: "bench", queue: make(chan queuedEvent, eventQueue), stop: make(chan struct{}), done: make(chan struct{}),
		log: slog.New(slog.DiscardHandler), dropped: ss.dropped.WithLabelValues("bench"), written: ss.written.WithLabelValues("bench"),
		deliver: func(context.Context, []queuedEvent) error { return nil }}
	go es.run()
	defer func() { close(es.stop); <-es.done }()
	e := builtin.Event{Logger: "bench", Message: "GET /orders/42 200"}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			es.put(e)
		}
	})
}

// BenchmarkCachedToken is get-authorization-context's cost once the
// token is cached: two atomic loads and a clock read.
func BenchmarkCachedToken(b *testing.B) {
	ts := &tokenSource{now: time.Now}
	ts.cur.Store(&cachedToken{auth: builtin.NewAuthorization("t", nil), refreshAt: time.Now().Add(time.Hour), expires: time.Now().Add(time.Hour)})
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := ts.get(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
