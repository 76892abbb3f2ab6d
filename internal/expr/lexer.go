package expr

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind classifies a token.
type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tInt    // integer literal; text holds digits and suffix
	tReal   // real literal
	tString // regular or verbatim string; val holds the decoded value
	tChar   // char literal; val holds the character
	tInterp // interpolated string; parts holds its pieces
	tOp     // operator or punctuation; text holds it
)

// token is one lexical token.
type token struct {
	kind  tokKind
	pos   pos
	text  string
	val   string
	parts []interpPart
}

// interpPart is a literal piece or a hole of an interpolated string.
type interpPart struct {
	lit    string
	hole   []token // tokens of the hole's expression; nil for a literal
	holeAt pos
	align  string
	format string
}

// lexer turns source text into tokens.
type lexer struct {
	src  string
	i    int
	end  int
	base string // full source, for error positions
}

// operators, longest first.
var operators = []string{
	"<<=", ">>=", "??=", "=>", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "?[", "++", "--",
	"<<", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "::",
	"+", "-", "*", "/", "%", "<", ">", "=", "!", "~", "&", "|", "^", "?", ":", ";", ",", ".", "(", ")", "[", "]", "{", "}",
}

// tokenize lexes src[start:end] (offsets into full).
func tokenize(full string, start, end int) ([]token, error) {
	lx := &lexer{src: full, i: start, end: end, base: full}
	var toks []token
	for {
		t, err := lx.next()
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		if t.kind == tEOF {
			return toks, nil
		}
	}
}

func (lx *lexer) errf(p int, format string, args ...any) error {
	return errAt(lx.base, pos(p), format, args...)
}

func (lx *lexer) peekAt(k int) byte {
	if lx.i+k < lx.end {
		return lx.src[lx.i+k]
	}
	return 0
}

func (lx *lexer) skipSpace() error {
	for lx.i < lx.end {
		c := lx.src[lx.i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			lx.i++
		case c == '/' && lx.peekAt(1) == '/':
			for lx.i < lx.end && lx.src[lx.i] != '\n' {
				lx.i++
			}
		case c == '/' && lx.peekAt(1) == '*':
			j := strings.Index(lx.src[lx.i+2:lx.end], "*/")
			if j < 0 {
				return lx.errf(lx.i, "unterminated comment")
			}
			lx.i += j + 4
		default:
			if c >= utf8.RuneSelf {
				r, n := utf8.DecodeRuneInString(lx.src[lx.i:lx.end])
				if unicode.IsSpace(r) {
					lx.i += n
					continue
				}
			}
			return nil
		}
	}
	return nil
}

func isIdentStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }
func isIdentPart(r rune) bool  { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

func (lx *lexer) next() (token, error) {
	if err := lx.skipSpace(); err != nil {
		return token{}, err
	}
	start := lx.i
	if lx.i >= lx.end {
		return token{kind: tEOF, pos: pos(start)}, nil
	}
	c := lx.src[lx.i]
	switch {
	case c == '$' || (c == '@' && (lx.peekAt(1) == '$' || lx.peekAt(1) == '"')):
		verbatim, interp := false, false
		for lx.i < lx.end && (lx.src[lx.i] == '$' || lx.src[lx.i] == '@') && lx.i-start < 2 {
			if lx.src[lx.i] == '$' {
				interp = true
			} else {
				verbatim = true
			}
			lx.i++
		}
		if lx.i >= lx.end || lx.src[lx.i] != '"' {
			return token{}, lx.errf(start, "unexpected character %q", c)
		}
		if interp {
			return lx.interpolated(start, verbatim)
		}
		s, err := lx.stringBody(verbatim)
		return token{kind: tString, pos: pos(start), val: s}, err
	case c == '"':
		s, err := lx.stringBody(false)
		return token{kind: tString, pos: pos(start), val: s}, err
	case c == '\'':
		lx.i++
		var r rune
		if lx.i < lx.end && lx.src[lx.i] == '\\' {
			var err error
			if r, err = lx.escape(); err != nil {
				return token{}, err
			}
		} else if lx.i < lx.end {
			var n int
			r, n = utf8.DecodeRuneInString(lx.src[lx.i:lx.end])
			lx.i += n
		}
		if lx.i >= lx.end || lx.src[lx.i] != '\'' {
			return token{}, lx.errf(start, "unterminated char literal")
		}
		lx.i++
		return token{kind: tChar, pos: pos(start), val: string(r)}, nil
	case c >= '0' && c <= '9' || c == '.' && lx.peekAt(1) >= '0' && lx.peekAt(1) <= '9':
		return lx.number(start)
	case c == '@' || c < utf8.RuneSelf && isIdentStart(rune(c)) || c >= utf8.RuneSelf:
		if c == '@' {
			lx.i++
		}
		s := lx.i
		for lx.i < lx.end {
			r, n := utf8.DecodeRuneInString(lx.src[lx.i:lx.end])
			if !isIdentPart(r) {
				break
			}
			lx.i += n
		}
		if lx.i == s {
			return token{}, lx.errf(start, "unexpected character %q", lx.src[start:start+1])
		}
		r, _ := utf8.DecodeRuneInString(lx.src[s:])
		if !isIdentStart(r) {
			return token{}, lx.errf(start, "unexpected character %q", r)
		}
		return token{kind: tIdent, pos: pos(start), text: lx.src[s:lx.i], val: lx.src[start:lx.i]}, nil
	}
	for _, op := range operators {
		if strings.HasPrefix(lx.src[lx.i:lx.end], op) {
			lx.i += len(op)
			return token{kind: tOp, pos: pos(start), text: op}, nil
		}
	}
	return token{}, lx.errf(start, "unexpected character %q", c)
}

func (lx *lexer) number(start int) (token, error) {
	real := false
	if lx.src[lx.i] == '0' && (lx.peekAt(1) == 'x' || lx.peekAt(1) == 'X') {
		lx.i += 2
		for lx.i < lx.end && (isHex(lx.src[lx.i]) || lx.src[lx.i] == '_') {
			lx.i++
		}
	} else {
		digits := func() {
			for lx.i < lx.end && (lx.src[lx.i] >= '0' && lx.src[lx.i] <= '9' || lx.src[lx.i] == '_') {
				lx.i++
			}
		}
		digits()
		if lx.i < lx.end && lx.src[lx.i] == '.' && lx.peekAt(1) >= '0' && lx.peekAt(1) <= '9' {
			real = true
			lx.i++
			digits()
		}
		if lx.i < lx.end && (lx.src[lx.i] == 'e' || lx.src[lx.i] == 'E') {
			real = true
			lx.i++
			if lx.i < lx.end && (lx.src[lx.i] == '+' || lx.src[lx.i] == '-') {
				lx.i++
			}
			digits()
		}
	}
	for lx.i < lx.end && strings.IndexByte("uUlLfFdDmM", lx.src[lx.i]) >= 0 {
		if strings.IndexByte("fFdDmM", lx.src[lx.i]) >= 0 {
			real = true
		}
		lx.i++
	}
	if lx.i < lx.end && isIdentPart(rune(lx.src[lx.i])) {
		return token{}, lx.errf(lx.i, "invalid number literal")
	}
	k := tInt
	if real {
		k = tReal
	}
	return token{kind: k, pos: pos(start), text: strings.ReplaceAll(lx.src[start:lx.i], "_", "")}, nil
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// stringBody reads a quoted string starting at the opening quote.
func (lx *lexer) stringBody(verbatim bool) (string, error) {
	start := lx.i
	lx.i++
	var b strings.Builder
	for {
		if lx.i >= lx.end {
			return "", lx.errf(start, "unterminated string literal")
		}
		c := lx.src[lx.i]
		switch {
		case c == '"' && verbatim && lx.peekAt(1) == '"':
			b.WriteByte('"')
			lx.i += 2
		case c == '"':
			lx.i++
			return b.String(), nil
		case c == '\\' && !verbatim:
			r, err := lx.escape()
			if err != nil {
				return "", err
			}
			b.WriteRune(r)
		case c == '\n' && !verbatim:
			return "", lx.errf(start, "newline in string literal")
		default:
			b.WriteByte(c)
			lx.i++
		}
	}
}

// escape decodes a backslash escape at lx.i.
func (lx *lexer) escape() (rune, error) {
	start := lx.i
	lx.i++
	if lx.i >= lx.end {
		return 0, lx.errf(start, "unterminated escape sequence")
	}
	c := lx.src[lx.i]
	lx.i++
	switch c {
	case 'n':
		return '\n', nil
	case 't':
		return '\t', nil
	case 'r':
		return '\r', nil
	case '0':
		return 0, nil
	case '\\', '"', '\'':
		return rune(c), nil
	case 'a':
		return 7, nil
	case 'b':
		return 8, nil
	case 'f':
		return 12, nil
	case 'v':
		return 11, nil
	case 'u', 'x', 'U':
		n := 4
		if c == 'U' {
			n = 8
		}
		var r rune
		k := 0
		for ; k < n && lx.i < lx.end && isHex(lx.src[lx.i]); k++ {
			r = r*16 + rune(hexVal(lx.src[lx.i]))
			lx.i++
		}
		if k == 0 || c != 'x' && k != n {
			return 0, lx.errf(start, "invalid escape sequence")
		}
		if !utf8.ValidRune(r) {
			r = utf8.RuneError
		}
		return r, nil
	}
	return 0, lx.errf(start, "unrecognized escape sequence \\%c", c)
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return int(c-'A') + 10
}

// interpolated lexes $"..." from the opening quote.
func (lx *lexer) interpolated(start int, verbatim bool) (token, error) {
	lx.i++
	var parts []interpPart
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			parts = append(parts, interpPart{lit: b.String()})
			b.Reset()
		}
	}
	for {
		if lx.i >= lx.end {
			return token{}, lx.errf(start, "unterminated interpolated string")
		}
		c := lx.src[lx.i]
		switch {
		case c == '"' && verbatim && lx.peekAt(1) == '"':
			b.WriteByte('"')
			lx.i += 2
		case c == '"':
			lx.i++
			flush()
			return token{kind: tInterp, pos: pos(start), parts: parts}, nil
		case c == '{' && lx.peekAt(1) == '{':
			b.WriteByte('{')
			lx.i += 2
		case c == '}' && lx.peekAt(1) == '}':
			b.WriteByte('}')
			lx.i += 2
		case c == '}':
			return token{}, lx.errf(lx.i, "unescaped '}' in interpolated string (write '}}')")
		case c == '{':
			flush()
			p, err := lx.hole()
			if err != nil {
				return token{}, err
			}
			parts = append(parts, p)
		case c == '\\' && !verbatim:
			r, err := lx.escape()
			if err != nil {
				return token{}, err
			}
			b.WriteRune(r)
		case c == '\n' && !verbatim:
			return token{}, lx.errf(start, "newline in string literal")
		default:
			b.WriteByte(c)
			lx.i++
		}
	}
}

// hole lexes {expr[,align][:format]} starting at '{'.
func (lx *lexer) hole() (interpPart, error) {
	open := lx.i
	lx.i++
	exprStart := lx.i
	depth := 0
	exprEnd, alignStart := -1, -1
	for {
		if lx.i >= lx.end {
			return interpPart{}, lx.errf(open, "unterminated interpolation hole")
		}
		c := lx.src[lx.i]
		switch {
		case c == '"' || c == '\'':
			if err := lx.skipQuoted(c); err != nil {
				return interpPart{}, err
			}
			continue
		case c == '@' && lx.peekAt(1) == '"':
			lx.i++
			if _, err := lx.stringBody(true); err != nil {
				return interpPart{}, err
			}
			continue
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']' || c == '}' && depth > 0:
			depth--
		case c == ',' && depth == 0 && alignStart < 0:
			exprEnd, alignStart = lx.i, lx.i+1
		case c == ':' && depth == 0 || c == '}' && depth == 0:
			if exprEnd < 0 {
				exprEnd = lx.i
			}
			p := interpPart{holeAt: pos(exprStart)}
			if alignStart >= 0 {
				p.align = strings.TrimSpace(lx.src[alignStart:lx.i])
			}
			if c == ':' {
				f := strings.IndexByte(lx.src[lx.i:lx.end], '}')
				if f < 0 {
					return interpPart{}, lx.errf(open, "unterminated interpolation hole")
				}
				p.format = lx.src[lx.i+1 : lx.i+f]
				lx.i += f
			}
			lx.i++
			toks, err := tokenize(lx.base, exprStart, exprEnd)
			if err != nil {
				return interpPart{}, err
			}
			if len(toks) == 1 {
				return interpPart{}, lx.errf(open, "empty interpolation hole")
			}
			p.hole = toks
			return p, nil
		}
		lx.i++
	}
}

func (lx *lexer) skipQuoted(q byte) error {
	start := lx.i
	lx.i++
	for lx.i < lx.end {
		c := lx.src[lx.i]
		if c == '\\' {
			lx.i += 2
			continue
		}
		lx.i++
		if c == q {
			return nil
		}
	}
	return lx.errf(start, "unterminated literal")
}
