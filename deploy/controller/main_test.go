package controller_test

import (
	"net/http"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run when a goroutine the controller started (an
// informer, a worker, the event broadcaster) outlives its Run.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.Cleanup(func(int) { http.DefaultClient.CloseIdleConnections() }),
		// klog's flush daemon is started by client-go's init, once per process.
		goleak.IgnoreTopFunction("k8s.io/klog/v2.(*flushDaemon).run.func1"),
	)
}
