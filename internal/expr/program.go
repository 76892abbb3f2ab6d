package expr

import (
	"errors"
	"fmt"
	"sync"
)

// Kind says how an expression was written.
type Kind int

const (
	// Inline is an expression written as @( expression ).
	Inline Kind = iota
	// Block is a statement block written as @{ statements }; it must return a value.
	Block
)

// maxSteps is the step budget of one evaluation: statements, loop
// iterations, lambda calls and method calls each take a step.
const maxSteps = 100_000

// MaxString bounds the length of any string or array an expression
// builds, so that doubling in a loop cannot exhaust memory. Library
// methods that build strings or collections respect it too.
const MaxString = 16 << 20

// Program is a compiled expression. It is immutable and safe for
// concurrent use; per-evaluation state lives in the Context.
type Program struct {
	src    string
	kind   Kind
	nslots int
	run    evalFn
	envs   *sync.Pool
}

// Env is the state of one evaluation, which methods receive. It belongs to
// that evaluation and is not safe for concurrent use.
type Env struct {
	ctx   *Context
	vars  []any
	steps int
	depth int // local function calls in progress
}

// NewEnv returns a fresh evaluation state for c, to call a Member outside
// a Program (tests of a library, tools).
func NewEnv(c *Context) *Env { return &Env{ctx: c} }

// Context returns the context object of the evaluation.
func (e *Env) Context() *Context { return e.ctx }

// evalFn evaluates a compiled expression.
type evalFn func(e *Env) (any, error)

var errBudget = &rtError{msg: fmt.Sprintf("step budget of %d exceeded", maxSteps)}

// step counts one unit of work against the budget.
func (e *Env) step() error {
	e.steps++
	if e.steps > maxSteps {
		return errBudget
	}
	return nil
}

// charge counts the work of producing a string of n bytes: one step per
// 256 bytes, so that building long strings in a loop exhausts the budget
// instead of the CPU.
func (e *Env) charge(n int) error {
	if n < 256 {
		return nil
	}
	e.steps += n >> 8
	if e.steps > maxSteps {
		return errBudget
	}
	return nil
}

// chargeValue charges for v if it is a string.
func (e *Env) chargeValue(v any) error {
	if s, ok := v.(string); ok {
		return e.charge(len(s))
	}
	return nil
}

// Compile parses and type-checks src, the text between "@(" and ")" or
// between "@{" and "}", once, against lib: the types, members and
// constructors that the expression may use. A compile error is an *Error
// with the 1-based Line and Col of the problem inside src. Members of the
// context object and of values whose static type is known are checked
// here; members of values typed only at run time (Variables entries,
// JToken) are checked when the expression runs. A nil lib is a new
// NewLibrary: the language and the context object only.
func Compile(src string, kind Kind, lib *Library) (prog *Program, err error) {
	if lib == nil {
		lib = NewLibrary(LibraryOptions{})
	}
	defer func() {
		if r := recover(); r != nil {
			prog, err = nil, &Error{Line: 1, Col: 1, Msg: fmt.Sprintf("internal error: %v", r)}
		}
	}()
	toks, err := tokenize(src, 0, len(src))
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	c := &compiler{lib: lib, src: src}
	c.push()
	var run evalFn
	switch kind {
	case Inline:
		x, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if t := p.tok(); t.kind != tEOF {
			return nil, p.errf(t.pos, "unexpected %s after expression", describe(t))
		}
		ce, err := c.value(x)
		if err != nil {
			return nil, err
		}
		run = ce.fn
	case Block:
		b, err := p.parseStmts()
		if err != nil {
			return nil, err
		}
		if run, err = c.body(b); err != nil {
			return nil, err
		}
	default:
		return nil, &Error{Line: 1, Col: 1, Msg: fmt.Sprintf("unknown expression kind %d", kind)}
	}
	prog = &Program{src: src, kind: kind, nslots: c.maxSlots, run: run}
	n := prog.nslots
	prog.envs = &sync.Pool{New: func() any { return &Env{vars: make([]any, n)} }}
	return prog, nil
}

// Eval evaluates p against c. It never panics: a run-time failure (null
// reference, bad cast, exceeded step budget, an exception thrown by the
// expression or by a .NET method) is returned as an *Error positioned at
// the failing part of the source. Eval may change c as the expression
// does (Body.As without preserveContent consumes the body).
func (p *Program) Eval(c *Context) (result any, err error) {
	if c == nil {
		c = &Context{}
	}
	e := p.envs.Get().(*Env)
	e.ctx, e.steps = c, 0
	defer func() {
		if r := recover(); r != nil {
			result, err = nil, &Error{Line: 1, Col: 1, Msg: fmt.Sprintf("internal error: %v", r)}
		}
		e.ctx = nil
		clear(e.vars)
		p.envs.Put(e)
	}()
	v, err := p.run(e)
	if err != nil {
		var pe *Error
		if errors.As(err, &pe) {
			return nil, pe
		}
		return nil, &Error{Line: 1, Col: 1, Msg: err.Error()}
	}
	return v, nil
}

// String returns the source of p.
func (p *Program) String() string { return p.src }
