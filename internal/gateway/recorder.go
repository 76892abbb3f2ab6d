package gateway

import (
	"net/http"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// recorder wraps a ResponseWriter to learn the status, the size and when
// the backend's answer began. Recorders are pooled by the Server.
type recorder struct {
	http.ResponseWriter
	status       int
	bytes        int64
	start        time.Time
	backendStart time.Time
	backendDone  time.Time
	body         *clientBody // the request's body; nil: none
	span         trace.Span  // the request's server span; nil: not traced
	failure      error       // why the gateway failed the request, for the span and records; nil: it did not, or neither
	diag         bool        // the request may be recorded by a diagnostic: keep failure
}

func (rec *recorder) reset(w http.ResponseWriter) {
	*rec = recorder{ResponseWriter: w, start: time.Now()}
}

func (rec *recorder) WriteHeader(code int) {
	if rec.status == 0 && code >= 200 {
		rec.status = code
		if !rec.backendStart.IsZero() {
			rec.backendDone = time.Now()
		}
	}
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.WriteHeader(http.StatusOK)
	}
	n, err := rec.ResponseWriter.Write(b)
	rec.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach Flush and the deadlines.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }
