package dotnet

import (
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// A token knows the container that holds it, as Newtonsoft's do: a
// property's value is held by the JProperty, a property by its JObject,
// an item by its JArray. Containers set it when they take a token;
// parentOf checks that the container still holds the token, so a token
// removed, replaced, or added to another container since is never
// reported under a container it has left.

// setParent records p as the container of t.
func setParent(t JToken, p JToken) {
	switch x := t.(type) {
	case *JObject:
		x.parent = p
	case *JArray:
		x.parent = p
	case *JValue:
		x.parent = p
	case *JProperty:
		if o, ok := p.(*JObject); ok {
			x.parent = o
		}
	}
}

// parentOf returns the container that holds t, or nil.
func parentOf(t JToken) JToken {
	var p JToken
	switch x := t.(type) {
	case *JObject:
		p = x.parent
	case *JArray:
		p = x.parent
	case *JValue:
		p = x.parent
	case *JProperty:
		if x.parent != nil {
			p = x.parent
		}
	}
	switch c := p.(type) {
	case *JProperty:
		if c.Value == t {
			return c
		}
	case *JArray:
		if indexOfToken(c.items, t) >= 0 {
			return c
		}
	case *JObject:
		for _, pr := range c.props {
			if JToken(pr) == t {
				return c
			}
		}
	}
	return nil
}

func indexOfToken(items []JToken, t JToken) int {
	for i, it := range items {
		if it == t {
			return i
		}
	}
	return -1
}

// sibling returns the token after (step 1) or before (step -1) t in its
// container: the next item of an array, the next property of an object;
// nil for a property's value, which has no siblings.
func sibling(t JToken, step int) JToken {
	switch c := parentOf(t).(type) {
	case *JArray:
		if i := indexOfToken(c.items, t) + step; i >= 0 && i < len(c.items) {
			return c.items[i]
		}
	case *JObject:
		for i, p := range c.props {
			if JToken(p) == t {
				if j := i + step; j >= 0 && j < len(c.props) {
					return c.props[j]
				}
			}
		}
	}
	return nil
}

// tokenPath is JToken.Path: the JSONPath of t from its root, "a.b[0]",
// with names that are not plain written as ['a b'].
func tokenPath(t JToken) string {
	var parts []string
	for cur := t; ; {
		p := parentOf(cur)
		if p == nil {
			break
		}
		switch c := p.(type) {
		case *JArray:
			parts = append(parts, "["+strconv.Itoa(indexOfToken(c.items, cur))+"]")
		case *JObject:
			name := cur.(*JProperty).Name
			if isPlainName(name) {
				parts = append(parts, "."+name)
			} else {
				parts = append(parts, "['"+strings.ReplaceAll(name, "'", `\'`)+"']")
			}
		}
		cur = p
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteString(parts[i])
	}
	return strings.TrimPrefix(b.String(), ".")
}

// isPlainName reports whether a property name needs no quoting in a
// path, as Newtonsoft decides it.
func isPlainName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch c {
		case '.', ' ', '\'', '/', '"', '[', ']', '(', ')', '\t', '\n', '\r', '\f', '\b', '\\', '\u0085', '\u2028', '\u2029':
			return false
		}
	}
	return true
}

// jsonTreeMembers are Parent, Root, Path, Next and Previous.
func jsonTreeMembers() expr.Members {
	tok := func(r any) JToken { return r.(JToken) }
	orNil := func(t JToken) any {
		if t == nil {
			return nil
		}
		return t
	}
	return expr.Members{
		"Parent":   val(tyJToken, func(r any) any { return orNil(parentOf(tok(r))) }),
		"Next":     val(tyJToken, func(r any) any { return orNil(sibling(tok(r), 1)) }),
		"Previous": val(tyJToken, func(r any) any { return orNil(sibling(tok(r), -1)) }),
		"Path":     val(tyString, func(r any) any { return tokenPath(tok(r)) }),
		"Root": val(tyJToken, func(r any) any {
			t := tok(r)
			for p := parentOf(t); p != nil; p = parentOf(t) {
				t = p
			}
			return t
		}),
	}
}
