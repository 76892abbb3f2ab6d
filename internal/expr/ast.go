package expr

// node is an expression or statement of the syntax tree.
type node interface{ at() pos }

// typeRef is a type as written: string, int[], JObject, Dictionary<string, int>.
type typeRef struct {
	p        pos
	name     string
	args     []*typeRef
	array    int
	nullable bool
}

// arg is one argument of a call, perhaps named (name: value) or out.
type arg struct {
	name string
	x    node
}

type (
	litExpr struct {
		p   pos
		val any
	}
	identExpr struct {
		p    pos
		name string
	}
	memberExpr struct {
		p        pos
		x        node
		name     string
		nullCond bool
		targs    []*typeRef
	}
	callExpr struct {
		p    pos
		fn   node
		args []arg
	}
	indexExpr struct {
		p        pos
		x        node
		args     []node
		nullCond bool
	}
	unaryExpr struct {
		p  pos
		op string
		x  node
	}
	binaryExpr struct {
		p    pos
		op   string
		x, y node
	}
	condExpr struct {
		p       pos
		c, a, b node
	}
	castExpr struct {
		p pos
		t *typeRef
		x node
	}
	isExpr struct {
		p   pos
		x   node
		pat *pattern // `x is string s`, `x is null`, `x is not "GET"`
	}
	asExpr struct {
		p pos
		x node
		t *typeRef
	}
	lambdaExpr struct {
		p      pos
		params []string
		body   node // expression or *blockStmt
	}
	newExpr struct {
		p     pos
		t     *typeRef
		args  []arg
		inits []node // collection or array initializer elements
		props []propInit
	}
	propInit struct {
		p    pos
		name string
		x    node
	}
	interpExpr struct {
		p     pos
		parts []interpNode
	}
	interpNode struct {
		lit    string
		x      node
		align  string
		format string
	}
	assignExpr struct {
		p         pos
		op        string // "=", "+=", ...
		target, x node
	}
	incDecExpr struct {
		p      pos
		op     string
		x      node
		prefix bool
	}
	outExpr struct {
		p    pos
		decl bool
		t    *typeRef
		name string
	}
	typeExpr struct { // a type name used as a static receiver: int.Parse, Encoding.UTF8
		p pos
		t *typeRef
	}
)

type (
	blockStmt struct {
		p     pos
		stmts []node
	}
	declStmt struct {
		p     pos
		konst bool     // const T x = ...
		t     *typeRef // nil: var
		names []string
		inits []node
		at_   []pos
	}
	exprStmt struct {
		p pos
		x node
	}
	ifStmt struct {
		p         pos
		c         node
		then, els node
	}
	returnStmt struct {
		p pos
		x node
	}
	foreachStmt struct {
		p    pos
		t    *typeRef
		name string
		coll node
		body node
	}
	forStmt struct {
		p    pos
		init []node
		cond node
		post []node
		body node
	}
	whileStmt struct {
		p    pos
		c    node
		body node
		do   bool
	}
	jumpStmt struct { // break or continue
		p    pos
		kind string
	}
	throwStmt struct {
		p pos
		x node
	}
	switchStmt struct {
		p        pos
		x        node
		sections []switchSection
	}
	tryStmt struct {
		p       pos
		body    *blockStmt
		catchT  *typeRef
		catchV  string
		catch   *blockStmt
		finally *blockStmt
	}
)

func (n *litExpr) at() pos     { return n.p }
func (n *identExpr) at() pos   { return n.p }
func (n *memberExpr) at() pos  { return n.p }
func (n *callExpr) at() pos    { return n.p }
func (n *indexExpr) at() pos   { return n.p }
func (n *unaryExpr) at() pos   { return n.p }
func (n *binaryExpr) at() pos  { return n.p }
func (n *condExpr) at() pos    { return n.p }
func (n *castExpr) at() pos    { return n.p }
func (n *isExpr) at() pos      { return n.p }
func (n *asExpr) at() pos      { return n.p }
func (n *lambdaExpr) at() pos  { return n.p }
func (n *newExpr) at() pos     { return n.p }
func (n *interpExpr) at() pos  { return n.p }
func (n *assignExpr) at() pos  { return n.p }
func (n *incDecExpr) at() pos  { return n.p }
func (n *outExpr) at() pos     { return n.p }
func (n *typeExpr) at() pos    { return n.p }
func (n *blockStmt) at() pos   { return n.p }
func (n *declStmt) at() pos    { return n.p }
func (n *exprStmt) at() pos    { return n.p }
func (n *ifStmt) at() pos      { return n.p }
func (n *returnStmt) at() pos  { return n.p }
func (n *foreachStmt) at() pos { return n.p }
func (n *forStmt) at() pos     { return n.p }
func (n *whileStmt) at() pos   { return n.p }
func (n *jumpStmt) at() pos    { return n.p }
func (n *throwStmt) at() pos   { return n.p }
func (n *tryStmt) at() pos     { return n.p }
func (n *switchStmt) at() pos  { return n.p }

// switchSection is the labels and statements of one part of a switch.
type switchSection struct {
	labels []node // nil entry: default
	stmts  []node
}
