package builtin

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// rewriteURI implements <rewrite-uri template="/v2/items/{id}?a={a}"
// copy-unmatched-params="true|false">: the path (and query) sent to the
// backend, with {name} filled from the operation's template parameters
// (and the request's query parameters). Dot segments in the result are
// resolved, and a path that climbs above the service URL's base path or
// holds a backslash or control character is refused: a literal template
// when the policy is saved, a filled one with 400 (package urlpath).
type rewriteURI struct {
	template policy.Value
	copy     bool
}

var _ policy.Step = (*rewriteURI)(nil)

func compileRewriteURI(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "template", "copy-unmatched-params")
	if s := c.Section(); s != policy.Inbound && s != policy.Backend {
		c.Errorf(n, "belongs in inbound or backend")
	}
	tpl, _ := c.Attr(n, "template", true)
	if lit, ok := tpl.Literal(); ok && !strings.Contains(lit, "{") {
		path, _, _ := strings.Cut(lit, "?")
		if _, err := cleanRewrittenPath("/" + strings.TrimPrefix(path, "/")); err != nil {
			a, _ := n.Attr("template")
			c.AttrErrorf(n, a, "%q: %v", lit, err)
		}
	}
	copyParams := true
	if s, a, ok := c.Literal(n, "copy-unmatched-params", false); ok {
		switch s {
		case "true":
		case "false":
			copyParams = false
		default:
			c.AttrErrorf(n, a, "%q: want true or false", s)
		}
	}
	return &rewriteURI{template: tpl, copy: copyParams}
}

func (rw *rewriteURI) Do(c *policy.Context) error {
	tpl, err := rw.template.String(c)
	if err != nil {
		return err
	}
	query := c.Request.URL.QueryValues()
	used := map[string]bool{}
	fill := func(s string, escape func(string) string) string {
		var b strings.Builder
		for {
			i := strings.IndexByte(s, '{')
			j := strings.IndexByte(s, '}')
			if i < 0 || j < i {
				b.WriteString(s)
				return b.String()
			}
			b.WriteString(s[:i])
			name := s[i+1 : j]
			v, ok := c.Request.Parameters()[name]
			if !ok && query != nil {
				v, ok = query.Get(name), query.Has(name)
			}
			if ok {
				used[name] = true
				b.WriteString(escape(v))
			}
			s = s[j+1:]
		}
	}
	path, rawQuery, _ := strings.Cut(tpl, "?")
	path = fill(path, func(v string) string { return v })
	newQuery := url.Values{}
	for _, kv := range strings.Split(rawQuery, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		val := fill(v, func(s string) string { return s })
		if val == "" && strings.Contains(v, "{") {
			continue // an unmatched optional parameter
		}
		newQuery.Add(k, val)
	}
	if rw.copy {
		for k, vs := range query {
			if !used[k] && !newQuery.Has(k) {
				newQuery[k] = vs
			}
		}
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	if path, err = cleanRewrittenPath(path); err != nil {
		return refuseBackendPath(fmt.Errorf("rewritten path: %w", err))
	}
	c.Path = path
	c.Request.URL.SetQuery(newQuery)
	return nil
}
