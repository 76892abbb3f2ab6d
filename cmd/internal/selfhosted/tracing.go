package selfhosted

import (
	"context"
	"log/slog"
	"os"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/gatehouse/gatehouse/cmd/internal/tracing"
)

// StartTracing starts the tracer provider that the OTEL_* variables
// describe (docs/observability.md) for a process whose service.name is
// service unless OTEL_SERVICE_NAME says otherwise, and makes it the
// provider of the gateway's spans. It returns the provider (nil when
// tracing is off) and the function that sends the spans still buffered
// and stops it, waiting at most 5 seconds; call that once serving has
// stopped.
func (g *GatewaySettings) StartTracing(log *slog.Logger, service, version, instance string) (trace.TracerProvider, func(), error) {
	getenv := g.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	p, err := tracing.Start(tracing.Options{Getenv: getenv, ServiceName: service, Version: version, InstanceID: instance,
		Logger: log.With("component", "tracing")})
	if err != nil {
		return nil, nil, err
	}
	g.TracerProvider = p.TracerProvider()
	if g.TracerProvider != nil {
		log.Info("tracing", "endpoint", p.Endpoint, "protocol", p.Protocol)
	}
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := p.Shutdown(ctx); err != nil {
			log.Warn("tracing", "err", err)
		}
	}
	return g.TracerProvider, stop, nil
}
