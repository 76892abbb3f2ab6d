package cache

import (
	"fmt"
	"testing"
	"time"
)

func TestMemory(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := NewMemory(100, func() time.Time { return now })
	m.Set("a", []byte("1234567890"), time.Minute)
	if v, stored, ok := m.Get("a"); !ok || string(v) != "1234567890" || !stored.Equal(now) {
		t.Fatalf("Get(a) = %q %v %v", v, stored, ok)
	}
	now = now.Add(time.Minute)
	if _, _, ok := m.Get("a"); ok {
		t.Error("an expired value was returned")
	}
	// Size bound: the least recently used entries go first.
	for i := range 10 {
		m.Set(fmt.Sprint(i), make([]byte, 9), time.Hour) // 10 bytes each
	}
	m.Get("0") // 0 is now the most recently used
	m.Set("x", make([]byte, 19), time.Hour)
	if _, _, ok := m.Get("0"); !ok {
		t.Error("the most recently used entry was evicted")
	}
	if _, _, ok := m.Get("1"); ok {
		t.Error("the least recently used entry was kept")
	}
	if m.size > 100 {
		t.Errorf("size %d exceeds the bound", m.size)
	}
	m.Delete("x")
	if _, _, ok := m.Get("x"); ok {
		t.Error("a deleted entry was returned")
	}
	m.Set("huge", make([]byte, 200), time.Hour)
	if _, _, ok := m.Get("huge"); ok {
		t.Error("a value larger than the bound was kept")
	}
}
