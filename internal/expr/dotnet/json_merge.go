package dotnet

import "github.com/gatehouse/gatehouse/internal/expr"

// addJSONMergeMembers adds JObject.Merge (with Json.NET's default
// settings: objects merge property by property, arrays are concatenated,
// null values in the content are ignored, other values replace), the
// static JToken.DeepEquals, JValue.CreateNull and CreateString, and
// JArray.IndexOf, which finds the token itself, as Json.NET does, not an
// equal one.
func addJSONMergeMembers(m, s map[string]expr.Members) {
	m["JArray"]["IndexOf"] = fn(tyInt, 1, 1, func(r any, a []any) (any, error) {
		for i, it := range r.(*JArray).items {
			if any(it) == a[0] {
				return i, nil
			}
		}
		return -1, nil
	})
	m["JObject"]["Merge"] = fn(tyVoid, 1, 2, func(r any, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		other, ok := a[0].(*JObject)
		if !ok {
			return nil, fail("JObject.Merge: can only merge a JObject into a JObject, not %s", expr.TypeName(a[0]))
		}
		mergeObject(r.(*JObject), other)
		return nil, nil
	})
	s["JToken"]["DeepEquals"] = fn(tyBool, 2, 2, func(_ any, a []any) (any, error) {
		x, _ := a[0].(JToken)
		y, _ := a[1].(JToken)
		if (a[0] != nil && x == nil) || (a[1] != nil && y == nil) {
			return nil, fail("JToken.DeepEquals compares JTokens, not %s and %s", expr.TypeName(a[0]), expr.TypeName(a[1]))
		}
		return jsonDeepEqual(x, y), nil
	})
	s["JValue"] = expr.Members{
		"CreateNull": fn(named("JValue"), 0, 0, func(any, []any) (any, error) { return &JValue{}, nil }),
		"CreateString": fn(named("JValue"), 1, 1, func(_ any, a []any) (any, error) {
			if a[0] == nil {
				return &JValue{}, nil
			}
			v, err := str(a[0], "value")
			return &JValue{v: v}, err
		}),
	}
}

// cloneJSON returns a deep copy of t.
func cloneJSON(t JToken) JToken {
	c, err := parseJSON([]byte(jsonString(t, false)))
	if err != nil {
		return t
	}
	return c
}

// mergeObject merges content into o as JObject.Merge does by default.
func mergeObject(o, content *JObject) {
	for _, p := range content.props {
		if v, ok := p.Value.(*JValue); ok && v.v == nil {
			continue
		}
		switch cur := o.Get(p.Name).(type) {
		case *JObject:
			if src, ok := p.Value.(*JObject); ok {
				mergeObject(cur, src)
				continue
			}
		case *JArray:
			if src, ok := p.Value.(*JArray); ok {
				for _, it := range src.items {
					c := cloneJSON(it)
					setParent(c, cur)
					cur.items = append(cur.items, c)
				}
				continue
			}
		}
		o.Set(p.Name, cloneJSON(p.Value))
	}
}

// jsonDeepEqual compares two tokens by value: objects by their properties
// in any order, arrays element by element, scalars by value.
func jsonDeepEqual(x, y JToken) bool {
	if x == nil || y == nil {
		return x == nil && y == nil
	}
	switch a := x.(type) {
	case *JObject:
		b, ok := y.(*JObject)
		if !ok || len(a.props) != len(b.props) {
			return false
		}
		for _, p := range a.props {
			q := b.Get(p.Name)
			if q == nil || !jsonDeepEqual(p.Value, q) {
				return false
			}
		}
		return true
	case *JArray:
		b, ok := y.(*JArray)
		if !ok || len(a.items) != len(b.items) {
			return false
		}
		for i := range a.items {
			if !jsonDeepEqual(a.items[i], b.items[i]) {
				return false
			}
		}
		return true
	case *JProperty:
		b, ok := y.(*JProperty)
		return ok && a.Name == b.Name && jsonDeepEqual(a.Value, b.Value)
	case *JValue:
		b, ok := y.(*JValue)
		return ok && expr.Equal(a.v, b.v)
	}
	return false
}
