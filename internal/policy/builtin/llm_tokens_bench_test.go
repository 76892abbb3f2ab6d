package builtin

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
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

// BenchmarkTokenLimitStep runs llm-token-limit for one chat completion
// with counters in memory: the decision before forwarding, then counting
// the usage of the JSON response, as the gateway does around a backend.
func BenchmarkTokenLimitStep(b *testing.B) {
	p, err := compileDoc(nil, inbound(`<llm-token-limit counter-key="@(context.Subscription.Id)" tokens-per-minute="1000000000" token-quota="1000000000" token-quota-period="Monthly" estimate-prompt-tokens="true" remaining-tokens-header-name="x-remaining" tokens-consumed-header-name="x-consumed" />`))
	if err != nil {
		b.Fatal(err)
	}
	req := []byte(`{"messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"What is the capital of France?"}]}`)
	resp := []byte(`{"id":"c1","choices":[{"index":0,"message":{"role":"assistant","content":"Paris."}}],"usage":{"prompt_tokens":20,"completion_tokens":2,"total_tokens":22}}`)
	b.ReportAllocs()
	for b.Loop() {
		c := &policy.Context{Context: expr.Context{
			Request:      &expr.Request{Method: "POST", Headers: http.Header{}, Body: expr.BodyOf(req)},
			Subscription: &expr.Subscription{ID: "sub-1"}, Variables: map[string]any{}}}
		if err := p.Run(policy.Inbound, c); err != nil || c.Ended() {
			b.Fatal(err)
		}
		c.Response = &expr.Response{StatusCode: 200, Headers: http.Header{"Content-Length": {strconv.Itoa(len(resp))}}, Body: expr.BodyOf(resp)}
		c.BackendDone()
		if c.ResponseHeaders.Get("x-consumed") != "22" {
			b.Fatal(c.ResponseHeaders)
		}
	}
}
