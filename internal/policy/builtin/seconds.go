package builtin

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// seconds is an attribute that gives a duration in whole seconds: a
// literal, checked when compiled, or an expression, evaluated per
// request, where APIM's reference allows one.
type seconds struct {
	d    time.Duration
	expr policy.Value // set: an expression
	min  int
}

// maxSeconds bounds a duration in seconds as .NET's Int32 does.
const maxSeconds = math.MaxInt32

// compileSeconds compiles attribute name of n as whole seconds of at
// least least; def is the duration when it is not given.
func compileSeconds(n *policy.Node, c *policy.Compiler, name string, required bool, least int, def time.Duration) seconds {
	s := seconds{d: def, min: least}
	v, ok := c.Attr(n, name, required)
	if !ok {
		return s
	}
	lit, isLit := v.Literal()
	if !isLit {
		if v.IsSet() {
			s.expr = v
		}
		return s
	}
	d, err := parseSeconds(lit, least)
	if err != nil {
		a, _ := n.Attr(name)
		c.AttrErrorf(n, a, "%v", err)
	}
	s.d = d
	return s
}

func parseSeconds(v string, least int) (time.Duration, error) {
	secs, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || secs < least || secs > maxSeconds {
		return 0, fmt.Errorf("%q: want whole seconds, at least %d", v, least)
	}
	return time.Duration(secs) * time.Second, nil
}

// get returns the duration, evaluating the expression.
func (s seconds) get(c *policy.Context) (time.Duration, error) {
	if !s.expr.IsSet() {
		return s.d, nil
	}
	v, err := s.expr.Any(c)
	if err != nil {
		return 0, err
	}
	if f, ok := expr.ToFloat(v); ok && f == math.Trunc(f) {
		v = strconv.FormatFloat(f, 'f', -1, 64)
	}
	return parseSeconds(expr.ToString(v), s.min)
}
