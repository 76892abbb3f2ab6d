package h1

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when a goroutine outlives them: a
// Pool must start none of its own.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
