package builtin

import (
	"strings"
	"testing"
	"time"
)

func TestResponseUsage(t *testing.T) {
	tests := []struct {
		name, body string
		want       usage
		wantOK     bool
	}{
		{"chat completion", `{"id":"c1","choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":12,"completion_tokens":30,"total_tokens":42}}`, usage{12, 30, 42}, true},
		{"embeddings: no completion", `{"data":[],"usage":{"prompt_tokens":8,"total_tokens":8}}`, usage{8, 0, 8}, true},
		{"total missing", `{"usage":{"prompt_tokens":5,"completion_tokens":7}}`, usage{5, 7, 12}, true},
		{"responses api", `{"usage":{"input_tokens":9,"output_tokens":3,"total_tokens":12}}`, usage{9, 3, 12}, true},
		{"responses api event", `{"type":"response.completed","response":{"usage":{"input_tokens":2,"output_tokens":2}}}`, usage{2, 2, 4}, true},
		{"no usage", `{"id":"x"}`, usage{}, false},
		{"null usage", `{"usage":null}`, usage{}, false},
		{"not json", `upstream error`, usage{}, false},
		{"negative counts ignored", `{"usage":{"prompt_tokens":-1}}`, usage{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := responseUsage([]byte(tt.body))
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("responseUsage = %+v, %v; want %+v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// openAIStream is a chat completion streamed as OpenAI streams it, with
// a final usage chunk when usage is set.
func openAIStream(words []string, withUsage bool) string {
	var b strings.Builder
	for _, w := range words {
		b.WriteString(`data: {"choices":[{"index":0,"delta":{"content":"` + w + `"}}],"usage":null}` + "\n\n")
	}
	if withUsage {
		b.WriteString(`data: {"choices":[],"usage":{"prompt_tokens":11,"completion_tokens":4,"total_tokens":15}}` + "\n\n")
	}
	b.WriteString("data: [DONE]\n\n")
	return b.String()
}

func TestSSEUsage(t *testing.T) {
	words := []string{"Hello", " there", ", how", " are you?"} // 25 characters: 7 tokens
	tests := []struct {
		name         string
		stream       string
		pieces       int // write in pieces of this many bytes; 0: whole
		want         usage
		wantReported bool
	}{
		{"final usage chunk", openAIStream(words, true), 0, usage{11, 4, 15}, true},
		{"usage chunk split across writes", openAIStream(words, true), 7, usage{11, 4, 15}, true},
		{"one byte at a time", openAIStream(words, true), 1, usage{11, 4, 15}, true},
		{"no usage: estimated", openAIStream(words, false), 5, usage{20, 7, 27}, false},
		{"CRLF lines", strings.ReplaceAll(openAIStream(words, true), "\n", "\r\n"), 3, usage{11, 4, 15}, true},
		{"comments and other fields ignored", ": keep-alive\nevent: message\nid: 1\n" + openAIStream(nil, true), 0, usage{11, 4, 15}, true},
		{"completions text", `data: {"choices":[{"text":"abcdefgh"}]}` + "\n\n", 0, usage{20, 2, 22}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var s sseUsage
			data := []byte(tt.stream)
			step := tt.pieces
			if step == 0 {
				step = len(data)
			}
			for i := 0; i < len(data); i += step {
				s.Write(data[i:min(i+step, len(data))])
			}
			got, reported := s.usage(20)
			if got != tt.want || reported != tt.wantReported {
				t.Errorf("usage = %+v (reported %v), want %+v (%v)", got, reported, tt.want, tt.wantReported)
			}
		})
	}
}

func TestSSEUsageSkipsHugeLines(t *testing.T) {
	var s sseUsage
	s.Write([]byte("data: " + strings.Repeat("x", maxEventLine+10)))
	s.Write([]byte("\n" + openAIStream(nil, true)))
	if u, ok := s.usage(0); !ok || u.total != 15 {
		t.Errorf("after a huge line: %+v, %v; want the usage chunk's", u, ok)
	}
	if cap(s.line) > 2*maxEventLine {
		t.Errorf("kept %d bytes", cap(s.line))
	}
}

func TestEstimatePrompt(t *testing.T) {
	tests := []struct {
		name, body string
		want       promptInfo
	}{
		// 2 messages: 8 framing + 3 priming; "system" + "Be brief." + "user" + "Hello there!" = 31 chars: 8 tokens.
		{"chat", `{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello there!"}]}`, promptInfo{tokens: 19}},
		{"chat streamed", `{"stream":true,"messages":[{"role":"user","content":"abcd"}]}`, promptInfo{tokens: 4 + 3 + 2, stream: true}},
		{"content parts", `{"messages":[{"role":"user","content":[{"type":"text","text":"abcdefgh"},{"type":"image_url","image_url":{"url":"https://x"}}]}]}`, promptInfo{tokens: 4 + 3 + 3}},
		{"completions prompt", `{"prompt":"abcdefghijkl"}`, promptInfo{tokens: 3}},
		{"embeddings input array", `{"input":["abcd","efgh"]}`, promptInfo{tokens: 2}},
		{"responses input messages", `{"input":[{"role":"user","content":[{"type":"input_text","text":"abcdefgh"}]}]}`, promptInfo{tokens: 2}},
		{"plain text", `not json at all`, promptInfo{tokens: 4}},
		{"empty", ``, promptInfo{}},
		{"unicode counts code points", `{"prompt":"日本語のテキスト"}`, promptInfo{tokens: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := estimatePrompt([]byte(tt.body)); got != tt.want {
				t.Errorf("estimatePrompt = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestQuotaPeriodWindow(t *testing.T) {
	at := time.Date(2026, 12, 9, 13, 45, 10, 0, time.UTC) // a Wednesday
	tests := []struct {
		period     string
		start, end string
	}{
		{"Hourly", "2026-12-09T13:00:00Z", "2026-12-09T14:00:00Z"},
		{"daily", "2026-12-09T00:00:00Z", "2026-12-10T00:00:00Z"},
		{"Weekly", "2026-12-07T00:00:00Z", "2026-12-14T00:00:00Z"},
		{"Monthly", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"},
		{"Yearly", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		p, err := parseQuotaPeriod(tt.period)
		if err != nil {
			t.Fatal(err)
		}
		start, end := p.window(at)
		if start.Format(time.RFC3339) != tt.start || end.Format(time.RFC3339) != tt.end {
			t.Errorf("%s: %v - %v, want %s - %s", tt.period, start, end, tt.start, tt.end)
		}
	}
	sunday := time.Date(2026, 12, 13, 23, 0, 0, 0, time.UTC)
	if start, _ := weekly.window(sunday); start.Day() != 7 {
		t.Errorf("a Sunday's week starts %v, want Monday the 7th", start)
	}
}

func TestTokenLimitCompileErrors(t *testing.T) {
	checkCompileErrors(t, []compileErrorCase{
		{"no limit", inbound(`<llm-token-limit counter-key="k" estimate-prompt-tokens="false" />`), "tokens-per-minute or token-quota"},
		{"estimate required", inbound(`<llm-token-limit counter-key="k" tokens-per-minute="10" />`), "estimate-prompt-tokens is required"},
		{"bad estimate", inbound(`<azure-openai-token-limit counter-key="k" tokens-per-minute="10" estimate-prompt-tokens="yes" />`), `1:109: <azure-openai-token-limit> estimate-prompt-tokens: "yes": want true or false`},
		{"counter-key required", inbound(`<llm-token-limit tokens-per-minute="10" estimate-prompt-tokens="false" />`), "counter-key is required"},
		{"bad tokens-per-minute", inbound(`<llm-token-limit counter-key="k" tokens-per-minute="0" estimate-prompt-tokens="false" />`), "tokens-per-minute"},
		{"quota without period", inbound(`<llm-token-limit counter-key="k" token-quota="100" estimate-prompt-tokens="false" />`), "token-quota-period is required"},
		{"period without quota", inbound(`<llm-token-limit counter-key="k" token-quota-period="Daily" estimate-prompt-tokens="false" />`), "token-quota is required"},
		{"bad period", inbound(`<llm-token-limit counter-key="k" token-quota="100" token-quota-period="Fortnightly" estimate-prompt-tokens="false" />`), "want Hourly, Daily, Weekly, Monthly or Yearly"},
		{"quota is not an expression", inbound(`<llm-token-limit counter-key="k" token-quota="@(100)" token-quota-period="Daily" estimate-prompt-tokens="false" />`), "an expression is not allowed here"},
		{"unknown attribute", inbound(`<llm-token-limit counter-key="k" tokens-per-minute="10" estimate-prompt-tokens="false" calls="3" />`), "unknown attribute"},
		{"outbound", `<policies><inbound /><outbound><llm-token-limit counter-key="k" tokens-per-minute="10" estimate-prompt-tokens="false" /></outbound></policies>`, "belongs in the inbound section"},
		{"no children", inbound(`<llm-token-limit counter-key="k" tokens-per-minute="10" estimate-prompt-tokens="false"><api name="x" /></llm-token-limit>`), "has no child elements"},
	})
}

func TestTailUsage(t *testing.T) {
	big := `{"data":[` + strings.Repeat(`{"embedding":[0.1,0.2,0.3]},`, 10000) + `{"embedding":[]}],"usage":{"prompt_tokens":500,"total_tokens":500}}`
	tests := []struct {
		name, body string
		piece      int
		want       usage
		wantOK     bool
	}{
		{"large embeddings body in pieces", big, 4096, usage{500, 0, 500}, true},
		{"one piece larger than kept", big, len(big), usage{500, 0, 500}, true},
		{"spaces around the colon", `{"usage" :  {"prompt_tokens":1,"completion_tokens":2}}`, 3, usage{1, 2, 3}, true},
		{"usage cut off by the window", `{"usage":{"prompt_tokens":7}` + strings.Repeat(" ", tailKeep) + `}`, 1000, usage{}, false},
		{"none", `{"id":1}`, 2, usage{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tu tailUsage
			for i := 0; i < len(tt.body); i += tt.piece {
				tu.Write([]byte(tt.body[i:min(i+tt.piece, len(tt.body))]))
			}
			if len(tu.buf) > tailKeep {
				t.Errorf("kept %d bytes", len(tu.buf))
			}
			if got, ok := tu.usage(); got != tt.want || ok != tt.wantOK {
				t.Errorf("usage = %+v, %v; want %+v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
