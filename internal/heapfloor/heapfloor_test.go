package heapfloor

import (
	"runtime"
	"runtime/metrics"
	"testing"
)

func TestPercent(t *testing.T) {
	const mib = 1 << 20
	for _, tc := range []struct {
		live, floor uint64
		want        int
	}{
		{4 * mib, 32 * mib, 700},     // goal 32 MiB
		{3 * mib, 32 * mib, 960},     // 966 rounded down to a tenth
		{300 << 10, 32 * mib, 10800}, // 10822 rounded to a hundred
		{16 * mib, 32 * mib, 100},    // GOGC=100 reaches the floor
		{200 * mib, 32 * mib, 100},   // a large heap keeps the default
		{0, 32 * mib, 100},           // no collection yet: the default
		{1, 32 * mib, 1 << 30},       // bounded
	} {
		if got := Percent(tc.live, tc.floor); got != tc.want {
			t.Errorf("Percent(%d, %d) = %d, want %d", tc.live, tc.floor, got, tc.want)
		}
	}
}

// gogc reads the runtime's current GC percentage.
func gogc() uint64 {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestStartRaisesThePercentageAfterCollections: with a floor far above
// the test's live heap, the percentage rises after a collection and is
// back at 100 once stopped.
func TestStartRaisesThePercentageAfterCollections(t *testing.T) {
	stop := Start(1 << 30)
	for i := 0; gogc() <= basePercent; i++ {
		if i == 1000 {
			t.Fatalf("GC percentage still %d after %d collections", gogc(), i)
		}
		runtime.GC() // the finalizer runs after it, on its own goroutine
		runtime.Gosched()
	}
	stop()
	if p := gogc(); p != basePercent {
		t.Errorf("GC percentage %d after stop, want %d", p, basePercent)
	}
}
