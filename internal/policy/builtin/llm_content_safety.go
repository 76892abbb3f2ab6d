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
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/policy"
)

const (
	// contentSafetyTimeout bounds each call to Azure AI Content Safety.
	contentSafetyTimeout = 10 * time.Second
	// maxContentSafetyText is the most characters Content Safety analyses
	// in one call; a longer prompt fails the request (500), as in APIM.
	maxContentSafetyText = 10000
	// Content Safety's operations and their API versions.
	analyzePath = "/contentsafety/text:analyze?api-version=2023-10-01"
	shieldPath  = "/contentsafety/text:shieldPrompt?api-version=2024-09-01"
)

// harmCategories are Content Safety's categories, by lower-case name.
var harmCategories = map[string]string{"hate": "Hate", "selfharm": "SelfHarm", "sexual": "Sexual", "violence": "Violence"}

// contentSafety implements <llm-content-safety backend-id="..."
// shield-prompt="true|false"> with <categories output-type> of
// <category name threshold> and <blocklists> of <id>: before the request
// is forwarded, the text of its prompt (every message's, or prompt or
// input) is sent to Azure AI Content Safety, at the URL of the backend
// entity backend-id: text:analyze for the categories and blocklists,
// text:shieldPrompt with shield-prompt="true". A category whose severity
// reaches its threshold, a blocklist match or a detected attack refuses
// the request with 403; a prompt longer than 10,000 characters, or a
// failed call, fails it (500). The calls carry a token of the gateway's
// managed identity for https://cognitiveservices.azure.com when the
// gateway has one.
type contentSafety struct {
	client     *http.Client
	identity   ManagedIdentity // nil: no credentials
	backend    policy.Value
	backends   map[string]string
	shield     bool
	outputType policy.Value // unset: FourSeverityLevels
	categories []harmCategory
	blocklists []string
}

var _ policy.Step = (*contentSafety)(nil)

// harmCategory is a compiled <category name threshold>.
type harmCategory struct {
	name      policy.Value
	threshold policy.Value
}

func compileContentSafety(client *http.Client, id ManagedIdentity) policy.CompileFunc {
	return func(n *policy.Node, c *policy.Compiler) policy.Step {
		c.Only(n, "backend-id", "shield-prompt")
		onlyInbound(n, c)
		cs := &contentSafety{client: client, identity: id, backends: c.Env().Backends}
		cs.backend, _ = c.Attr(n, "backend-id", true)
		if lit, isLit := cs.backend.Literal(); isLit && cs.backend.IsSet() {
			a, _ := n.Attr("backend-id")
			c.Refer(n, a.Pos, "backends", strings.TrimSpace(lit))
			raw, ok := c.Env().Backends[strings.ToLower(strings.TrimSpace(lit))]
			switch {
			case !ok && !c.Env().AnyBackend:
				c.AttrErrorf(n, a, "there is no backend %q", lit)
			case ok && raw == "":
				c.AttrErrorf(n, a, "backend %q is a pool: name the Content Safety backend itself", lit)
			}
		} else if cs.backend.IsSet() {
			a, _ := n.Attr("backend-id")
			c.Refer(n, a.Pos, "backends", policy.AnyBackendID)
		}
		cs.shield = compileBool(n, c, "shield-prompt", false)
		seen := map[string]bool{}
		for _, ch := range n.Children {
			if seen[ch.Name] {
				c.Errorf(ch, "<%s> appears twice", ch.Name)
				continue
			}
			seen[ch.Name] = true
			switch ch.Name {
			case "categories":
				cs.compileCategories(ch, c)
			case "blocklists":
				c.Only(ch)
				cs.blocklists = textList(ch, c, "id")
			default:
				c.Errorf(ch, "only <categories> and <blocklists> belong in <llm-content-safety>")
			}
		}
		if !cs.shield && len(cs.categories) == 0 && len(cs.blocklists) == 0 {
			c.Errorf(n, "nothing to check: give <categories>, <blocklists> or shield-prompt=\"true\"")
		}
		return cs
	}
}

// compileCategories compiles <categories output-type> and its children;
// literal names and thresholds are checked now.
func (cs *contentSafety) compileCategories(n *policy.Node, c *policy.Compiler) {
	c.Only(n, "output-type")
	if v, ok := c.Attr(n, "output-type", false); ok {
		if lit, isLit := v.Literal(); isLit && lit != "FourSeverityLevels" && lit != "EightSeverityLevels" {
			a, _ := n.Attr("output-type")
			c.AttrErrorf(n, a, "%q: want FourSeverityLevels or EightSeverityLevels", lit)
		}
		cs.outputType = v
	}
	for _, ch := range n.Children {
		if ch.Name != "category" {
			c.Errorf(ch, "only <category> elements belong in <categories>")
			continue
		}
		c.Only(ch, "name", "threshold")
		var hc harmCategory
		hc.name, _ = c.Attr(ch, "name", true)
		if lit, isLit := hc.name.Literal(); isLit && hc.name.IsSet() && harmCategories[strings.ToLower(lit)] == "" {
			a, _ := ch.Attr("name")
			c.AttrErrorf(ch, a, "%q: want Hate, SelfHarm, Sexual or Violence", lit)
		}
		hc.threshold, _ = c.Attr(ch, "threshold", true)
		if lit, isLit := hc.threshold.Literal(); isLit && hc.threshold.IsSet() {
			if _, err := parseThreshold(lit); err != nil {
				a, _ := ch.Attr("threshold")
				c.AttrErrorf(ch, a, "%v", err)
			}
		}
		cs.categories = append(cs.categories, hc)
	}
	if len(cs.categories) == 0 {
		c.Errorf(n, "at least one <category> is required")
	}
}

// parseThreshold reads a category's threshold: 0 to 7.
func parseThreshold(s string) (int, error) {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || v < 0 || v > 7 {
		return 0, fmt.Errorf("threshold %q: want a whole number from 0 to 7", s)
	}
	return v, nil
}

func (cs *contentSafety) Do(c *policy.Context) error {
	body, err := c.Request.Body.Bytes()
	if err != nil {
		return fmt.Errorf("read the request body: %w", err)
	}
	text := safetyText(body)
	if text == "" {
		return nil
	}
	if n := utf8.RuneCountInString(text); n > maxContentSafetyText {
		return fmt.Errorf("the prompt has %d characters, more than Content Safety's %d", n, maxContentSafetyText)
	}
	base, err := cs.base(c)
	if err != nil {
		return err
	}
	if len(cs.categories)+len(cs.blocklists) > 0 {
		if blocked, err := cs.analyze(c, base, text); err != nil || blocked != "" {
			return cs.verdict(blocked, err)
		}
	}
	if cs.shield {
		var out struct {
			UserPromptAnalysis struct {
				AttackDetected bool `json:"attackDetected"`
			} `json:"userPromptAnalysis"`
		}
		if err := cs.call(c, base+shieldPath, map[string]any{"userPrompt": text, "documents": []string{}}, &out); err != nil {
			return err
		}
		if out.UserPromptAnalysis.AttackDetected {
			return cs.verdict("a prompt attack was detected", nil)
		}
	}
	return nil
}

// verdict refuses a blocked request (403), or fails on err.
func (cs *contentSafety) verdict(blocked string, err error) error {
	if err != nil {
		return err
	}
	return refuse(http.StatusForbidden, "ContentSafetyViolation", "Content safety check failed: "+blocked,
		"Request failed content safety check.", nil)
}

// base returns the Content Safety endpoint of backend-id.
func (cs *contentSafety) base(c *policy.Context) (string, error) {
	id, err := cs.backend.String(c)
	if err != nil {
		return "", fmt.Errorf("backend-id: %w", err)
	}
	raw := cs.backends[strings.ToLower(strings.TrimSpace(id))]
	if raw == "" {
		return "", fmt.Errorf("backend-id: there is no backend %q", id)
	}
	return strings.TrimSuffix(raw, "/"), nil
}

// analyze asks text:analyze about text; blocked says why it is refused
// ("" when it is not).
func (cs *contentSafety) analyze(c *policy.Context, base, text string) (blocked string, err error) {
	req := map[string]any{"text": text, "haltOnBlocklistHit": false}
	thresholds := map[string]int{}
	if len(cs.categories) > 0 {
		outputType := "FourSeverityLevels"
		if cs.outputType.IsSet() {
			if outputType, err = cs.outputType.String(c); err != nil {
				return "", fmt.Errorf("output-type: %w", err)
			}
		}
		names := make([]string, 0, len(cs.categories))
		for _, hc := range cs.categories {
			raw, err := hc.name.String(c)
			if err != nil {
				return "", fmt.Errorf("category name: %w", err)
			}
			name := harmCategories[strings.ToLower(strings.TrimSpace(raw))]
			if name == "" {
				return "", fmt.Errorf("category %q: want Hate, SelfHarm, Sexual or Violence", raw)
			}
			ts, err := hc.threshold.String(c)
			if err != nil {
				return "", fmt.Errorf("category %s threshold: %w", name, err)
			}
			if thresholds[name], err = parseThreshold(ts); err != nil {
				return "", err
			}
			names = append(names, name)
		}
		req["categories"], req["outputType"] = names, outputType
	}
	if len(cs.blocklists) > 0 {
		req["blocklistNames"] = cs.blocklists
	}
	var out struct {
		BlocklistsMatch []struct {
			BlocklistName string `json:"blocklistName"`
		} `json:"blocklistsMatch"`
		CategoriesAnalysis []struct {
			Category string `json:"category"`
			Severity int    `json:"severity"`
		} `json:"categoriesAnalysis"`
	}
	if err := cs.call(c, base+analyzePath, req, &out); err != nil {
		return "", err
	}
	if len(out.BlocklistsMatch) > 0 {
		return "blocklist " + out.BlocklistsMatch[0].BlocklistName + " matched", nil
	}
	for _, ca := range out.CategoriesAnalysis {
		if t, ok := thresholds[ca.Category]; ok && ca.Severity >= t {
			return fmt.Sprintf("category %s has severity %d, at least %d", ca.Category, ca.Severity, t), nil
		}
	}
	return "", nil
}

// call POSTs in to url and decodes the answer into out.
func (cs *contentSafety) call(c *policy.Context, url string, in, out any) error {
	ctx := c.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, contentSafetyTimeout)
	defer cancel()
	data, _ := json.Marshal(in)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("content safety request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if cs.identity != nil {
		tok, err := cs.identity.Token(ctx, "", cognitiveServices)
		if err != nil {
			return fmt.Errorf("content safety token: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := cs.client.Do(req)
	if err != nil {
		return fmt.Errorf("content safety: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("content safety: %s", res.Status)
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, maxEmbeddingsBody)).Decode(out); err != nil {
		return fmt.Errorf("content safety's answer: %w", err)
	}
	return nil
}

// safetyText is the text Content Safety checks: every message's content
// (whatever its role), the prompt and the input, one per line.
func safetyText(body []byte) string {
	var req struct {
		Messages []chatMessage   `json:"messages"`
		Prompt   json.RawMessage `json:"prompt"`
		Input    json.RawMessage `json:"input"`
	}
	if json.Unmarshal(body, &req) != nil {
		return ""
	}
	var parts []string
	for _, m := range req.Messages {
		if s := contentText(m.Content); s != "" {
			parts = append(parts, s)
		}
	}
	for _, raw := range []json.RawMessage{req.Prompt, req.Input} {
		if s := contentText(raw); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n")
}
