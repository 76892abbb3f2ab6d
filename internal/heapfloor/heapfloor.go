// Package heapfloor keeps the garbage collector's heap goal from falling
// below a floor.
//
// With GOGC at 100, the runtime collects once the heap has grown by as
// much as was live after the last collection. A gateway's live heap is
// small (a few MiB: its compiled configuration and its connections), and
// every request leaves a few KiB of garbage, so under load it collects
// tens of times a second and each collection marks the whole live heap
// again. Raising the percentage while the live heap is small spaces the
// collections out, and lowering it back as the live heap grows keeps a
// large configuration from doubling its memory: the goal is the larger
// of the floor and what GOGC=100 gives. This is the tuning that is
// otherwise done by hand with GOGC: when GOGC is set in the environment,
// the caller should leave the collector alone.
package heapfloor

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// basePercent is the GC percentage the heap goal never falls under: the
// runtime's default.
const basePercent = 100

// liveMetric is the heap marked live by the latest collection.
const liveMetric = "/gc/heap/live:bytes"

// Start keeps the heap goal at floor bytes or more until stop is called,
// which gives the runtime back its default percentage. A floor of 0
// does nothing.
func Start(floor uint64) (stop func()) {
	if floor == 0 {
		return func() {}
	}
	t := &tuner{floor: floor, percent: basePercent, sample: []metrics.Sample{{Name: liveMetric}}}
	t.adjust()
	t.arm()
	return func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		t.stopped.Store(true)
		debug.SetGCPercent(basePercent)
	}
}

// tuner sets the GC percentage after each collection.
type tuner struct {
	floor   uint64
	mu      sync.Mutex // held to set the percentage
	percent int        // the percentage set last
	sample  []metrics.Sample
	stopped atomic.Bool
}

// sentinel is garbage made for its finalizer, which runs once a
// collection has found it unreachable: after every collection, as each
// run makes the next one.
type sentinel struct{ t *tuner }

func (t *tuner) arm() {
	runtime.SetFinalizer(&sentinel{t}, func(s *sentinel) {
		if s.t.stopped.Load() {
			return
		}
		s.t.adjust()
		s.t.arm()
	})
}

// adjust sets the percentage for the live heap the latest collection
// found. The finalizer goroutine runs it, one call at a time.
func (t *tuner) adjust() {
	metrics.Read(t.sample)
	if t.sample[0].Value.Kind() != metrics.KindUint64 {
		return // a runtime without the metric: leave GOGC alone
	}
	p := Percent(t.sample[0].Value.Uint64(), t.floor)
	t.mu.Lock()
	defer t.mu.Unlock()
	if p != t.percent && !t.stopped.Load() {
		debug.SetGCPercent(p)
		t.percent = p
	}
}

// Percent returns the GC percentage whose heap goal, live × (1 +
// percent/100), is floor, rounded to a tenth to spare needless changes,
// and never under the runtime's default of 100. A live heap of 0 (no
// collection has run yet) gives 100.
func Percent(live, floor uint64) int {
	if live == 0 || live >= floor/2 {
		// Nothing live: no collection has run yet, and the percentage
		// waits for one (a huge one would let the heap grow unbounded).
		return basePercent
	}
	p := (floor - live) * 100 / live
	switch {
	case p >= 1000:
		p = p / 100 * 100
	case p >= 100:
		p = p / 10 * 10
	}
	return max(int(min(p, 1<<30)), basePercent)
}
