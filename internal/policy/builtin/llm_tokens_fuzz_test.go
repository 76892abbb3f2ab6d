package builtin

import (
	"testing"
)

// FuzzSSEUsage: any stream, cut anywhere, gives the same usage as the
// whole stream, never negative, and sseUsage keeps at most one line.
func FuzzSSEUsage(f *testing.F) {
	f.Add([]byte(openAIStream([]string{"a", "bc"}, true)), 3)
	f.Add([]byte(openAIStream([]string{"x"}, false)), 1)
	f.Add([]byte("data: {\"usage\":{\"prompt_tokens\":1}}\r\n\r\n"), 5)
	f.Add([]byte("data: {\"response\":{\"usage\":{\"input_tokens\":3}}}\n"), 2)
	f.Fuzz(func(t *testing.T, stream []byte, cut int) {
		var whole, parts sseUsage
		whole.Write(stream)
		if len(stream) > 0 {
			cut = ((cut % len(stream)) + len(stream)) % len(stream)
		} else {
			cut = 0
		}
		parts.Write(stream[:cut])
		parts.Write(stream[cut:])
		u1, r1 := whole.usage(3)
		u2, r2 := parts.usage(3)
		if u1 != u2 || r1 != r2 {
			t.Fatalf("whole %+v %v, cut at %d %+v %v", u1, r1, cut, u2, r2)
		}
		if u1.prompt < 0 || u1.completion < 0 || u1.total < 0 {
			t.Fatalf("negative usage %+v", u1)
		}
		if len(whole.line) > maxEventLine {
			t.Fatalf("kept a line of %d bytes", len(whole.line))
		}
	})
}

// FuzzEstimatePrompt: any body gives an estimate, never negative, and
// never more than one token per byte plus the framing of its messages.
func FuzzEstimatePrompt(f *testing.F) {
	f.Add([]byte(`{"messages":[{"role":"user","content":"hello"}]}`))
	f.Add([]byte(`{"input":[{"content":[{"text":"a"}]}],"stream":true}`))
	f.Add([]byte(`{"prompt":["a","b"]}`))
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		info := estimatePrompt(body)
		if info.tokens < 0 || info.tokens > int64(len(body))*8+3 {
			t.Fatalf("estimate %d for %d bytes", info.tokens, len(body))
		}
	})
}

// FuzzResponseUsage: any body gives a usage or none, never negative.
func FuzzResponseUsage(f *testing.F) {
	f.Add([]byte(`{"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}`))
	f.Add([]byte(`{"response":{"usage":{"input_tokens":1}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if u, ok := responseUsage(body); ok && (u.prompt < 0 || u.completion < 0) {
			t.Fatalf("negative usage %+v", u)
		}
	})
}

// FuzzTailUsage: the usage read from a body's end does not depend on how
// the body was cut into pieces, and at most tailKeep bytes are kept.
func FuzzTailUsage(f *testing.F) {
	f.Add([]byte(`{"data":[],"usage":{"prompt_tokens":5,"total_tokens":5}}`), 7)
	f.Add([]byte(`"usage": {"input_tokens":1}`), 1)
	f.Fuzz(func(t *testing.T, body []byte, cut int) {
		var whole, parts tailUsage
		whole.Write(body)
		if len(body) > 0 {
			cut = ((cut % len(body)) + len(body)) % len(body)
		} else {
			cut = 0
		}
		parts.Write(body[:cut])
		parts.Write(body[cut:])
		u1, ok1 := whole.usage()
		u2, ok2 := parts.usage()
		if u1 != u2 || ok1 != ok2 || len(parts.buf) > tailKeep {
			t.Fatalf("whole %+v %v, cut at %d %+v %v (%d kept)", u1, ok1, cut, u2, ok2, len(parts.buf))
		}
	})
}

// FuzzPromptText: any body gives a prompt or none, without panicking.
func FuzzPromptText(f *testing.F) {
	f.Add([]byte(`{"messages":[{"role":"system","content":"x"},{"role":"user","content":[{"text":"y"}]}]}`), true, int64(1))
	f.Add([]byte(`{"prompt":["a",{"text":"b"}]}`), false, int64(0))
	f.Fuzz(func(t *testing.T, body []byte, noSystem bool, max int64) {
		if s, ok := promptText(body, noSystem, max); ok != (s != "") {
			t.Fatalf("promptText = %q, %v", s, ok)
		}
	})
}
