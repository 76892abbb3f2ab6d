package dotnet

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// emptyMatch is Match.Empty: a failed match with no groups but group 0.
func emptyMatch() *reMatch {
	return &reMatch{groups: []*reGroup{{}}, names: map[string]int{}}
}

// matchResult expands a .NET replacement pattern ($1, ${name}, $$, $0)
// with the groups of m, as Match.Result does.
func matchResult(m *reMatch, repl any) (any, error) {
	r, err := str(repl, "replacement")
	if err != nil {
		return nil, err
	}
	if m.loc == nil {
		return nil, fail("Match.Result: the match failed, so there is nothing to expand")
	}
	return string(m.re.ExpandString(nil, netReplacement(r), m.input, m.loc)), nil
}

// nextMatch finds the match after m in the same input; after an empty
// match the search starts one character further, as in .NET.
func nextMatch(m *reMatch) *reMatch {
	if m.loc == nil {
		return emptyMatch()
	}
	from := m.loc[1]
	if m.groups[0].value == "" {
		if from >= len(m.input) {
			return newMatch(m.re, m.input, nil)
		}
		_, size := utf8.DecodeRuneInString(m.input[from:])
		from += size
	}
	loc := m.re.FindStringSubmatchIndex(m.input[from:])
	for i := range loc {
		if loc[i] >= 0 {
			loc[i] += from
		}
	}
	return newMatch(m.re, m.input, loc)
}

// regexUnescape turns the escapes of a pattern back into the characters
// they stand for, as Regex.Unescape does.
func regexUnescape(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(s) {
			return "", fail("Regex.Unescape: illegal \\ at end of pattern")
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case 'a':
			b.WriteByte('\a')
		case 'e':
			b.WriteByte(0x1b)
		case 'x', 'u':
			n := 2
			if s[i] == 'u' {
				n = 4
			}
			if i+n >= len(s) {
				return "", fail("Regex.Unescape: insufficient hex digits in \\%c escape", s[i])
			}
			v, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32)
			if err != nil {
				return "", fail("Regex.Unescape: insufficient hex digits in \\%c escape", s[i])
			}
			b.WriteRune(rune(v))
			i += n
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), nil
}
