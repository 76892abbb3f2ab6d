package builtin

import (
	"strings"
	"testing"
)

// BenchmarkSSEUsage follows a 200-chunk chat completion stream written in
// 512-byte pieces, as the gateway does while passing it on.
func BenchmarkSSEUsage(b *testing.B) {
	words := make([]string, 200)
	for i := range words {
		words[i] = " token"
	}
	stream := []byte(openAIStream(words, true))
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		var s sseUsage
		for i := 0; i < len(stream); i += 512 {
			s.Write(stream[i:min(i+512, len(stream))])
		}
		if u, ok := s.usage(0); !ok || u.total != 15 {
			b.Fatal(u, ok)
		}
	}
}

// BenchmarkEstimatePrompt estimates a chat request of 10 messages of
// about 400 characters each.
func BenchmarkEstimatePrompt(b *testing.B) {
	msg := `{"role":"user","content":"` + strings.Repeat("The quick brown fox jumps over the lazy dog. ", 9) + `"}`
	body := []byte(`{"model":"gpt-4o","messages":[` + strings.TrimSuffix(strings.Repeat(msg+",", 10), ",") + `]}`)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if estimatePrompt(body).tokens == 0 {
			b.Fatal("no tokens")
		}
	}
}
