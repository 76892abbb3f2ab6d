package builtin

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// This file holds what the llm-* policies know of OpenAI-shaped messages:
// the usage a response reports, the same in a server-sent event stream,
// and an estimate of the tokens of a prompt.
//
// The estimate is an estimate: Gatehouse has no model's tokenizer. It
// counts one token per 4 characters (Unicode code points) of text,
// rounded up, plus 4 tokens per chat message and 3 to prime the reply,
// as OpenAI's guidance for chat formats describes; 4 characters a token
// is OpenAI's rule of thumb for English text, and for code, other scripts
// or images the estimate can be far off. Limits that must be exact should
// rely on the usage the backend reports (estimate-prompt-tokens="false"
// and non-streamed responses, or streams that end with a usage chunk).

// charsPerToken is the estimator's characters per token.
const charsPerToken = 4

// usage is the token usage of one request.
type usage struct {
	prompt, completion, total int64
}

// wireUsage is the usage object of OpenAI's Chat Completions,
// Completions and Embeddings (prompt_tokens, completion_tokens,
// total_tokens) and of its Responses API (input_tokens, output_tokens).
type wireUsage struct {
	PromptTokens     *int64 `json:"prompt_tokens"`
	CompletionTokens *int64 `json:"completion_tokens"`
	TotalTokens      *int64 `json:"total_tokens"`
	InputTokens      *int64 `json:"input_tokens"`
	OutputTokens     *int64 `json:"output_tokens"`
}

// get returns u as a usage; ok is false when it holds no count.
func (u *wireUsage) get() (usage, bool) {
	if u == nil {
		return usage{}, false
	}
	val := func(ps ...*int64) (int64, bool) {
		for _, p := range ps {
			if p != nil && *p >= 0 && *p <= 1<<53 { // what a counter holds exactly
				return *p, true
			}
		}
		return 0, false
	}
	var out usage
	p, okP := val(u.PromptTokens, u.InputTokens)
	c, okC := val(u.CompletionTokens, u.OutputTokens)
	t, okT := val(u.TotalTokens)
	if !okP && !okC && !okT {
		return usage{}, false
	}
	out.prompt, out.completion = p, c
	out.total = t
	if !okT {
		out.total = p + c
	}
	if !okC && okT && okP && t >= p {
		out.completion = t - p
	}
	return out, true
}

// responseUsage reads the usage of a JSON response body: its top-level
// "usage" object (or "response.usage", the Responses API's completed
// event). ok is false when there is none.
func responseUsage(body []byte) (usage, bool) {
	var msg struct {
		Usage    *wireUsage `json:"usage"`
		Response *struct {
			Usage *wireUsage `json:"usage"`
		} `json:"response"`
	}
	if json.Unmarshal(body, &msg) != nil {
		return usage{}, false
	}
	if u, ok := msg.Usage.get(); ok {
		return u, true
	}
	if msg.Response != nil {
		return msg.Response.Usage.get()
	}
	return usage{}, false
}

// maxEventLine bounds one line of a server-sent event stream that
// sseUsage keeps; a longer line is skipped (it still reaches the client).
const maxEventLine = 1 << 20

// sseUsage follows a server-sent event stream of OpenAI-shaped chunks as
// it passes: the last usage a chunk reports (a final chunk when the
// request asked for stream_options.include_usage), and the characters
// of generated text, to estimate completion tokens when no usage comes.
// It keeps at most one line. Its zero value is ready to use; it is used
// by one request at a time.
type sseUsage struct {
	line     []byte
	skipping bool // the current line is longer than maxEventLine
	reported usage
	has      bool
	chars    int64 // generated characters seen in deltas
}

// Write feeds the next piece of the stream; it never fails.
func (s *sseUsage) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			s.keep(p)
			break
		}
		s.keep(p[:i])
		if !s.skipping {
			s.event(bytes.TrimSuffix(s.line, []byte{'\r'}))
		}
		s.line, s.skipping = s.line[:0], false
		p = p[i+1:]
	}
	return n, nil
}

func (s *sseUsage) keep(p []byte) {
	if s.skipping {
		return
	}
	if len(s.line)+len(p) > maxEventLine {
		s.skipping, s.line = true, s.line[:0]
		return
	}
	s.line = append(s.line, p...)
}

// chunk is what sseUsage reads of a streamed chunk.
type chunk struct {
	Usage   *wireUsage `json:"usage"`
	Choices []struct {
		Delta struct {
			Content string `json:"content"`
		} `json:"delta"`
		Text string `json:"text"`
	} `json:"choices"`
	Delta    json.RawMessage `json:"delta"` // Responses API: output_text.delta
	Response *struct {
		Usage *wireUsage `json:"usage"`
	} `json:"response"`
}

// event reads one line of the stream; only "data:" lines matter.
func (s *sseUsage) event(line []byte) {
	data, ok := bytes.CutPrefix(line, []byte("data:"))
	if !ok {
		return
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return // [DONE]
	}
	var ch chunk
	if json.Unmarshal(data, &ch) != nil {
		return
	}
	if u, ok := ch.Usage.get(); ok {
		s.reported, s.has = u, true
	} else if ch.Response != nil {
		if u, ok := ch.Response.Usage.get(); ok {
			s.reported, s.has = u, true
		}
	}
	for _, c := range ch.Choices {
		s.chars += int64(utf8.RuneCountInString(c.Delta.Content) + utf8.RuneCountInString(c.Text))
	}
	if len(ch.Delta) > 0 && ch.Delta[0] == '"' {
		var text string
		if json.Unmarshal(ch.Delta, &text) == nil {
			s.chars += int64(utf8.RuneCountInString(text))
		}
	}
}

// usage returns the stream's usage: the last one reported, or, when none
// was, prompt (the estimate of the request's) and the generated text's
// estimate. reported tells which.
func (s *sseUsage) usage(prompt int64) (u usage, reported bool) {
	if s.has {
		return s.reported, true
	}
	c := (s.chars + charsPerToken - 1) / charsPerToken
	return usage{prompt: prompt, completion: c, total: prompt + c}, false
}

// promptInfo is what the llm-* policies read of a request body.
type promptInfo struct {
	tokens int64 // the estimate of the prompt's tokens
	stream bool  // "stream": true
}

// estimatePrompt reads an OpenAI-shaped request body: Chat Completions
// (messages), Completions (prompt), Embeddings and Responses (input).
// A body that is not JSON is estimated as plain text.
func estimatePrompt(body []byte) promptInfo {
	var req struct {
		Stream   bool            `json:"stream"`
		Messages []chatMessage   `json:"messages"`
		Prompt   json.RawMessage `json:"prompt"`
		Input    json.RawMessage `json:"input"`
		System   json.RawMessage `json:"system"`
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return promptInfo{}
	}
	if json.Unmarshal(body, &req) != nil {
		return promptInfo{tokens: textTokens(utf8.RuneCount(body))}
	}
	info := promptInfo{stream: req.Stream}
	chars := 0
	for _, m := range req.Messages {
		info.tokens += 4 // a message's framing
		chars += utf8.RuneCountInString(m.Role) + utf8.RuneCountInString(m.Name) + contentChars(m.Content)
	}
	if len(req.Messages) > 0 {
		info.tokens += 3 // priming the reply
	}
	chars += contentChars(req.Prompt) + contentChars(req.Input) + contentChars(req.System)
	info.tokens += textTokens(chars)
	return info
}

// chatMessage is a chat message of a request.
type chatMessage struct {
	Role    string          `json:"role"`
	Name    string          `json:"name"`
	Content json.RawMessage `json:"content"`
}

// maxContentDepth bounds how deep contentChars looks into nested arrays
// and objects.
const maxContentDepth = 8

// contentChars counts the characters of text in a content value: a
// string, an array of strings or of parts ({"type":"text","text":...},
// or input messages with their own content), at most maxContentDepth
// deep.
func contentChars(raw json.RawMessage) int {
	if len(raw) == 0 {
		return 0
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return 0
	}
	return textChars(v, 0)
}

func textChars(v any, depth int) int {
	if depth > maxContentDepth {
		return 0
	}
	switch v := v.(type) {
	case string:
		return utf8.RuneCountInString(v)
	case []any:
		n := 0
		for _, e := range v {
			n += textChars(e, depth+1)
		}
		return n
	case map[string]any:
		n := 0
		for _, k := range [...]string{"text", "content", "input_text"} {
			if e, ok := v[k]; ok {
				n += textChars(e, depth+1)
			}
		}
		return n
	}
	return 0
}

// textTokens estimates the tokens of chars characters of text.
func textTokens(chars int) int64 {
	return int64((chars + charsPerToken - 1) / charsPerToken)
}
