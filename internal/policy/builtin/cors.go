package builtin

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// cors implements <cors allow-credentials="false"
// terminate-unmatched-request="true"> with <allowed-origins> (<origin>,
// "*" for any), <allowed-methods preflight-result-max-age="...">
// (<method>, "*" for any; GET and POST when absent), <allowed-headers>
// and <expose-headers> (<header>).
//
// A preflight request (OPTIONS with Origin and
// Access-Control-Request-Method) is answered here: 200 with the
// Access-Control-Allow-* headers when origin, method and headers are
// allowed, else an empty 200 (or, with terminate-unmatched-request
// false, the pipeline goes on). Another request from an allowed origin
// goes on, and Access-Control-Allow-Origin, -Allow-Credentials and
// -Expose-Headers are added to its response through
// Context.ResponseHeaders; a GET or HEAD from another origin ends with an
// empty 200 unless terminate-unmatched-request is false.
type cors struct {
	credentials bool
	terminate   bool
	anyOrigin   bool
	origins     []string // lower case, no trailing '/'
	anyMethod   bool
	methods     []string // upper case
	maxAge      int      // seconds; 0: no Access-Control-Max-Age
	anyHeader   bool
	headers     []string // lower case
	expose      []string
}

var _ policy.Step = (*cors)(nil)

func compileCORS(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "allow-credentials", "terminate-unmatched-request")
	requireInbound(n, c)
	co := &cors{
		credentials: compileBool(n, c, "allow-credentials", false),
		terminate:   compileBool(n, c, "terminate-unmatched-request", true),
		methods:     []string{http.MethodGet, http.MethodPost},
	}
	seen := map[string]bool{}
	for _, ch := range n.Children {
		if seen[ch.Name] {
			c.Errorf(ch, "<%s> appears twice", ch.Name)
			continue
		}
		seen[ch.Name] = true
		switch ch.Name {
		case "allowed-origins":
			c.Only(ch)
			co.anyOrigin, co.origins = corsList(ch, c, "origin", normalizeOrigin)
		case "allowed-methods":
			c.Only(ch, "preflight-result-max-age")
			co.maxAge = compileMaxAge(ch, c)
			co.anyMethod, co.methods = corsList(ch, c, "method", strings.ToUpper)
		case "allowed-headers":
			c.Only(ch)
			co.anyHeader, co.headers = corsList(ch, c, "header", strings.ToLower)
		case "expose-headers":
			c.Only(ch)
			var anyExpose bool
			anyExpose, co.expose = corsList(ch, c, "header", http.CanonicalHeaderKey)
			if anyExpose {
				co.expose = []string{"*"}
			}
		default:
			c.Errorf(ch, "only <allowed-origins>, <allowed-methods>, <allowed-headers> and <expose-headers> belong in <cors>")
		}
	}
	switch {
	case !seen["allowed-origins"]:
		c.Errorf(n, "<allowed-origins> is required")
	case co.credentials && co.anyOrigin:
		c.Errorf(n, `allow-credentials="true" cannot be used with the origin "*": browsers refuse it; list the origins`)
	}
	return co
}

// corsList compiles the children called item of n: whether one is "*",
// and the others made canonical by norm.
func corsList(n *policy.Node, c *policy.Compiler, item string, norm func(string) string) (bool, []string) {
	var all bool
	var out []string
	for _, ch := range n.Children {
		if ch.Name != item {
			c.Errorf(ch, "only <%s> elements belong in <%s>", item, n.Name)
			continue
		}
		c.Only(ch)
		v, ok := literalText(ch, c)
		v = strings.TrimSpace(v)
		switch {
		case !ok:
		case v == "":
			c.Errorf(ch, "<%s> is empty", item)
		case v == "*":
			all = true
		default:
			out = append(out, norm(v))
		}
	}
	if !all && len(out) == 0 {
		c.Errorf(n, "at least one <%s> is required", item)
	}
	return all, out
}

// compileMaxAge reads preflight-result-max-age, whole seconds.
func compileMaxAge(n *policy.Node, c *policy.Compiler) int {
	s, a, ok := c.Literal(n, "preflight-result-max-age", false)
	if !ok {
		return 0
	}
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || v < 0 {
		c.AttrErrorf(n, a, "%q: want whole seconds, 0 or more", s)
	}
	return v
}

// normalizeOrigin makes an origin comparable: lower case, without a
// trailing '/'.
func normalizeOrigin(s string) string { return strings.TrimSuffix(strings.ToLower(s), "/") }

func (co *cors) Do(c *policy.Context) error {
	h := c.Request.Headers
	origin := h.Get("Origin")
	if origin == "" {
		return nil // not a cross-origin request
	}
	originOK := co.anyOrigin || slices.Contains(co.origins, normalizeOrigin(origin))
	if c.Request.Method == http.MethodOptions && h.Get("Access-Control-Request-Method") != "" {
		return co.preflight(c, origin, originOK)
	}
	if !originOK {
		if co.terminate && (c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead) {
			co.endEmpty(c)
		}
		return nil
	}
	if c.ResponseHeaders == nil {
		c.ResponseHeaders = http.Header{}
	}
	co.allowOrigin(c.ResponseHeaders, origin)
	if len(co.expose) > 0 {
		c.ResponseHeaders.Set("Access-Control-Expose-Headers", strings.Join(co.expose, ", "))
	}
	return nil
}

// preflight answers an OPTIONS preflight request.
func (co *cors) preflight(c *policy.Context, origin string, originOK bool) error {
	h := c.Request.Headers
	method := strings.TrimSpace(h.Get("Access-Control-Request-Method"))
	var requested []string
	for _, line := range h.Values("Access-Control-Request-Headers") {
		for _, name := range strings.Split(line, ",") {
			if name = strings.ToLower(strings.TrimSpace(name)); name != "" {
				requested = append(requested, name)
			}
		}
	}
	methodOK := co.anyMethod || slices.Contains(co.methods, strings.ToUpper(method))
	headersOK := co.anyHeader || !slices.ContainsFunc(requested, func(r string) bool { return !slices.Contains(co.headers, r) })
	if !originOK || !methodOK || !headersOK {
		if co.terminate {
			co.endEmpty(c)
		}
		return nil
	}
	out := http.Header{}
	co.allowOrigin(out, origin)
	if co.anyMethod {
		out.Set("Access-Control-Allow-Methods", method)
	} else {
		out.Set("Access-Control-Allow-Methods", strings.Join(co.methods, ", "))
	}
	if len(requested) > 0 {
		out.Set("Access-Control-Allow-Headers", strings.Join(requested, ", "))
	}
	if co.maxAge > 0 {
		out.Set("Access-Control-Max-Age", strconv.Itoa(co.maxAge))
	}
	c.Response = &expr.Response{StatusCode: http.StatusOK, StatusReason: "OK", Headers: out, Body: expr.BodyOf(nil)}
	c.End()
	return nil
}

// allowOrigin sets Access-Control-Allow-Origin (and -Credentials) in h.
func (co *cors) allowOrigin(h http.Header, origin string) {
	if co.anyOrigin {
		h.Set("Access-Control-Allow-Origin", "*")
		return
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	if co.credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
}

// endEmpty ends the pipeline with an empty 200, APIM's answer to a
// request that does not match the policy.
func (co *cors) endEmpty(c *policy.Context) {
	c.Response = &expr.Response{StatusCode: http.StatusOK, StatusReason: "OK", Headers: http.Header{}, Body: expr.BodyOf(nil)}
	c.End()
}
