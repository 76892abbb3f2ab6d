package expr

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
)

// point is a value of the test library's type Point.
type point struct{ x, y int }

func (*point) TypeName() string         { return "Point" }
func (p *point) String() string         { return fmt.Sprintf("(%d, %d)", p.x, p.y) }
func (p *point) Enumerate() []any       { return []any{p.x, p.y} }
func (p *point) Add(r any) (any, error) { return p.String() + "@" + ToString(r), nil }

// meters is a Scalar with its own conversion to int (it rounds).
type meters float64

func (meters) TypeName() string { return "Meters" }
func (m meters) String() string { return strconv.FormatFloat(float64(m), 'f', -1, 64) + "m" }
func (m meters) Scalar() any    { return float64(m) }
func (m meters) ConvertTo(t *Type) (any, bool, error) {
	if t.Name() != "int" {
		return nil, false, nil
	}
	return int(math.Round(float64(m))), true, nil
}

// bag is a value made with entries: new Bag { { "a", 1 } }.
type bag map[string]any

func (bag) TypeName() string { return "Bag" }
func (bag) String() string   { return "Bag" }

func parsePoint(s string) (*point, error) {
	x, y, ok := strings.Cut(s, ",")
	a, err1 := strconv.Atoi(x)
	b, err2 := strconv.Atoi(y)
	if !ok || err1 != nil || err2 != nil {
		return nil, Fail("%q is not a point", s)
	}
	return &point{a, b}, nil
}

// testLibrary is a small library that uses every part of the seam.
func testLibrary() *Library {
	tyPoint := NewType("Point", TypeOptions{
		Convert: func(v any) (any, bool, error) {
			if s, ok := v.(string); ok {
				p, err := parsePoint(s)
				return p, true, err
			}
			return nil, false, nil
		},
		Decode: func(body []byte) (any, error) { return parsePoint(string(body)) },
	})
	tyShape := NewType("Shape", TypeOptions{Includes: func(v any) bool { _, ok := v.(*point); return ok }})
	l := NewLibrary(LibraryOptions{
		Format: func(v any, f string) (string, error) {
			if p, ok := v.(*point); ok && f == "short" {
				return fmt.Sprintf("%d/%d", p.x, p.y), nil
			}
			return ToString(v), nil
		},
		Implicit: func(from, to *Type) bool { return to.Name() == "Point" && from == Builtin("string") },
	})
	l.AddType(tyPoint)
	l.AddType(tyShape)
	l.AddAlias("Pt", "Point")
	l.AddAlias("Bag", "Bag")
	l.AddNamespace("Geo.")
	l.AddMembers("Point", Members{
		"X":  val(tyInt, func(r any) any { return r.(*point).x }),
		"Y":  val(tyInt, func(r any) any { return r.(*point).y }),
		"X=": {Min: 1, Max: 1, Call: func(_ *Env, r any, a []any, _ []*Type) (any, error) { r.(*point).x = a[0].(int); return nil, nil }},
		"Scale": fn(tyPoint, 1, 1, func(r any, a []any) (any, error) {
			p, n := r.(*point), a[0].(int)
			return &point{p.x * n, p.y * n}, nil
		}),
	})
	l.AddMembers("Bag", Members{"Count": val(tyInt, func(r any) any { return len(r.(bag)) })})
	l.AddMembers("IRequest", Members{"Method": val(tyString, func(any) any { return "replaced" })})
	l.AddStatics("Point", Members{
		"Origin": {Result: tyPoint, Pure: true, Get: func(any) (any, error) { return &point{}, nil }},
		"Parse":  fn(tyPoint, 1, 1, func(_ any, a []any) (any, error) { return parsePoint(ToString(a[0])) }),
	})
	l.AddConstructor("Point", &Constructor{Min: 2, Max: 2, Make: func(a []any) (any, error) { return &point{a[0].(int), a[1].(int)}, nil }})
	l.AddConstructor("Bag", &Constructor{Min: 0, Max: 0, Make: func([]any) (any, error) { return bag{}, nil },
		Entries: func(v, k, x any) error { v.(bag)[ToString(k)] = x; return nil }})
	return l
}

func TestLibrarySeam(t *testing.T) {
	lib := testLibrary()
	tests := []struct {
		name, src string
		kind      Kind
		want      string
	}{
		{"constructor and property", `new Point(1, 2).X`, Inline, "int:1"},
		{"static property via namespace", `Geo.Point.Origin.Y`, Inline, "int:0"},
		{"alias and method", `Pt.Parse("3,4").Scale(2).Y`, Inline, "int:8"},
		{"property setter", `var p = new Point(1, 2); p.X = 5; return p.X;`, Block, "int:5"},
		{"convert", `(Point)(object)"7,8"`, Inline, "Point:(7, 8)"},
		{"implicit", `Point p = "1,2"; return p.Y;`, Block, "int:2"},
		{"decode body", `context.Request.Body.As<Point>(true).X`, Inline, "int:3"},
		{"adder", `new Point(1, 2) + "m"`, Inline, "string:(1, 2)@m"},
		{"enumerable", `var s = 0; foreach (var c in new Point(2, 3)) { s += c; } return s;`, Block, "int:5"},
		{"includes", `new Point(1, 2) is Shape`, Inline, "bool:True"},
		{"scalar compares", `context.Variables["m"] > 2 && context.Variables["m"] == 2.5`, Inline, "bool:True"},
		{"scalar arithmetic", `context.Variables["m"] * 2`, Inline, "double:5"},
		{"convertible", `(int)context.Variables["m"]`, Inline, "int:3"},
		{"entries", `new Bag { { "a", 1 }, { "b", 2 } }.Count`, Inline, "int:2"},
		{"format", `$"{new Point(1, 2):short}"`, Inline, "string:1/2"},
		{"existing member kept", `context.Request.Method`, Inline, "string:POST"},
		{"dynamic member", `var o = (object)new Point(4, 5); return o.Y;`, Block, "int:5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Compile(tt.src, tt.kind, lib)
			if err != nil {
				t.Fatalf("Compile(%q): %v", tt.src, err)
			}
			c := coreContext()
			c.Request.Body = BodyOf([]byte("3,4"))
			c.Variables["m"] = meters(2.5)
			v, err := p.Eval(c)
			if err != nil {
				t.Fatalf("Eval(%q): %v", tt.src, err)
			}
			if got := show(v); got != tt.want {
				t.Errorf("Eval(%q) = %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestLibrarySeamErrors(t *testing.T) {
	lib := testLibrary()
	tests := []struct{ name, src, want string }{
		{"unknown member", `new Point(1, 2).Z`, "1:17: member Z of Point is not supported"},
		{"no setter", `var p = new Point(1, 2); p.Y = 1; return p;`, "1:28: assignment to Y is not supported"},
		{"no explicit rule", `(Point)1`, "1:1: cannot convert type int to Point"},
		{"entries shape", `new Bag { 1 }`, "1:11: a Bag initializer entry must be { key, value }"},
		{"constructor arity", `new Point(1)`, "1:1: new Point takes 2 arguments, not 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			kind := Inline
			if strings.Contains(tt.src, "return") {
				kind = Block
			}
			_, err := Compile(tt.src, kind, lib)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Compile(%q) = %v, want %q", tt.src, err, tt.want)
			}
		})
	}
}
