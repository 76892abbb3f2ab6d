// Package cache keeps responses and values for the cache-lookup,
// cache-store and *-value policies. Store is the interface the policies
// use; Memory is the one-node implementation, bounded by size and
// evicting the least recently used entries. Entries expire on their own
// time.
package cache

import (
	"container/list"
	"sync"
	"time"
)

// Store keeps byte values under string keys for a while.
type Store interface {
	// Get returns the value of key and when it was stored, if it is there
	// and not expired.
	Get(key string) (value []byte, stored time.Time, ok bool)
	// Set keeps value under key for ttl.
	Set(key string, value []byte, ttl time.Duration)
	// Delete removes key.
	Delete(key string)
}

// Memory is an in-memory Store bounded by the total size of its keys and
// values. It is safe for concurrent use.
type Memory struct {
	max  int
	now  func() time.Time
	mu   sync.Mutex
	size int
	lru  *list.List // front: most recently used *entry
	byK  map[string]*list.Element
}

type entry struct {
	key     string
	value   []byte
	stored  time.Time
	expires time.Time
}

// NewMemory returns a Memory holding at most maxBytes (0: 64 MiB). now is
// the clock; nil: time.Now.
func NewMemory(maxBytes int, now func() time.Time) *Memory {
	if maxBytes <= 0 {
		maxBytes = 64 << 20
	}
	if now == nil {
		now = time.Now
	}
	return &Memory{max: maxBytes, now: now, lru: list.New(), byK: map[string]*list.Element{}}
}

var _ Store = (*Memory)(nil)

// Get returns a live value and moves it to the front.
func (m *Memory) Get(key string) ([]byte, time.Time, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.byK[key]
	if !ok {
		return nil, time.Time{}, false
	}
	e := el.Value.(*entry)
	if !m.now().Before(e.expires) {
		m.remove(el)
		return nil, time.Time{}, false
	}
	m.lru.MoveToFront(el)
	return e.value, e.stored, true
}

// Set stores value, evicting the least recently used entries to stay
// within the size bound. A value larger than the bound is not kept.
func (m *Memory) Set(key string, value []byte, ttl time.Duration) {
	cost := len(key) + len(value)
	if cost > m.max || ttl <= 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.byK[key]; ok {
		m.remove(el)
	}
	now := m.now()
	m.byK[key] = m.lru.PushFront(&entry{key: key, value: value, stored: now, expires: now.Add(ttl)})
	m.size += cost
	for m.size > m.max {
		m.remove(m.lru.Back())
	}
}

// Delete removes key.
func (m *Memory) Delete(key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.byK[key]; ok {
		m.remove(el)
	}
}

func (m *Memory) remove(el *list.Element) {
	e := el.Value.(*entry)
	m.lru.Remove(el)
	delete(m.byK, e.key)
	m.size -= len(e.key) + len(e.value)
}
