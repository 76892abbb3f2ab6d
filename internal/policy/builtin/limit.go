package builtin

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/limits"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// This file holds what rate-limit, rate-limit-by-key, quota and
// quota-by-key share: reading their attributes and answering a refusal.

// maxRenewalPeriod bounds renewal-period: about 100 years, well inside
// time.Duration.
const maxRenewalPeriod = 100 * 366 * 24 * 3600

// parseRenewalPeriod reads a renewal-period: whole seconds, at least 1.
func parseRenewalPeriod(s string) (time.Duration, error) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || v < 1 || v > maxRenewalPeriod {
		return 0, fmt.Errorf("%q: want whole seconds from 1 to %d", s, maxRenewalPeriod)
	}
	return time.Duration(v) * time.Second, nil
}

// parseCount reads calls, bandwidth or increment-count: a whole number
// from least to 2^53 (what a Lua number holds exactly).
func parseCount(s string, least int64) (int64, error) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || v < least || v > 1<<53 {
		return 0, fmt.Errorf("%q: want a whole number from %d to 2^53", s, least)
	}
	return v, nil
}

// parseFirstPeriodStart reads first-period-start: an ISO 8601 date and
// time with a zone (2024-01-01T00:00:00Z), or without one (UTC), or a
// date alone (midnight UTC).
func parseFirstPeriodStart(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1970 || t.Year() > 9999 {
				break
			}
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: want an ISO 8601 date and time such as 2024-01-01T00:00:00Z, from 1970", s)
}

// literalInt compiles a literal whole-number attribute of n; ok is false
// when it is missing or wrong (and wrong is reported).
func literalInt(n *policy.Node, c *policy.Compiler, name string, required bool, least int64) (int64, bool) {
	s, a, ok := c.Literal(n, name, required)
	if !ok {
		return 0, false
	}
	v, err := parseCount(s, least)
	if err != nil {
		c.AttrErrorf(n, a, "%v", err)
		return 0, false
	}
	return v, true
}

// literalPeriod compiles a literal renewal-period attribute of n.
func literalPeriod(n *policy.Node, c *policy.Compiler) time.Duration {
	s, a, ok := c.Literal(n, "renewal-period", true)
	if !ok {
		return 0
	}
	d, err := parseRenewalPeriod(s)
	if err != nil {
		c.AttrErrorf(n, a, "%v", err)
	}
	return d
}

// intAttr is a whole-number attribute that may be an expression.
type intAttr struct {
	v     policy.Value
	least int64
	lit   int64
}

// compileIntAttr compiles attribute name of n; a literal is checked now.
func compileIntAttr(n *policy.Node, c *policy.Compiler, name string, required bool, least, def int64) intAttr {
	v, ok := c.Attr(n, name, required)
	ia := intAttr{v: v, least: least, lit: def}
	if lit, isLit := v.Literal(); ok && isLit {
		x, err := parseCount(lit, least)
		if err != nil {
			a, _ := n.Attr(name)
			c.AttrErrorf(n, a, "%v", err)
		}
		ia.lit, ia.v = x, policy.Value{}
	}
	return ia
}

// eval returns the attribute's value for this request.
func (ia intAttr) eval(c *policy.Context) (int64, error) {
	if !ia.v.IsSet() {
		return ia.lit, nil
	}
	s, err := ia.v.String(c)
	if err != nil {
		return 0, err
	}
	return parseCount(s, ia.least)
}

// periodAttr is a renewal-period that may be an expression.
type periodAttr struct {
	v   policy.Value
	lit time.Duration
}

func compilePeriodAttr(n *policy.Node, c *policy.Compiler) periodAttr {
	v, ok := c.Attr(n, "renewal-period", true)
	if lit, isLit := v.Literal(); ok && isLit {
		d, err := parseRenewalPeriod(lit)
		if err != nil {
			a, _ := n.Attr("renewal-period")
			c.AttrErrorf(n, a, "%v", err)
		}
		return periodAttr{lit: d}
	}
	return periodAttr{v: v}
}

func (pa periodAttr) eval(c *policy.Context) (time.Duration, error) {
	if !pa.v.IsSet() {
		return pa.lit, nil
	}
	s, err := pa.v.String(c)
	if err != nil {
		return 0, err
	}
	return parseRenewalPeriod(s)
}

// onlyInbound reports n unless it is in the inbound section, the only
// one APIM allows limits in.
func onlyInbound(n *policy.Node, c *policy.Compiler) {
	if c.Section() != policy.Inbound {
		c.Errorf(n, "belongs in the inbound section")
	}
}

// incrementCondition is a compiled increment-condition.
type incrementCondition struct {
	v policy.Value
	// onResponse is set when the condition looks at context.Response: as
	// in APIM, the request is then checked against the counter before it
	// is forwarded and counted once the response is known.
	onResponse bool
}

// compileIncrementCondition compiles increment-condition.
func compileIncrementCondition(n *policy.Node, c *policy.Compiler) incrementCondition {
	v, ok := c.Condition(n, "increment-condition", false)
	return incrementCondition{v: v, onResponse: ok && strings.Contains(v.Source(), "context.Response")}
}

// counts reports whether the request counts: increment-condition is
// unset or true.
func counts(c *policy.Context, cond policy.Value) (bool, error) {
	if !cond.IsSet() {
		return true, nil
	}
	ok, err := cond.Bool(c)
	if err != nil {
		return false, fmt.Errorf("increment-condition: %w", err)
	}
	return ok, nil
}

// afterResponseTimeout bounds counting once the response has gone.
const afterResponseTimeout = 2 * time.Second

// countAfterResponse makes the request count once its response is known,
// when cond (unset: always) holds for it: counters(sent) are added to
// group, sent being the response body's size. The request has been
// answered by then, so refusals are moot; failures go to the trace.
func countAfterResponse(c *policy.Context, store limits.Store, group string, cond policy.Value, counters func(sent int64) []limits.Counter) {
	c.AfterResponse(func(c *policy.Context, sent int64) {
		ok, err := counts(c, cond)
		if err == nil && ok {
			if cs := counters(sent); len(cs) > 0 {
				// The client may be gone (an aborted download): count all
				// the same.
				base := c.Ctx
				if base == nil {
					base = context.Background()
				}
				ctx, cancel := context.WithTimeout(context.WithoutCancel(base), afterResponseTimeout)
				_, err = store.Take(ctx, group, cs)
				cancel()
			}
		}
		if err != nil && c.Trace != nil {
			c.Trace("limits", "counting after the response: "+err.Error())
		}
	})
}

// take asks store for a decision, with the request's context.
func take(c *policy.Context, store limits.Store, group string, cs []limits.Counter) ([]limits.Decision, error) {
	ctx := c.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	ds, err := store.Take(ctx, group, cs)
	if err != nil {
		return nil, fmt.Errorf("limits store: %w", err)
	}
	return ds, nil
}

// summary merges decisions: the fewest remaining units and, when refused,
// the longest wait and the refused counter's limit.
func summary(cs []limits.Counter, ds []limits.Decision) (remaining, limit int64, retry time.Duration) {
	remaining = math.MaxInt64
	for i, d := range ds {
		if d.Remaining < remaining {
			remaining, limit = d.Remaining, cs[i].Limit
		}
		if d.RetryAfter > retry {
			retry = d.RetryAfter
		}
	}
	if len(ds) == 0 {
		remaining = 0
	}
	return remaining, limit, retry
}

// retrySeconds rounds a wait up to whole seconds, at least 1.
func retrySeconds(d time.Duration) int64 {
	return max(int64((d+time.Second-1)/time.Second), 1)
}

// outputs are the optional headers and variables of rate-limit and
// rate-limit-by-key.
type outputs struct {
	retryHeader, retryVar         string
	remainingHeader, remainingVar string
	totalHeader                   string
}

var outputAttrs = []string{"retry-after-header-name", "retry-after-variable-name", "remaining-calls-header-name", "remaining-calls-variable-name", "total-calls-header-name"}

func compileOutputs(n *policy.Node, c *policy.Compiler) outputs {
	var o outputs
	for i, p := range []*string{&o.retryHeader, &o.retryVar, &o.remainingHeader, &o.remainingVar, &o.totalHeader} {
		*p, _, _ = c.Literal(n, outputAttrs[i], false)
	}
	return o
}

// record sets remaining-calls-variable-name after every decision, and
// remaining-calls-header-name and total-calls-header-name on whatever
// response the request gets (through c.ResponseHeaders).
func (o outputs) record(c *policy.Context, remaining, total int64) {
	if o.remainingVar != "" {
		c.SetVariable(o.remainingVar, int(remaining))
	}
	if o.remainingHeader == "" && o.totalHeader == "" {
		return
	}
	if c.ResponseHeaders == nil {
		c.ResponseHeaders = http.Header{}
	}
	if o.remainingHeader != "" {
		c.ResponseHeaders.Set(o.remainingHeader, strconv.FormatInt(remaining, 10))
	}
	if o.totalHeader != "" {
		c.ResponseHeaders.Set(o.totalHeader, strconv.FormatInt(total, 10))
	}
}

// refuseRate refuses with 429 as APIM does, with Retry-After and the
// optional headers and variables of o.
func refuseRate(c *policy.Context, o outputs, retry time.Duration, remaining, total int64) error {
	secs := retrySeconds(retry)
	h := http.Header{}
	h.Set("Retry-After", strconv.FormatInt(secs, 10))
	if o.retryHeader != "" {
		h.Set(o.retryHeader, strconv.FormatInt(secs, 10))
	}
	if o.remainingHeader != "" {
		h.Set(o.remainingHeader, strconv.FormatInt(remaining, 10))
	}
	if o.totalHeader != "" {
		h.Set(o.totalHeader, strconv.FormatInt(total, 10))
	}
	if o.retryVar != "" {
		c.SetVariable(o.retryVar, int(secs))
	}
	o.record(c, remaining, total)
	return refuse(http.StatusTooManyRequests, "RateLimitExceeded", "Rate limit is exceeded",
		fmt.Sprintf("Rate limit is exceeded. Try again in %d seconds.", secs), h)
}

// refuseQuota refuses with 403 as APIM does; bandwidth tells which
// quota ran out.
func refuseQuota(retry time.Duration, bandwidth bool) error {
	h := http.Header{}
	h.Set("Retry-After", strconv.FormatInt(retrySeconds(retry), 10))
	what := "call volume"
	if bandwidth {
		what = "bandwidth"
	}
	msg := "Out of " + what + " quota. Quota will be replenished in " + timeSpan(retry) + "."
	return refuse(http.StatusForbidden, "QuotaExceeded", msg, msg, h)
}

// timeSpan formats d as .NET's TimeSpan does: [d.]hh:mm:ss, seconds
// rounded up.
func timeSpan(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	days, s := s/86400, s%86400
	out := fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
	if days > 0 {
		out = strconv.FormatInt(days, 10) + "." + out
	}
	return out
}

// scopeMatch reports whether an <api> or <operation> child of a limit,
// naming name and/or id, applies to the request's API or operation.
func scopeMatch(name, id, gotName, gotID string) bool {
	return (name != "" && strings.EqualFold(name, gotName)) || (id != "" && strings.EqualFold(id, gotID))
}

// subscriptionID is the counter key of rate-limit and quota: the
// subscription's id, or "-" for requests without one (they share).
func subscriptionID(c *policy.Context) string {
	if c.Subscription == nil {
		return "-"
	}
	return c.Subscription.ID
}

// nestedLimit is an <api> or <operation> child of rate-limit or quota.
type nestedLimit struct {
	apiName, apiID string
	opName, opID   string // both empty for an <api> limit
	calls, kb      int64  // 0: none
	period         time.Duration
}

// applies reports whether l limits the request's API and operation.
func (l nestedLimit) applies(c *policy.Context) bool {
	if c.API == nil || !scopeMatch(l.apiName, l.apiID, c.API.Name, c.API.ID) {
		return false
	}
	if l.opName == "" && l.opID == "" {
		return true
	}
	return c.Operation != nil && scopeMatch(l.opName, l.opID, c.Operation.Name, c.Operation.ID)
}

// key names l's counters (what: "calls" or "kb").
func (l nestedLimit) key(what string) string {
	limit := l.calls
	if what == "kb" {
		limit = l.kb
	}
	k := limitKey(what, limit, l.period) + ":api:" + l.apiName + "|" + l.apiID
	if l.opName != "" || l.opID != "" {
		k += ":op:" + l.opName + "|" + l.opID
	}
	return k
}

// limitKey names a counter by what it counts and its limit: two elements
// with the same limit share a counter within a group.
func limitKey(what string, limit int64, period time.Duration) string {
	return what + ":" + strconv.FormatInt(limit, 10) + "/" + strconv.FormatInt(int64(period/time.Second), 10)
}

// compileNested compiles the <api> children of n (and their <operation>
// children). bandwidth allows the bandwidth attribute (quota).
func compileNested(n *policy.Node, c *policy.Compiler, bandwidth bool) []nestedLimit {
	var out []nestedLimit
	for _, api := range n.Children {
		if api.Name != "api" {
			c.Errorf(api, "only <api> elements belong in <%s>", n.Name)
			continue
		}
		l, ok := compileNestedOne(api, c, bandwidth)
		if ok {
			out = append(out, l)
		}
		for _, op := range api.Children {
			if op.Name != "operation" {
				c.Errorf(op, "only <operation> elements belong in <api>")
				continue
			}
			ol, ok := compileNestedOne(op, c, bandwidth)
			ol.apiName, ol.apiID, ol.opName, ol.opID = l.apiName, l.apiID, ol.apiName, ol.apiID
			if ok {
				out = append(out, ol)
			}
		}
	}
	return out
}

// compileNestedOne compiles one <api> or <operation>; its name and id
// land in apiName and apiID.
func compileNestedOne(n *policy.Node, c *policy.Compiler, bandwidth bool) (nestedLimit, bool) {
	attrs := []string{"name", "id", "calls", "renewal-period"}
	if bandwidth {
		attrs = append(attrs, "bandwidth")
	}
	c.Only(n, attrs...)
	var l nestedLimit
	l.apiName, _, _ = c.Literal(n, "name", false)
	l.apiID, _, _ = c.Literal(n, "id", false)
	if l.apiName == "" && l.apiID == "" {
		c.Errorf(n, "attribute name or id is required")
	}
	l.calls, _ = literalInt(n, c, "calls", !bandwidth, 1)
	if bandwidth {
		l.kb, _ = literalInt(n, c, "bandwidth", false, 1)
		if _, hasCalls := n.Attr("calls"); !hasCalls && l.kb == 0 {
			if _, hasKB := n.Attr("bandwidth"); !hasKB {
				c.Errorf(n, "attribute calls or bandwidth is required")
			}
		}
	}
	l.period = literalPeriod(n, c)
	return l, l.period > 0 && (l.apiName != "" || l.apiID != "")
}
