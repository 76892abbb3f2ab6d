package builtin

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/limits"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// tokenLimit implements <llm-token-limit> and <azure-openai-token-limit>
// (the same element under two names): per counter-key, at most
// tokens-per-minute tokens in each minute and token-quota tokens in each
// token-quota-period (Hourly, Daily, Weekly, Monthly, Yearly: fixed
// windows starting at the UTC hour, day, Monday, month or year).
//
// Before the request is forwarded it is refused when a counter has no
// tokens left, or, with estimate-prompt-tokens="true" or a request with
// "stream": true, when the estimate of its prompt's tokens (see
// llm_tokens.go) does not fit; that estimate is counted then. Once the
// backend answers, the usage it reports is counted beyond the estimate
// already counted (see onUsage: a server-sent event stream without usage
// is estimated). A request whose prompt was counted is never given
// tokens back.
//
// A refused request gets 429 (tokens-per-minute) or 403 (token-quota),
// with Retry-After (or retry-after-header-name instead), and
// retry-after-variable-name. remaining-tokens-* and
// remaining-quota-tokens-* are set after the decision and, for a JSON
// response of known length up to 4 MiB, again after its usage is
// counted; tokens-consumed-* then too, before outbound runs (a stream's
// headers have gone before its usage is known: it gets neither).
type tokenLimit struct {
	store    limits.Store
	key      policy.Value
	tpm      intAttr // 0: none
	quota    int64   // 0: none
	period   quotaPeriod
	estimate bool
	out      tokenOutputs
}

var _ policy.Step = (*tokenLimit)(nil)

// tokenOutputs are the optional headers and variables of the token limits.
type tokenOutputs struct {
	retryHeader, retryVar         string
	remainingHeader, remainingVar string
	quotaHeader, quotaVar         string
	consumedHeader, consumedVar   string
}

var tokenLimitAttrs = []string{"counter-key", "tokens-per-minute", "token-quota", "token-quota-period", "estimate-prompt-tokens",
	"retry-after-header-name", "retry-after-variable-name", "remaining-quota-tokens-header-name", "remaining-quota-tokens-variable-name",
	"remaining-tokens-header-name", "remaining-tokens-variable-name", "tokens-consumed-header-name", "tokens-consumed-variable-name"}

func compileTokenLimit(store limits.Store) policy.CompileFunc {
	return func(n *policy.Node, c *policy.Compiler) policy.Step {
		c.Only(n, tokenLimitAttrs...)
		onlyInbound(n, c)
		for _, ch := range n.Children {
			c.Errorf(ch, "<%s> has no child elements", n.Name)
		}
		t := &tokenLimit{store: store}
		t.key, _ = c.Attr(n, "counter-key", true)
		_, hasTPM := n.Attr("tokens-per-minute")
		_, hasQuota := n.Attr("token-quota")
		_, hasPeriod := n.Attr("token-quota-period")
		if !hasTPM && !hasQuota {
			c.Errorf(n, "attribute tokens-per-minute or token-quota (with token-quota-period) is required")
		}
		if hasTPM {
			t.tpm = compileIntAttr(n, c, "tokens-per-minute", true, 1, 0)
		}
		if hasQuota || hasPeriod {
			t.quota, _ = literalInt(n, c, "token-quota", true, 1)
			if s, a, ok := c.Literal(n, "token-quota-period", true); ok {
				p, err := parseQuotaPeriod(s)
				if err != nil {
					c.AttrErrorf(n, a, "%v", err)
				}
				t.period = p
			}
		}
		if _, ok := n.Attr("estimate-prompt-tokens"); !ok {
			c.Errorf(n, "attribute estimate-prompt-tokens is required")
		}
		t.estimate = compileBool(n, c, "estimate-prompt-tokens", false)
		o := &t.out
		for i, p := range []*string{&o.retryHeader, &o.retryVar, &o.quotaHeader, &o.quotaVar, &o.remainingHeader, &o.remainingVar, &o.consumedHeader, &o.consumedVar} {
			*p, _, _ = c.Literal(n, tokenLimitAttrs[5+i], false)
		}
		return t
	}
}

// quotaPeriod is a token-quota-period.
type quotaPeriod int

const (
	hourly quotaPeriod = iota + 1
	daily
	weekly
	monthly
	yearly
)

var quotaPeriods = map[string]quotaPeriod{"hourly": hourly, "daily": daily, "weekly": weekly, "monthly": monthly, "yearly": yearly}

func parseQuotaPeriod(s string) (quotaPeriod, error) {
	p, ok := quotaPeriods[strings.ToLower(strings.TrimSpace(s))]
	if !ok {
		return 0, fmt.Errorf("%q: want Hourly, Daily, Weekly, Monthly or Yearly", s)
	}
	return p, nil
}

// window returns the period holding now: its start (the UTC timestamp
// truncated to the period's unit; weeks start on Monday) and its end.
func (p quotaPeriod) window(now time.Time) (start, end time.Time) {
	now = now.UTC()
	y, m, d := now.Date()
	switch p {
	case hourly:
		start = now.Truncate(time.Hour)
		return start, start.Add(time.Hour)
	case daily:
		start = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		return start, start.AddDate(0, 0, 1)
	case weekly:
		back := (int(now.Weekday()) + 6) % 7 // days since Monday
		start = time.Date(y, m, d-back, 0, 0, 0, 0, time.UTC)
		return start, start.AddDate(0, 0, 7)
	case monthly:
		start = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
		return start, start.AddDate(0, 1, 0)
	default:
		start = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		return start, start.AddDate(1, 0, 0)
	}
}

// tokenCounters are the counters of one request.
type tokenCounters struct {
	group      string
	tpm, quota *limits.Counter // nil: none
}

func (t *tokenLimit) Do(c *policy.Context) error {
	key, err := t.key.String(c)
	if err != nil {
		return fmt.Errorf("counter-key: %w", err)
	}
	tpm, err := t.tpm.eval(c)
	if err != nil {
		return fmt.Errorf("tokens-per-minute: %w", err)
	}
	prompt, err := requestPrompt(c)
	if err != nil {
		return fmt.Errorf("read the request body: %w", err)
	}
	var est int64
	if t.estimate || prompt.stream {
		est = prompt.tokens
	}
	tc := tokenCounters{group: "token-limit:" + key}
	var cs []limits.Counter
	if tpm > 0 {
		cs = append(cs, limits.Counter{Key: "tpm:" + strconv.FormatInt(tpm, 10), Limit: tpm, Period: time.Minute, Fixed: true, N: est})
	}
	if t.quota > 0 {
		start, end := t.period.window(now(c))
		cs = append(cs, limits.Counter{Key: "quota:" + strconv.FormatInt(t.quota, 10) + "@" + strconv.FormatInt(start.Unix(), 10),
			Limit: t.quota, Period: end.Sub(start), Fixed: true, Start: start, N: est})
	}
	ds, err := take(c, t.store, tc.group, cs)
	if err != nil {
		return err
	}
	if !limits.Allowed(ds) {
		return t.refuse(c, cs, ds)
	}
	for i := range cs {
		if strings.HasPrefix(cs[i].Key, "tpm:") {
			tc.tpm = &cs[i]
		} else {
			tc.quota = &cs[i]
		}
		t.out.record(c, cs[i], ds[i].Remaining)
	}
	onUsage(c, prompt.tokens, func(c *policy.Context, u usage, late bool) { t.counted(c, tc, est, u, late) })
	return nil
}

// refuse answers a request a counter refused: 403 when the quota did,
// else 429.
func (t *tokenLimit) refuse(c *policy.Context, cs []limits.Counter, ds []limits.Decision) error {
	quota := false
	var retry time.Duration
	for i, d := range ds {
		t.out.record(c, cs[i], d.Remaining)
		if !d.Allowed {
			quota = quota || strings.HasPrefix(cs[i].Key, "quota:")
			retry = max(retry, d.RetryAfter)
		}
	}
	secs := retrySeconds(retry)
	h := http.Header{}
	retryHeader := "Retry-After"
	if t.out.retryHeader != "" {
		retryHeader = t.out.retryHeader
	}
	h.Set(retryHeader, strconv.FormatInt(secs, 10))
	if t.out.retryVar != "" {
		c.SetVariable(t.out.retryVar, int(secs))
	}
	if quota {
		msg := "Token quota is exceeded. Quota will be replenished in " + timeSpan(retry) + "."
		return refuse(http.StatusForbidden, "TokenQuotaExceeded", msg, msg, h)
	}
	return refuse(http.StatusTooManyRequests, "TokenLimitExceeded", "Token limit is exceeded",
		fmt.Sprintf("Token limit is exceeded. Try again in %d seconds.", secs), h)
}

// record sets the remaining-* header and variable of counter cs.
func (o tokenOutputs) record(c *policy.Context, cs limits.Counter, remaining int64) {
	header, variable := o.remainingHeader, o.remainingVar
	if strings.HasPrefix(cs.Key, "quota:") {
		header, variable = o.quotaHeader, o.quotaVar
	}
	if variable != "" {
		c.SetVariable(variable, int(remaining))
	}
	if header != "" {
		if c.ResponseHeaders == nil {
			c.ResponseHeaders = http.Header{}
		}
		c.ResponseHeaders.Set(header, strconv.FormatInt(remaining, 10))
	}
}

// counted counts what the backend's response reports, u, beyond est,
// what was counted before forwarding. Before the response is written
// (not late) it also sets the remaining-* and tokens-consumed-* outputs.
func (t *tokenLimit) counted(c *policy.Context, tc tokenCounters, est int64, u usage, late bool) {
	if late {
		ctx, cancel := detached(c)
		defer cancel()
		t.count(ctx, c, tc, u.total-est, false)
		return
	}
	ctx := c.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	t.count(ctx, c, tc, u.total-est, true)
	if t.out.consumedVar != "" {
		c.SetVariable(t.out.consumedVar, int(u.total))
	}
	if t.out.consumedHeader != "" {
		if c.ResponseHeaders == nil {
			c.ResponseHeaders = http.Header{}
		}
		c.ResponseHeaders.Set(t.out.consumedHeader, strconv.FormatInt(u.total, 10))
	}
}

// count adds n tokens to each counter of tc, past its limit if need be
// (the tokens are spent); record updates the remaining-* outputs.
// Failures go to the trace: the response is on its way.
func (t *tokenLimit) count(ctx context.Context, c *policy.Context, tc tokenCounters, n int64, record bool) {
	if n <= 0 {
		return
	}
	for _, cs := range []*limits.Counter{tc.tpm, tc.quota} {
		if cs == nil {
			continue
		}
		later := *cs
		later.N, later.Overdraw = n, true
		ds, err := t.store.Take(ctx, tc.group, []limits.Counter{later})
		if err != nil {
			if c.Trace != nil {
				c.Trace("llm-token-limit", "counting the response's tokens: "+err.Error())
			}
			continue
		}
		if record {
			rem := ds[0].Remaining
			if !ds[0].Allowed {
				rem = 0 // used up by others meanwhile
			}
			t.out.record(c, later, rem)
		}
	}
}

// isEventStream reports whether h describes a server-sent event stream.
func isEventStream(h http.Header) bool {
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	return mt == "text/event-stream"
}

// detached returns a context for work after the response has gone: the
// client may be gone, the work is done all the same, within
// afterResponseTimeout.
func detached(c *policy.Context) (context.Context, context.CancelFunc) {
	base := c.Ctx
	if base == nil {
		base = context.Background()
	}
	return context.WithTimeout(context.WithoutCancel(base), afterResponseTimeout)
}

// now is the request's clock.
func now(c *policy.Context) time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}
