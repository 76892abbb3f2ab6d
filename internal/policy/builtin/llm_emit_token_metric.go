package builtin

import (
	"fmt"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// The Prometheus names of the token metrics: APIM's Prompt Tokens,
// Completion Tokens and Total Tokens.
const (
	promptTokensMetric     = "gatehouse_llm_prompt_tokens_total"
	completionTokensMetric = "gatehouse_llm_completion_tokens_total"
	totalTokensMetric      = "gatehouse_llm_tokens_total"
)

// emitTokenMetric implements <llm-emit-token-metric namespace="...">
// and <azure-openai-emit-token-metric> (the same element under two
// names), with 1 to 10 <dimension name value> children: it adds the
// prompt, completion and total tokens of each response to three
// Prometheus counters (gatehouse_llm_prompt_tokens_total,
// gatehouse_llm_completion_tokens_total, gatehouse_llm_tokens_total)
// labelled with the namespace (default "API Management") and the
// dimensions, whose values are evaluated in inbound. The tokens are the
// usage a JSON response reports (nothing is counted for one without
// usage), or, for a server-sent event stream, the usage of its last
// chunk, else estimates (see llm_tokens.go) once the stream has gone.
type emitTokenMetric struct {
	metrics                   *Metrics
	ns                        string
	dims                      []dimension
	prompt, completion, total *family
}

var _ policy.Step = (*emitTokenMetric)(nil)

func compileEmitTokenMetric(m *Metrics) policy.CompileFunc {
	return func(n *policy.Node, c *policy.Compiler) policy.Step {
		c.Only(n, "namespace")
		onlyInbound(n, c)
		e := &emitTokenMetric{metrics: m, ns: defaultNamespace}
		if ns, _, ok := c.Literal(n, "namespace", false); ok {
			e.ns = ns
		}
		var labels []string
		e.dims, labels = compileDimensions(n, c)
		e.prompt = newFamily(promptTokensMetric, "Prompt tokens of language-model responses (llm-emit-token-metric).", counterKind, labels)
		e.completion = newFamily(completionTokensMetric, "Completion tokens of language-model responses (llm-emit-token-metric).", counterKind, labels)
		e.total = newFamily(totalTokensMetric, "Total tokens of language-model responses (llm-emit-token-metric).", counterKind, labels)
		return e
	}
}

func (e *emitTokenMetric) Do(c *policy.Context) error {
	vals, err := dimensionValues(c, e.ns, e.dims)
	if err != nil {
		return err
	}
	prompt, err := requestPrompt(c)
	if err != nil {
		return fmt.Errorf("read the request body: %w", err)
	}
	onUsage(c, prompt.tokens, func(_ *policy.Context, u usage, _ bool) {
		e.metrics.add(e.prompt, vals, float64(u.prompt))
		e.metrics.add(e.completion, vals, float64(u.completion))
		e.metrics.add(e.total, vals, float64(u.total))
	})
	return nil
}
