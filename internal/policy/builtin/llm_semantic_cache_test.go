package builtin

import (
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestSemanticCache(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sc := NewSemanticCache(3, func() time.Time { return now })
	entry := func(v []float64, body string, ttl time.Duration) *semanticEntry {
		return &semanticEntry{vec: unit(v), status: 200, body: []byte(body), expires: now.Add(ttl)}
	}
	sc.store("p", entry([]float64{1, 0, 0}, "x", time.Minute))
	sc.store("p", entry([]float64{0, 1, 0}, "y", time.Minute))
	if e, d := sc.lookup("p", unit([]float64{1, 0.1, 0})); e == nil || string(e.body) != "x" || d > 0.01 {
		t.Errorf("closest to x: %v at %v", e, d)
	}
	if e, d := sc.lookup("p", unit([]float64{0, 0, 1})); e == nil || d < 0.99 {
		t.Errorf("orthogonal: %v at %v, want distance 1", e, d)
	}
	if e, _ := sc.lookup("q", unit([]float64{1, 0, 0})); e != nil {
		t.Error("another partition hit")
	}
	if e, _ := sc.lookup("p", unit([]float64{1, 0})); e != nil {
		t.Error("a vector of another length hit")
	}
	sc.store("q", entry([]float64{1, 1, 0}, "z", time.Minute))
	sc.store("q", entry([]float64{1, 1, 1}, "full", time.Minute))
	if e, d := sc.lookup("q", unit([]float64{1, 1, 1})); e != nil && d < 0.01 {
		t.Errorf("a full cache stored an entry")
	}
	now = now.Add(2 * time.Minute)
	if e, _ := sc.lookup("p", unit([]float64{1, 0, 0})); e != nil {
		t.Error("an expired entry hit")
	}
	sc.store("p", entry([]float64{0, 0, 1}, "w", time.Minute)) // drops p's two expired entries
	if n := sc.count.Load(); n != 2 {
		t.Errorf("%d entries counted after expiry, want 2", n)
	}
}

func TestSemanticCachePartitionBound(t *testing.T) {
	now := time.Now()
	sc := NewSemanticCache(0, func() time.Time { return now })
	for i := range maxPartitionEntries + 10 {
		sc.store("p", &semanticEntry{vec: unit([]float64{1, float64(i)}), body: []byte(strconv.Itoa(i)), expires: now.Add(time.Hour)})
	}
	p, _ := sc.parts.Load("p")
	if n := len(*p.(*partition).entries.Load()); n != maxPartitionEntries || sc.count.Load() != maxPartitionEntries {
		t.Errorf("partition holds %d (counted %d), want %d", n, sc.count.Load(), maxPartitionEntries)
	}
}

func TestPromptText(t *testing.T) {
	body := `{"messages":[{"role":"system","content":"Be terse."},{"role":"user","content":[{"type":"text","text":"Hi"},{"type":"text","text":"there"}]},{"role":"assistant","content":"Hello"},{"role":"user","content":"Bye"}]}`
	tests := []struct {
		name     string
		body     string
		noSystem bool
		max      int64
		want     string
		wantOK   bool
	}{
		{"all messages", body, false, 0, "system: Be terse.\nuser: Hi there\nassistant: Hello\nuser: Bye\n", true},
		{"without system", body, true, 0, "user: Hi there\nassistant: Hello\nuser: Bye\n", true},
		{"at most 3 messages", body, true, 3, "user: Hi there\nassistant: Hello\nuser: Bye\n", true},
		{"more than 3 messages", body, false, 3, "", false},
		{"completions", `{"prompt":"Once upon"}`, false, 0, "Once upon", true},
		{"no prompt", `{"model":"x"}`, false, 0, "", false},
		{"not json", `hello`, false, 0, "", false},
	}
	for _, tt := range tests {
		got, ok := promptText([]byte(tt.body), tt.noSystem, tt.max)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("%s: promptText = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestSemanticCacheCompileErrors(t *testing.T) {
	checkCompileErrors(t, []compileErrorCase{
		{"threshold required", inbound(`<llm-semantic-cache-lookup embeddings-backend-id="orders" />`), "attribute score-threshold is required"},
		{"threshold range", inbound(`<llm-semantic-cache-lookup score-threshold="1.5" embeddings-backend-id="orders" />`), `"1.5": want a number from 0.0 to 1.0`},
		{"backend required", inbound(`<llm-semantic-cache-lookup score-threshold="0.1" />`), "attribute embeddings-backend-id is required"},
		{"unknown backend", inbound(`<llm-semantic-cache-lookup score-threshold="0.1" embeddings-backend-id="nope" />`), `there is no backend "nope"`},
		{"auth", inbound(`<azure-openai-semantic-cache-lookup score-threshold="0.1" embeddings-backend-id="orders" embeddings-backend-auth="user-assigned" />`), `"user-assigned": want system-assigned`},
		{"max messages", inbound(`<llm-semantic-cache-lookup score-threshold="0.1" embeddings-backend-id="orders" max-message-count="0" />`), "max-message-count"},
		{"children", inbound(`<llm-semantic-cache-lookup score-threshold="0.1" embeddings-backend-id="orders"><key>x</key></llm-semantic-cache-lookup>`), "only <vary-by> elements belong"},
		{"lookup in outbound", `<policies><inbound /><outbound><llm-semantic-cache-lookup score-threshold="0.1" embeddings-backend-id="orders" /></outbound></policies>`, "belongs in the inbound section"},
		{"store in inbound", inbound(`<llm-semantic-cache-store duration="60" />`), "belongs in the outbound section"},
		{"store duration", `<policies><inbound /><outbound><azure-openai-semantic-cache-store duration="0" /></outbound></policies>`, "duration"},
	})
}

// TestSemanticCacheConcurrent stores and looks up from many goroutines at
// once (run with -race): lookups see whole lists, and every entry stored
// is counted once.
func TestSemanticCacheConcurrent(t *testing.T) {
	now := time.Now()
	sc := NewSemanticCache(0, func() time.Time { return now })
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				v := unit([]float64{float64(g + 1), float64(i + 1)})
				sc.store("p"+strconv.Itoa(g%2), &semanticEntry{vec: v, body: []byte("x"), expires: now.Add(time.Hour)})
				if e, _ := sc.lookup("p"+strconv.Itoa(g%2), v); e == nil {
					t.Error("an entry just stored was not found")
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := sc.count.Load(); n != 800 {
		t.Errorf("%d entries counted, want 800", n)
	}
}
