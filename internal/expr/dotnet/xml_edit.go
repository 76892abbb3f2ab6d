package dotnet

import "github.com/gatehouse/gatehouse/internal/expr"

// addXMLEditMembers adds the XElement members that inspect or rewrite an
// element in place: HasAttributes, IsEmpty, DescendantsAndSelf, AddFirst,
// SetValue, SetElementValue, RemoveAll, RemoveAttributes, RemoveNodes,
// ReplaceAll, ReplaceNodes and ReplaceAttributes.
func addXMLEditMembers(m map[string]expr.Members) {
	x := func(r any) *XElement { return r.(*XElement) }
	tyX := named("XElement")
	// content builds the children and attributes that Add would add.
	content := func(r any, a []any) (*XElement, error) {
		el, err := newXElement(append([]any{x(r).Name}, a...))
		if err != nil {
			return nil, err
		}
		return el.(*XElement), nil
	}
	xm := m["XElement"]
	xm["HasAttributes"] = val(tyBool, func(r any) any { return len(x(r).Attrs) > 0 })
	xm["IsEmpty"] = val(tyBool, func(r any) any { return len(x(r).Children) == 0 })
	xm["DescendantsAndSelf"] = fn(expr.ArrayOf(tyX), 0, 1, func(r any, a []any) (any, error) {
		name := xname(a)
		out := []any{}
		if name == "" || x(r).Name == name {
			out = append(out, x(r))
		}
		return x(r).descendants(name, out), nil
	})
	xm["AddFirst"] = fn(tyVoid, 1, -1, func(r any, a []any) (any, error) {
		el, err := content(r, a)
		if err != nil {
			return nil, err
		}
		x(r).Children = append(el.Children, x(r).Children...)
		x(r).Attrs = append(x(r).Attrs, el.Attrs...)
		return nil, nil
	})
	xm["SetValue"] = fn(tyVoid, 1, 1, func(r any, a []any) (any, error) {
		if a[0] == nil {
			return nil, fail("XElement.SetValue: value cannot be null")
		}
		x(r).setValue(expr.ToString(a[0]))
		return nil, nil
	})
	xm["SetElementValue"] = fn(tyVoid, 2, 2, func(r any, a []any) (any, error) {
		name := xname(a)
		for i, c := range x(r).Children {
			if e, ok := c.(*XElement); ok && e.Name == name {
				if a[1] == nil {
					x(r).Children = append(x(r).Children[:i], x(r).Children[i+1:]...)
				} else {
					e.setValue(expr.ToString(a[1]))
				}
				return nil, nil
			}
		}
		if a[1] != nil {
			x(r).Children = append(x(r).Children, &XElement{Name: name, Children: []any{expr.ToString(a[1])}})
		}
		return nil, nil
	})
	xm["RemoveAll"] = fn(tyVoid, 0, 0, func(r any, _ []any) (any, error) {
		x(r).Children, x(r).Attrs = nil, nil
		return nil, nil
	})
	xm["RemoveAttributes"] = fn(tyVoid, 0, 0, func(r any, _ []any) (any, error) {
		x(r).Attrs = nil
		return nil, nil
	})
	xm["RemoveNodes"] = fn(tyVoid, 0, 0, func(r any, _ []any) (any, error) {
		x(r).Children = nil
		return nil, nil
	})
	// replace removes the children, the attributes or both, then adds the
	// content as Add does.
	replace := func(children, attrs bool) func(r any, a []any) (any, error) {
		return func(r any, a []any) (any, error) {
			el, err := content(r, a)
			if err != nil {
				return nil, err
			}
			if children {
				x(r).Children = nil
			}
			if attrs {
				x(r).Attrs = nil
			}
			x(r).Children = append(x(r).Children, el.Children...)
			x(r).Attrs = append(x(r).Attrs, el.Attrs...)
			return nil, nil
		}
	}
	xm["ReplaceAll"] = fn(tyVoid, 1, -1, replace(true, true))
	xm["ReplaceNodes"] = fn(tyVoid, 1, -1, replace(true, false))
	xm["ReplaceAttributes"] = fn(tyVoid, 1, -1, replace(false, true))
}
