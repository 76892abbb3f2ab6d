package dotnet

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// regexVal is a System.Text.RegularExpressions.Regex.
type regexVal struct{ re *regexp.Regexp }

// reMatch is a Match: the groups of one match, group 0 the whole match.
type reMatch struct {
	groups []*reGroup
	names  map[string]int
	re     *regexp.Regexp // the pattern, for Result and NextMatch; nil for Match.Empty
	input  string         // the string searched
	loc    []int          // byte offsets of the groups in input; nil if the match failed
}

// reGroup is a Group of a Match.
type reGroup struct {
	value         string
	index, length int
	success       bool
	name          string
}

// reGroups is a Match's GroupCollection.
type reGroups struct{ m *reMatch }

func (m *reMatch) value() string { return m.groups[0].value }

// TypeName returns "Regex".
func (*regexVal) TypeName() string { return "Regex" }

// String returns the type name.
func (r *regexVal) String() string { return r.TypeName() }

// TypeName returns "Match".
func (*reMatch) TypeName() string { return "Match" }

// String returns the matched text.
func (m *reMatch) String() string { return m.value() }

// TypeName returns "Group".
func (*reGroup) TypeName() string { return "Group" }

// String returns the captured text.
func (g *reGroup) String() string { return g.value }

// TypeName returns "GroupCollection".
func (reGroups) TypeName() string { return "GroupCollection" }

// String returns the type name.
func (g reGroups) String() string { return g.TypeName() }

// Enumerate returns the groups, group 0 first.
func (g reGroups) Enumerate() []any {
	out := make([]any, len(g.m.groups))
	for i, x := range g.m.groups {
		out[i] = x
	}
	return out
}

// translateRegex converts a .NET pattern to RE2 syntax, refusing the
// constructs RE2 lacks (lookaround, backreferences, atomic groups).
func translateRegex(p string, opts int) (string, error) {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			n := p[i+1]
			switch {
			case n >= '1' && n <= '9' && !inClass:
				return "", fmt.Errorf("backreference \\%c is not supported (RE2 syntax)", n)
			case n == 'k' && !inClass:
				return "", fmt.Errorf("named backreference \\k is not supported (RE2 syntax)")
			case n == 'Z':
				b.WriteString(`\z`)
				i++
				continue
			case n == 'G':
				return "", fmt.Errorf("\\G is not supported (RE2 syntax)")
			}
			b.WriteByte(c)
			b.WriteByte(n)
			i++
			continue
		case c == '[' && !inClass:
			inClass = true
		case c == ']' && inClass:
			inClass = false
		case c == '(' && !inClass && strings.HasPrefix(p[i:], "(?"):
			rest := p[i+2:]
			switch {
			case strings.HasPrefix(rest, "="), strings.HasPrefix(rest, "!"), strings.HasPrefix(rest, "<="), strings.HasPrefix(rest, "<!"):
				kind := rest[:1]
				if rest[0] == '<' {
					kind = rest[:2]
				}
				return "", fmt.Errorf("lookaround (?%s...) is not supported (RE2 syntax)", kind)
			case strings.HasPrefix(rest, ">"):
				return "", fmt.Errorf("atomic group (?>...) is not supported (RE2 syntax)")
			case strings.HasPrefix(rest, "("):
				return "", fmt.Errorf("conditional (?(...)...) is not supported (RE2 syntax)")
			case strings.HasPrefix(rest, "<"), strings.HasPrefix(rest, "'"):
				close := byte('>')
				if rest[0] == '\'' {
					close = '\''
				}
				end := strings.IndexByte(rest[1:], close)
				if end < 0 {
					return "", fmt.Errorf("unterminated group name")
				}
				name := rest[1 : 1+end]
				if strings.Contains(name, "-") {
					return "", fmt.Errorf("balancing group (?<%s>...) is not supported", name)
				}
				b.WriteString("(?P<" + name + ">")
				i += 2 + end + 1
				continue
			}
		}
		b.WriteByte(c)
	}
	flags := ""
	if opts&1 != 0 {
		flags += "i"
	}
	if opts&2 != 0 {
		flags += "m"
	}
	if opts&16 != 0 {
		flags += "s"
	}
	if opts&32 != 0 {
		return "", fmt.Errorf("RegexOptions.IgnorePatternWhitespace is not supported")
	}
	if opts&64 != 0 {
		return "", fmt.Errorf("RegexOptions.RightToLeft is not supported")
	}
	if flags != "" {
		return "(?" + flags + ")" + b.String(), nil
	}
	return b.String(), nil
}

// compileRegex compiles a .NET pattern with RegexOptions.
func compileRegex(pattern any, opts any) (*regexp.Regexp, error) {
	p, err := str(pattern, "pattern")
	if err != nil {
		return nil, err
	}
	o := 0
	if e, ok := opts.(expr.Enum); ok {
		o = e.Value
	}
	t, err := translateRegex(p, o)
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(t)
	if err != nil {
		return nil, fail("invalid pattern %q: %v", p, err)
	}
	return re, nil
}

func newMatch(re *regexp.Regexp, s string, loc []int) *reMatch {
	m := &reMatch{names: map[string]int{}, re: re, input: s, loc: loc}
	names := re.SubexpNames()
	for i := 0; i < len(loc)/2; i++ {
		g := &reGroup{name: names[i]}
		if loc[2*i] >= 0 {
			g.success = true
			g.value = s[loc[2*i]:loc[2*i+1]]
			g.index = runeIndex(s, loc[2*i])
			g.length = strLen(g.value)
		}
		if names[i] != "" {
			m.names[names[i]] = i
		}
		m.groups = append(m.groups, g)
	}
	if loc == nil {
		m.groups = []*reGroup{{}}
		for i := 1; i < len(names); i++ {
			m.groups = append(m.groups, &reGroup{name: names[i]})
			if names[i] != "" {
				m.names[names[i]] = i
			}
		}
	}
	return m
}

// netReplacement converts a .NET replacement ($1, ${name}, $$, $0) for regexp.Expand.
func netReplacement(r string) string {
	var b strings.Builder
	for i := 0; i < len(r); i++ {
		if r[i] == '$' && i+1 < len(r) && r[i+1] >= '0' && r[i+1] <= '9' {
			j := i + 1
			for j < len(r) && r[j] >= '0' && r[j] <= '9' {
				j++
			}
			b.WriteString("${" + r[i+1:j] + "}")
			i = j - 1
			continue
		}
		b.WriteByte(r[i])
	}
	return b.String()
}

func regexReplace(e *expr.Env, re *regexp.Regexp, s string, repl any) (any, error) {
	if l, ok := repl.(expr.Lambda); ok {
		var firstErr error
		out := replaceFunc(re, s, func(loc []int) string {
			if firstErr != nil {
				return ""
			}
			v, err := l.Call(newMatch(re, s, loc))
			if err != nil {
				firstErr = err
			}
			return expr.ToString(v)
		})
		return out, firstErr
	}
	r, err := str(repl, "replacement")
	if err != nil {
		return nil, err
	}
	out := re.ReplaceAllString(s, netReplacement(r))
	if len(out) > expr.MaxString {
		return nil, errTooLong
	}
	return out, nil
}

func replaceFunc(re *regexp.Regexp, s string, f func([]int) string) string {
	var b strings.Builder
	last := 0
	for _, loc := range re.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(s[last:loc[0]])
		b.WriteString(f(loc))
		last = loc[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// regexOp is one Regex operation on a compiled pattern.
type regexOp func(e *expr.Env, re *regexp.Regexp, input string, rest []any) (any, error)

var regexOps = map[string]regexOp{
	"IsMatch": func(_ *expr.Env, re *regexp.Regexp, s string, _ []any) (any, error) { return re.MatchString(s), nil },
	"Match": func(_ *expr.Env, re *regexp.Regexp, s string, _ []any) (any, error) {
		return newMatch(re, s, re.FindStringSubmatchIndex(s)), nil
	},
	"Matches": func(_ *expr.Env, re *regexp.Regexp, s string, _ []any) (any, error) {
		var out []any
		for _, loc := range re.FindAllStringSubmatchIndex(s, -1) {
			out = append(out, newMatch(re, s, loc))
		}
		return out, nil
	},
	"Replace": func(e *expr.Env, re *regexp.Regexp, s string, rest []any) (any, error) {
		if len(rest) == 0 {
			return nil, fail("Replace needs a replacement")
		}
		return regexReplace(e, re, s, rest[0])
	},
	"Split": func(_ *expr.Env, re *regexp.Regexp, s string, _ []any) (any, error) { return re.Split(s, -1), nil },
}

// staticRegex is Regex.Op(input, pattern, [replacement,] [options]).
func staticRegex(name string, t *expr.Type, nrest int) *expr.Member {
	op := regexOps[name]
	patIdx, optIdx := 1, 2+nrest
	run := func(e *expr.Env, re *regexp.Regexp, a []any) (any, error) {
		s, err := str(a[0], "input")
		if err != nil {
			return nil, err
		}
		return op(e, re, s, a[2:min(len(a), 2+nrest)])
	}
	opt := func(a []any) any {
		if len(a) > optIdx {
			return a[optIdx]
		}
		return nil
	}
	return &expr.Member{Result: t, Min: 2 + nrest, Max: 3 + nrest,
		Call: func(e *expr.Env, _ any, a []any, _ []*expr.Type) (any, error) {
			re, err := compileRegex(a[patIdx], opt(a))
			if err != nil {
				return nil, err
			}
			return run(e, re, a)
		},
		Bind: func(consts []any, known []bool) (expr.CallFunc, error) {
			if len(known) <= patIdx || !known[patIdx] || len(known) > optIdx && !known[optIdx] {
				return nil, nil
			}
			var o any
			if len(consts) > optIdx {
				o = consts[optIdx]
			}
			re, err := compileRegex(consts[patIdx], o)
			if err != nil {
				return nil, err
			}
			return func(e *expr.Env, _ any, a []any, _ []*expr.Type) (any, error) { return run(e, re, a) }, nil
		},
	}
}

func addRegexStatics(s map[string]expr.Members) {
	s["Regex"] = expr.Members{
		"IsMatch": staticRegex("IsMatch", tyBool, 0),
		"Match":   staticRegex("Match", named("Match"), 0),
		"Matches": staticRegex("Matches", expr.ArrayOf(named("Match")), 0),
		"Replace": staticRegex("Replace", tyString, 1),
		"Split":   staticRegex("Split", tyStrings, 0),
		"Unescape": fn(tyString, 1, 1, func(_ any, a []any) (any, error) {
			v, err := str(a[0], "str")
			if err != nil {
				return nil, err
			}
			return regexUnescape(v)
		}),
		"Escape": fn(tyString, 1, 1, func(_ any, a []any) (any, error) {
			v, err := str(a[0], "str")
			return regexp.QuoteMeta(v), err
		}),
	}
	s["Match"] = expr.Members{"Empty": val(named("Match"), func(any) any { return emptyMatch() })}
	s["RegexOptions"] = expr.Members{}
	for i, n := range []string{"None", "IgnoreCase", "Multiline", "ExplicitCapture", "Compiled", "Singleline", "IgnorePatternWhitespace", "RightToLeft", "ECMAScript", "CultureInvariant"} {
		v := 0
		if i > 0 {
			v = 1 << (i - 1)
		}
		if n == "ECMAScript" {
			v = 256
		} else if n == "CultureInvariant" {
			v = 512
		}
		s["RegexOptions"][n] = constant(named("RegexOptions"), expr.Enum{Type: "RegexOptions", Name: n, Value: v})
	}
}

func addRegexMembers(m map[string]expr.Members) {
	m["Match"] = expr.Members{
		"Success": val(tyBool, func(r any) any { return r.(*reMatch).groups[0].success }),
		"Value":   val(tyString, func(r any) any { return r.(*reMatch).groups[0].value }),
		"Index":   val(tyInt, func(r any) any { return r.(*reMatch).groups[0].index }),
		"Length":  val(tyInt, func(r any) any { return r.(*reMatch).groups[0].length }),
		"Groups":  val(named("GroupCollection"), func(r any) any { return reGroups{m: r.(*reMatch)} }),
		"Result": fn(tyString, 1, 1, func(r any, a []any) (any, error) {
			return matchResult(r.(*reMatch), a[0])
		}),
		"NextMatch": fn(named("Match"), 0, 0, func(r any, _ []any) (any, error) {
			return nextMatch(r.(*reMatch)), nil
		}),
	}
	m["Group"] = expr.Members{
		"Success": val(tyBool, func(r any) any { return r.(*reGroup).success }),
		"Value":   val(tyString, func(r any) any { return r.(*reGroup).value }),
		"Index":   val(tyInt, func(r any) any { return r.(*reGroup).index }),
		"Length":  val(tyInt, func(r any) any { return r.(*reGroup).length }),
		"Name":    val(tyString, func(r any) any { return r.(*reGroup).name }),
	}
	m["GroupCollection"] = expr.Members{
		"[]": fn(named("Group"), 1, 1, func(r any, a []any) (any, error) {
			g := r.(reGroups).m
			switch k := a[0].(type) {
			case int:
				if k >= 0 && k < len(g.groups) {
					return g.groups[k], nil
				}
			case string:
				if i, ok := g.names[k]; ok {
					return g.groups[i], nil
				}
			default:
				return nil, fail("group key must be an int or string")
			}
			return &reGroup{}, nil
		}),
		"Count": val(tyInt, func(r any) any { return len(r.(reGroups).m.groups) }),
	}
	inst := func(name string, t *expr.Type, nrest int) *expr.Member {
		op := regexOps[name]
		return fn(t, 1, 1+nrest, func(r any, a []any) (any, error) {
			s, err := str(a[0], "input")
			if err != nil {
				return nil, err
			}
			return op(nil, r.(*regexVal).re, s, a[1:])
		})
	}
	m["Regex"] = expr.Members{
		"IsMatch": inst("IsMatch", tyBool, 0),
		"Match":   inst("Match", named("Match"), 0),
		"Matches": inst("Matches", tyArray, 0),
		"Split":   inst("Split", tyStrings, 0),
		"Replace": &expr.Member{Result: tyString, Min: 2, Max: 2, Call: func(e *expr.Env, r any, a []any, _ []*expr.Type) (any, error) {
			s, err := str(a[0], "input")
			if err != nil {
				return nil, err
			}
			return regexReplace(e, r.(*regexVal).re, s, a[1])
		}},
	}
}
