package builtin

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// requiredClaim is one <claim name="..." match="all|any" separator=",">
// of validate-jwt's <required-claims>: the token must have the claim and,
// when <value> children are given, its values must include all of them
// (match="all", the default) or one of them (match="any"). With a
// separator, each string value of the claim is split at it first (as for
// a space-separated "scp" claim).
type requiredClaim struct {
	name      string
	any       bool
	separator string
	values    []string
}

func compileRequiredClaims(n *policy.Node, c *policy.Compiler) []requiredClaim {
	var out []requiredClaim
	for _, ch := range n.Children {
		if ch.Name != "claim" {
			c.Errorf(ch, "only <claim> elements belong in <required-claims>")
			continue
		}
		c.Only(ch, "name", "match", "separator")
		rc := requiredClaim{}
		rc.name, _, _ = c.Literal(ch, "name", true)
		if m, a, ok := c.Literal(ch, "match", false); ok {
			switch m {
			case "all":
			case "any":
				rc.any = true
			default:
				c.AttrErrorf(ch, a, "%q: want all or any", m)
			}
		}
		rc.separator, _, _ = c.Literal(ch, "separator", false)
		for _, val := range ch.Children {
			if val.Name != "value" {
				c.Errorf(val, "only <value> elements belong in <claim>")
				continue
			}
			c.Only(val)
			if s, ok := literalText(val, c); ok {
				rc.values = append(rc.values, s)
			}
		}
		out = append(out, rc)
	}
	if len(out) == 0 {
		c.Errorf(n, "at least one <claim> is required")
	}
	return out
}

// satisfied reports whether the claims of a token meet rc.
func (rc requiredClaim) satisfied(claims map[string]any) bool {
	raw, ok := claims[rc.name]
	if !ok {
		return false
	}
	if len(rc.values) == 0 {
		return true
	}
	have := rc.split(claimValues(raw))
	for _, want := range rc.values {
		found := slices.Contains(have, want)
		if found && rc.any {
			return true
		}
		if !found && !rc.any {
			return false
		}
	}
	return !rc.any
}

// split splits each value at rc's separator, when it has one.
func (rc requiredClaim) split(vals []string) []string {
	if rc.separator == "" {
		return vals
	}
	var out []string
	for _, v := range vals {
		for _, part := range strings.Split(v, rc.separator) {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// claimValues returns a claim's values as strings: an array has several.
func claimValues(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, claimValues(e)...)
		}
		return out
	case bool:
		return []string{strconv.FormatBool(x)}
	case nil:
		return nil
	}
	b, _ := json.Marshal(v) // numbers and objects: their JSON text
	return []string{string(b)}
}
