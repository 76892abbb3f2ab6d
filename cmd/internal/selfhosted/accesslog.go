package selfhosted

import (
	"io"
	"os"
	"time"

	"github.com/gatehouse/gatehouse/internal/cli"
)

// Access log batching: lines are written in batches of up to 64 KiB, at
// most 100 ms after they were logged.
const (
	accessLogBatch = 64 << 10
	accessLogDelay = 100 * time.Millisecond
)

// StartAccessLog sets AccessLogger, when the access log is on, to a
// logger in format writing to w in batches, so that a busy gateway does
// not make one system call per request; the returned function writes
// what is left and must run when the gateway has stopped.
func (g *GatewaySettings) StartAccessLog(w io.Writer, format string) (func() error, error) {
	if !g.AccessLog {
		return func() error { return nil }, nil
	}
	if w == nil {
		w = os.Stderr
	}
	format = cli.ResolveFormat(w, format)
	bw := cli.NewBufferedWriter(w, accessLogBatch, accessLogDelay)
	log, err := cli.NewLogger(bw, format, "info")
	if err != nil {
		return nil, err
	}
	g.AccessLogger = log
	return bw.Close, nil
}
