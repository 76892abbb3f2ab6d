package dotnet

import "github.com/gatehouse/gatehouse/internal/expr"

// reCaptures is a Group's CaptureCollection. Go's regexp keeps one
// capture per group, the last, so a group that matched has exactly one
// Capture where .NET would list every repetition of a quantified group;
// a group that did not match has none, as in .NET.
type reCaptures struct{ caps []*reGroup }

// TypeName returns "CaptureCollection".
func (reCaptures) TypeName() string { return "CaptureCollection" }

// String returns the type name, as .NET's ToString does.
func (c reCaptures) String() string { return c.TypeName() }

// Enumerate returns the captures in order.
func (c reCaptures) Enumerate() []any {
	out := make([]any, len(c.caps))
	for i, x := range c.caps {
		out[i] = x
	}
	return out
}

// capturesOf is the CaptureCollection of g.
func capturesOf(g *reGroup) reCaptures {
	if !g.success {
		return reCaptures{}
	}
	return reCaptures{caps: []*reGroup{g}}
}

// addCaptureMembers adds Capture, CaptureCollection and Group.Captures
// (and Match.Captures, group 0's). A Capture is held as the *reGroup it
// came from: Value, Index and Length are Capture's members in .NET.
func addCaptureMembers(m map[string]expr.Members) {
	capture := named("Capture")
	collection := named("CaptureCollection")
	m["Capture"] = expr.Members{
		"Value":  val(tyString, func(r any) any { return r.(*reGroup).value }),
		"Index":  val(tyInt, func(r any) any { return r.(*reGroup).index }),
		"Length": val(tyInt, func(r any) any { return r.(*reGroup).length }),
	}
	m["CaptureCollection"] = expr.Members{
		"Count": val(tyInt, func(r any) any { return len(r.(reCaptures).caps) }),
		"[]": fn(capture, 1, 1, func(r any, a []any) (any, error) {
			c := r.(reCaptures).caps
			i, ok := a[0].(int)
			if !ok {
				return nil, fail("capture index must be an int")
			}
			if i < 0 || i >= len(c) {
				return nil, fail("ArgumentOutOfRangeException: capture index %d is out of range (Count %d)", i, len(c))
			}
			return c[i], nil
		}),
	}
	m["Group"]["Captures"] = val(collection, func(r any) any { return capturesOf(r.(*reGroup)) })
	m["Match"]["Captures"] = val(collection, func(r any) any { return capturesOf(r.(*reMatch).groups[0]) })
}

// ConvertTo lets a Group (and a Match, through its group 0) stand where a
// Capture is expected, as the .NET classes derive from Capture.
func (g *reGroup) ConvertTo(t *expr.Type) (any, bool, error) {
	if t.Name() == "Capture" {
		return g, true, nil
	}
	return nil, false, nil
}
