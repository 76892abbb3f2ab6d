package builtin

import (
	"math"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Default bounds of a SemanticCache.
const (
	// DefaultSemanticEntries bounds the entries of all partitions.
	DefaultSemanticEntries = 10000
	// semanticBytes bounds the bytes of all entries (bodies, headers and
	// vectors, roughly).
	semanticBytes = 256 << 20
	// maxPartitionEntries bounds one partition: a lookup compares the
	// prompt with each of its entries.
	maxPartitionEntries = 1000
)

// SemanticCache keeps the responses that llm-semantic-cache-store
// stores, with the embedding of their prompts, for
// llm-semantic-cache-lookup: in memory, on this node. It must outlive
// configuration reloads. A lookup takes no lock: each partition is an
// immutable list behind an atomic pointer, replaced whole when an entry
// is added. It is safe for concurrent use; its zero value is not
// usable: use NewSemanticCache.
type SemanticCache struct {
	max   int64
	count atomic.Int64
	bytes atomic.Int64
	parts sync.Map // partition key → *partition
	now   func() time.Time
}

// NewSemanticCache returns an empty cache of at most maxEntries entries
// (0: DefaultSemanticEntries); now is the clock (nil: time.Now).
func NewSemanticCache(maxEntries int, now func() time.Time) *SemanticCache {
	if maxEntries <= 0 {
		maxEntries = DefaultSemanticEntries
	}
	if now == nil {
		now = time.Now
	}
	return &SemanticCache{max: int64(maxEntries), now: now}
}

// partition holds the entries of one partition key.
type partition struct {
	mu      sync.Mutex // serialises writers
	entries atomic.Pointer[[]*semanticEntry]
}

// semanticEntry is a stored response and its prompt's unit vector.
type semanticEntry struct {
	vec     []float32
	status  int
	header  http.Header
	body    []byte
	expires time.Time
}

// size is roughly the memory e holds.
func (e *semanticEntry) size() int64 {
	n := int64(len(e.body) + 4*len(e.vec) + 64)
	for k, vs := range e.header {
		n += int64(len(k))
		for _, v := range vs {
			n += int64(len(v))
		}
	}
	return n
}

// lookup returns the live entry of partition key closest to vec (a
// unit vector) and its cosine distance (1 - cosine similarity).
func (sc *SemanticCache) lookup(key string, vec []float32) (*semanticEntry, float64) {
	p, ok := sc.parts.Load(key)
	if !ok {
		return nil, 2
	}
	es := p.(*partition).entries.Load()
	if es == nil {
		return nil, 2
	}
	now := sc.now()
	var best *semanticEntry
	bestDist := 2.0
	for _, e := range *es {
		if len(e.vec) != len(vec) || !now.Before(e.expires) {
			continue
		}
		if d := 1 - dot(e.vec, vec); d < bestDist {
			best, bestDist = e, d
		}
	}
	return best, bestDist
}

// store adds e to partition key, dropping the partition's expired
// entries, and its oldest when it is full. A full cache stores nothing.
func (sc *SemanticCache) store(key string, e *semanticEntry) {
	v, _ := sc.parts.LoadOrStore(key, &partition{})
	p := v.(*partition)
	p.mu.Lock()
	defer p.mu.Unlock()
	var old []*semanticEntry
	if es := p.entries.Load(); es != nil {
		old = *es
	}
	now := sc.now()
	kept := make([]*semanticEntry, 0, min(len(old)+1, maxPartitionEntries))
	var freed int64
	for _, o := range old {
		if now.Before(o.expires) {
			kept = append(kept, o)
		} else {
			freed += o.size()
		}
	}
	if len(kept) >= maxPartitionEntries {
		for _, o := range kept[:len(kept)-maxPartitionEntries+1] {
			freed += o.size()
		}
		kept = kept[len(kept)-maxPartitionEntries+1:]
	}
	added := int64(len(kept)+1) - int64(len(old))
	grown := e.size() - freed
	if (added > 0 && sc.count.Load()+added > sc.max) || (grown > 0 && sc.bytes.Load()+grown > semanticBytes) {
		return
	}
	sc.count.Add(added)
	sc.bytes.Add(grown)
	kept = append(kept, e)
	p.entries.Store(&kept)
}

// unit returns v scaled to length 1, as float32; nil for a zero or
// non-finite vector.
func unit(v []float64) []float32 {
	var sum float64
	for _, x := range v {
		sum += x * x
	}
	n := math.Sqrt(sum)
	if n == 0 || math.IsInf(n, 0) || math.IsNaN(n) {
		return nil
	}
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x / n)
	}
	return out
}

// dot returns the dot product of two vectors of the same length.
func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}
