package builtin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

const (
	// embeddingsTimeout bounds the call to the embeddings backend.
	embeddingsTimeout = 10 * time.Second
	// maxEmbeddingsBody bounds the embeddings backend's answer.
	maxEmbeddingsBody = 4 << 20
	// cognitiveServices is the resource of system-assigned tokens for
	// the embeddings backend.
	cognitiveServices = "https://cognitiveservices.azure.com"
	// semanticMissVar is the context variable where a lookup that missed
	// leaves what the store needs; its name cannot be written in a policy.
	semanticMissVar = "\x00llm-semantic-cache"
)

// semanticLookup implements <llm-semantic-cache-lookup> and
// <azure-openai-semantic-cache-lookup> (inbound): the prompt of the
// request (its chat messages, without system messages when
// ignore-system-messages="true"; not cached when it has more than
// max-message-count messages) is sent to the embeddings backend
// (embeddings-backend-id, whose URL is the embeddings endpoint), and the
// cached response of the closest earlier prompt in the same partition
// (the API, the operation and the <vary-by> values) is returned when its
// cosine distance is at most score-threshold. On a miss, or when the
// embeddings backend fails (the request then goes on uncached),
// llm-semantic-cache-store in outbound may store the response.
type semanticLookup struct {
	cache     *SemanticCache
	client    *http.Client
	identity  ManagedIdentity // nil unless embeddings-backend-auth="system-assigned"
	url       string
	threshold float64
	noSystem  bool
	maxMsgs   int64 // 0: no limit
	varyBy    []policy.Value
}

var _ policy.Step = (*semanticLookup)(nil)

// semanticMiss is what a lookup that missed leaves for the store.
type semanticMiss struct {
	key string
	vec []float32
}

func compileSemanticLookup(sc *SemanticCache, client *http.Client, id ManagedIdentity) policy.CompileFunc {
	return func(n *policy.Node, c *policy.Compiler) policy.Step {
		c.Only(n, "score-threshold", "embeddings-backend-id", "embeddings-backend-auth", "ignore-system-messages", "max-message-count")
		onlyInbound(n, c)
		l := &semanticLookup{cache: sc, client: client}
		if s, a, ok := c.Literal(n, "score-threshold", true); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil || f < 0 || f > 1 {
				c.AttrErrorf(n, a, "%q: want a number from 0.0 to 1.0", s)
			}
			l.threshold = f
		}
		if id, a, ok := c.Literal(n, "embeddings-backend-id", true); ok {
			id = strings.TrimSpace(id)
			c.Refer(n, a.Pos, "backends", id)
			raw, known := c.Env().Backends[strings.ToLower(id)]
			switch {
			case !known && !c.Env().AnyBackend:
				c.AttrErrorf(n, a, "there is no backend %q", id)
			case known && raw == "":
				c.AttrErrorf(n, a, "backend %q is a pool: name the embeddings backend itself", id)
			}
			l.url = raw
		}
		if s, a, ok := c.Literal(n, "embeddings-backend-auth", false); ok {
			if s != "system-assigned" {
				c.AttrErrorf(n, a, "%q: want system-assigned", s)
			}
			l.identity = id
			if id == nil {
				l.identity = noIdentity{}
			}
		}
		l.noSystem = compileBool(n, c, "ignore-system-messages", false)
		if _, ok := n.Attr("max-message-count"); ok {
			l.maxMsgs, _ = literalInt(n, c, "max-message-count", false, 1)
		}
		for _, ch := range n.Children {
			if ch.Name != "vary-by" {
				c.Errorf(ch, "only <vary-by> elements belong in <%s>", n.Name)
				continue
			}
			c.Only(ch)
			l.varyBy = append(l.varyBy, c.Text(ch))
		}
		return l
	}
}

// noIdentity stands for a gateway without a managed identity.
type noIdentity struct{}

func (noIdentity) Token(context.Context, string, string) (string, error) {
	return "", errNoManagedIdentity
}

func (l *semanticLookup) Do(c *policy.Context) error {
	body, err := c.Request.Body.Bytes()
	if err != nil {
		return fmt.Errorf("read the request body: %w", err)
	}
	text, ok := promptText(body, l.noSystem, l.maxMsgs)
	if !ok {
		return nil
	}
	key, err := l.partition(c)
	if err != nil {
		return err
	}
	vec, err := l.embed(c, text)
	if err != nil {
		if c.Trace != nil {
			c.Trace("llm-semantic-cache-lookup", "no embedding, not cached: "+err.Error())
		}
		return nil
	}
	if e, dist := l.cache.lookup(key, vec); e != nil && dist <= l.threshold {
		c.Response = &expr.Response{StatusCode: e.status, StatusReason: http.StatusText(e.status), Headers: e.header.Clone(), Body: expr.BodyOf(e.body)}
		c.End()
		return nil
	}
	c.SetVariable(semanticMissVar, &semanticMiss{key: key, vec: vec})
	return nil
}

// partition returns the request's partition key.
func (l *semanticLookup) partition(c *policy.Context) (string, error) {
	var b strings.Builder
	if c.API != nil {
		b.WriteString(c.API.ID)
	}
	b.WriteByte(0)
	if c.Operation != nil {
		b.WriteString(c.Operation.ID)
	}
	for i, v := range l.varyBy {
		s, err := v.String(c)
		if err != nil {
			return "", fmt.Errorf("vary-by %d: %w", i+1, err)
		}
		b.WriteByte(0)
		b.WriteString(s)
	}
	return b.String(), nil
}

// embed asks the embeddings backend for the unit vector of text.
func (l *semanticLookup) embed(c *policy.Context, text string) ([]float32, error) {
	ctx := c.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, embeddingsTimeout)
	defer cancel()
	in, _ := json.Marshal(map[string]string{"input": text})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.url, bytes.NewReader(in))
	if err != nil {
		return nil, fmt.Errorf("embeddings request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if l.identity != nil {
		tok, err := l.identity.Token(ctx, "", cognitiveServices)
		if err != nil {
			return nil, fmt.Errorf("embeddings token: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := l.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("embeddings backend: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("embeddings backend: %s", res.Status)
	}
	var out struct {
		Data []struct {
			Embedding []float64 `json:"embedding"`
		} `json:"data"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, maxEmbeddingsBody)).Decode(&out); err != nil {
		return nil, fmt.Errorf("embeddings backend's answer: %w", err)
	}
	if len(out.Data) == 0 {
		return nil, fmt.Errorf("embeddings backend's answer has no embedding")
	}
	vec := unit(out.Data[0].Embedding)
	if vec == nil {
		return nil, fmt.Errorf("embeddings backend's answer is a zero vector")
	}
	return vec, nil
}

// promptText is the text of a request's prompt that is embedded: each
// chat message as "role: content" on its own line (system messages left
// out when noSystem), or the prompt or input. ok is false when the
// request is not cached: no prompt, or more than maxMsgs messages.
func promptText(body []byte, noSystem bool, maxMsgs int64) (string, bool) {
	var req struct {
		Messages []chatMessage   `json:"messages"`
		Prompt   json.RawMessage `json:"prompt"`
		Input    json.RawMessage `json:"input"`
	}
	if json.Unmarshal(body, &req) != nil {
		return "", false
	}
	var b strings.Builder
	count := int64(0)
	for _, m := range req.Messages {
		if noSystem && (m.Role == "system" || m.Role == "developer") {
			continue
		}
		count++
		b.WriteString(m.Role)
		b.WriteString(": ")
		b.WriteString(contentText(m.Content))
		b.WriteByte('\n')
	}
	if maxMsgs > 0 && count > maxMsgs {
		return "", false
	}
	b.WriteString(contentText(req.Prompt))
	b.WriteString(contentText(req.Input))
	return b.String(), b.Len() > 0
}

// contentText returns the text of a content value, its parts' texts
// joined by spaces.
func contentText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	var parts []string
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > maxContentDepth {
			return
		}
		switch v := v.(type) {
		case string:
			parts = append(parts, v)
		case []any:
			for _, e := range v {
				walk(e, depth+1)
			}
		case map[string]any:
			for _, k := range [...]string{"text", "content", "input_text"} {
				if e, ok := v[k]; ok {
					walk(e, depth+1)
				}
			}
		}
	}
	walk(v, 0)
	return strings.Join(parts, " ")
}

// semanticStore implements <llm-semantic-cache-store duration="seconds">
// and <azure-openai-semantic-cache-store> (outbound): the response to a
// request whose lookup missed is kept for duration seconds, when it is a
// 200 JSON response of known length up to 4 MiB (a streamed response is
// not cached).
type semanticStore struct {
	cache    *SemanticCache
	duration intAttr
}

var _ policy.Step = (*semanticStore)(nil)

func compileSemanticStore(sc *SemanticCache) policy.CompileFunc {
	return func(n *policy.Node, c *policy.Compiler) policy.Step {
		c.Only(n, "duration")
		if c.Section() != policy.Outbound {
			c.Errorf(n, "belongs in the outbound section")
		}
		for _, ch := range n.Children {
			c.Errorf(ch, "<%s> has no child elements", n.Name)
		}
		return &semanticStore{cache: sc, duration: compileIntAttr(n, c, "duration", true, 1, 0)}
	}
}

func (s *semanticStore) Do(c *policy.Context) error {
	v, _ := c.Variable(semanticMissVar)
	miss, ok := v.(*semanticMiss)
	resp := c.Response
	if !ok || resp == nil || resp.StatusCode != http.StatusOK || resp.Body == nil || isEventStream(resp.Headers) {
		return nil
	}
	if n := contentLength(resp.Headers); n < 0 || n > maxUsageBody {
		return nil
	}
	secs, err := s.duration.eval(c)
	if err != nil {
		return fmt.Errorf("duration: %w", err)
	}
	body, err := resp.Body.Bytes()
	if err != nil {
		return nil // the client gets the failure; nothing to keep
	}
	h := resp.Headers.Clone()
	for _, k := range [...]string{"Content-Length", "Date", "Connection", "Keep-Alive", "Transfer-Encoding", "Trailer", "Upgrade"} {
		h.Del(k)
	}
	s.cache.store(miss.key, &semanticEntry{vec: miss.vec, status: resp.StatusCode, header: h, body: bytes.Clone(body),
		expires: s.cache.now().Add(time.Duration(secs) * time.Second)})
	return nil
}
