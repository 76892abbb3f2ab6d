package builtin

import (
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/policy"
)

func TestRetry(t *testing.T) {
	// The condition reads a counter the children increase: three runs.
	doc := inbound(`<set-variable name="n" value="@(0)" /><retry condition="@((int)context.Variables[&quot;n&quot;] &lt; 3)" count="5" interval="0"><set-variable name="n" value="@((int)context.Variables[&quot;n&quot;] + 1)" /></retry>`)
	c := run(t, doc, nil)
	if c.Variables["n"] != 3 {
		t.Errorf("n = %v, want 3 runs", c.Variables["n"])
	}
	// count bounds the retries: one run and two retries.
	doc = inbound(`<set-variable name="n" value="@(0)" /><retry condition="true" count="2" interval="0"><set-variable name="n" value="@((int)context.Variables[&quot;n&quot;] + 1)" /></retry>`)
	if c := run(t, doc, nil); c.Variables["n"] != 3 {
		t.Errorf("n = %v, want 3 (1 + count)", c.Variables["n"])
	}
}

// TestRetryExpressions: APIM allows policy expressions in every retry
// attribute; they are evaluated when the element runs.
func TestRetryExpressions(t *testing.T) {
	doc := inbound(`<set-variable name="n" value="@(0)" /><retry condition="true" count="@(int.Parse(context.Request.Headers.GetValueOrDefault(&quot;X-Retries&quot;, &quot;1&quot;)))" interval="@(0)" delta="@(0)" first-fast-retry="@(true)"><set-variable name="n" value="@((int)context.Variables[&quot;n&quot;] + 1)" /></retry>`)
	c := run(t, doc, func(c *policy.Context) { c.Request.Headers.Set("X-Retries", "4") })
	if c.Variables["n"] != 5 {
		t.Errorf("n = %v, want 5 (1 + a count of 4)", c.Variables["n"])
	}
	d, err := policy.ParseIn(inbound(`<retry condition="true" count="@(context.Request.Headers.GetValueOrDefault(&quot;X-Retries&quot;, &quot;&quot;))" interval="0" />`), policy.Env{})
	if err != nil {
		t.Fatal(err)
	}
	eff, err := policy.Merge(nil, d)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewRegistry().Compile(eff, policy.Env{})
	if err != nil {
		t.Fatal(err)
	}
	c = newAccessContext()
	c.Request.Headers.Set("X-Retries", "51")
	if err := p.Run(policy.Inbound, c); err == nil || !strings.Contains(err.Error(), `count: "51": want a count from 1 to 50`) {
		t.Errorf("a count of 51 from an expression: %v", err)
	}
}

func TestRetryIntervals(t *testing.T) {
	tests := []struct {
		r    retry
		want []time.Duration
	}{
		{retry{interval: time.Second}, []time.Duration{time.Second, time.Second, time.Second}},
		{retry{interval: time.Second, firstFast: true}, []time.Duration{0, time.Second, time.Second}},
		{retry{interval: time.Second, delta: 2 * time.Second}, []time.Duration{time.Second, 3 * time.Second, 5 * time.Second}},
		{retry{interval: time.Second, delta: time.Second, limit: 4 * time.Second}, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second}},
	}
	for _, tt := range tests {
		for i, want := range tt.want {
			if got := tt.r.wait(i + 1); got != want {
				t.Errorf("%+v: wait(%d) = %v, want %v", tt.r, i+1, got, want)
			}
		}
	}
}

func TestWait(t *testing.T) {
	c := run(t, inbound(`<wait for="all"><choose><when condition="true"><set-header name="X-A"><value>1</value></set-header></when></choose><choose><when condition="true"><set-header name="X-B"><value>1</value></set-header></when></choose></wait>`), nil)
	if c.Request.Headers.Get("X-A") != "1" || c.Request.Headers.Get("X-B") != "1" {
		t.Errorf("wait for all: %v", c.Request.Headers)
	}
}

func TestRetryAndWaitErrors(t *testing.T) {
	for doc, want := range map[string]string{
		inbound(`<retry condition="true" count="0" interval="1" />`):                  `"0": want a count from 1 to 50`,
		inbound(`<retry condition="true" count="2" interval="1" max-interval="5" />`): "max-interval needs delta",
		inbound(`<wait for="some" />`):                                                `"some": want all or any`,
		inbound(`<wait><set-header name="a"><value>1</value></set-header></wait>`):    "only <send-request>, <cache-lookup-value> and <choose> belong in <wait>",
	} {
		d, err := policy.ParseIn(doc, policy.Env{})
		if err == nil {
			var eff *policy.Document
			if eff, err = policy.Merge(nil, d); err == nil {
				_, err = NewRegistry().Compile(eff, policy.Env{})
			}
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", doc, err, want)
		}
	}
}

// TestRetryAttributesAsAPIMDocumentsThem: expressions are allowed in
// every attribute, count is from 1 to 50, and intervals have no upper
// bound APIM does not document.
func TestRetryAttributesAsAPIMDocumentsThem(t *testing.T) {
	tests := []struct {
		name, attrs, want string // want: "" compiles, else in the error
	}{
		{name: "expressions", attrs: `count="@(3)" interval="@(1)" delta="@(1)" max-interval="@(10)" first-fast-retry="@(false)"`},
		{name: "a long interval", attrs: `count="1" interval="7200"`},
		{name: "too many", attrs: `count="51" interval="1"`, want: `count: "51": want a count from 1 to 50`},
		{name: "negative interval", attrs: `count="1" interval="-1"`, want: `interval: "-1": want whole seconds, at least 0`},
		{name: "max-interval without delta", attrs: `count="1" interval="1" max-interval="5"`, want: "max-interval needs delta"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := compileDoc(nil, inbound(`<retry condition="@(true)" `+tt.attrs+`><set-header name="a" exists-action="override"><value>1</value></set-header></retry>`))
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("does not compile: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}
