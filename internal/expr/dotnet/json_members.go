package dotnet

import (
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/expr"
)

var tyJProperty = named("JProperty")

func tokenType(t any) expr.Enum {
	name := "Null"
	switch x := t.(type) {
	case *JObject:
		name = "Object"
	case *JArray:
		name = "Array"
	case *JProperty:
		name = "Property"
	case *JValue:
		switch x.v.(type) {
		case string:
			name = "String"
		case int64:
			name = "Integer"
		case float64:
			name = "Float"
		case bool:
			name = "Boolean"
		case nil:
			name = "Null"
		default:
			name = "Date"
		}
	}
	return expr.Enum{Type: "JTokenType", Name: name}
}

// tokenIndex implements token[key] for JObject (string key) and JArray (int index).
func tokenIndex(r any, k any) (any, error) {
	switch x := r.(type) {
	case *JObject:
		s, ok := k.(string)
		if !ok {
			return nil, fail("accessed JObject values with invalid key value: %s; object property name expected", expr.ToString(k))
		}
		if v := x.Get(s); v != nil {
			return v, nil
		}
		return nil, nil
	case *JArray:
		i, ok := k.(int)
		if !ok {
			return nil, fail("accessed JArray values with invalid key value: %s; int32 array index expected", expr.ToString(k))
		}
		if i < 0 || i >= len(x.items) {
			return nil, fail("index %d was out of range; must be non-negative and less than the size of the collection", i)
		}
		return x.items[i], nil
	case *JProperty:
		return nil, fail("cannot access child value on JProperty")
	}
	return nil, fail("cannot access child value on %s", expr.TypeName(r))
}

func tokenSet(r any, k, v any) error {
	t, err := jsonFromValue(v)
	if err != nil {
		return err
	}
	switch x := r.(type) {
	case *JObject:
		s, ok := k.(string)
		if !ok {
			return fail("set JObject values with invalid key value: %s; object property name expected", expr.ToString(k))
		}
		x.Set(s, t)
		return nil
	case *JArray:
		i, ok := k.(int)
		if !ok || i < 0 || i >= len(x.items) {
			return fail("index %s was out of range", expr.ToString(k))
		}
		x.items[i] = t
		setParent(t, x)
		return nil
	}
	return fail("cannot set child value on %s", expr.TypeName(r))
}

// toObject converts a token to T as ToObject<T> and Value<T> do.
func toObject(v any, t *expr.Type) (any, error) {
	if v == nil {
		return expr.Zero(t), nil
	}
	switch t.Name() {
	case "object", "JToken":
		if j, ok := v.(*JValue); ok && t.Name() == "object" {
			return j.v, nil
		}
		return v, nil
	case "JObject", "JArray", "JValue", "JProperty":
		if expr.TypeName(v) != t.Name() {
			return nil, fail("cannot convert %s to %s", expr.TypeName(v), t.Name())
		}
		return v, nil
	case "string[]", "array", "List":
		a, ok := v.(*JArray)
		if !ok {
			return nil, fail("cannot convert %s to %s", expr.TypeName(v), t.Name())
		}
		items := make([]any, len(a.items))
		for i, it := range a.items {
			x, err := toObject(it, t.Elem())
			if err != nil {
				return nil, err
			}
			items[i] = x
		}
		if t.Name() == "List" {
			return &expr.List{Items: items}, nil
		}
		return expr.MakeArray(t.Elem(), items)
	}
	j, ok := v.(*JValue)
	if !ok {
		return nil, fail("cannot convert %s to %s", expr.TypeName(v), t.Name())
	}
	if j.v == nil {
		return expr.Zero(t), nil
	}
	return fromJValue(t, j)
}

func jsonCommon() expr.Members {
	return merge(jsonTreeMembers(), expr.Members{
		"Type": val(named("JTokenType"), func(r any) any { return tokenType(r) }),
		"ToObject": genericM(true, 0, 0, func(_ *expr.Env, r any, _ []any, targs []*expr.Type) (any, error) {
			return toObject(r, targs[0])
		}),
		"Value": &expr.Member{Min: 0, Max: 1, Generic: expr.OptionalTypeArg, Get: func(r any) (any, error) {
			if j, ok := r.(*JValue); ok {
				return j.v, nil
			}
			if p, ok := r.(*JProperty); ok {
				return p.Value, nil
			}
			return nil, fail("Value is a property only of JValue and JProperty")
		}, ResultOf: func(targs []*expr.Type, _ *expr.Type) *expr.Type {
			if len(targs) == 1 {
				return targs[0]
			}
			return tyObject
		}, Call: func(_ *expr.Env, r any, a []any, targs []*expr.Type) (any, error) {
			t := tyObject
			if len(targs) == 1 {
				t = targs[0]
			}
			if len(a) == 0 {
				if p, ok := r.(*JProperty); ok {
					return toObject(p.Value, t)
				}
				return toObject(r, t)
			}
			v, err := tokenIndex(r, a[0])
			if err != nil {
				return nil, err
			}
			return toObject(v, t)
		}},
		"SelectToken": fn(tyJToken, 1, 2, func(r any, a []any) (any, error) {
			path, err := str(a[0], "path")
			if err != nil {
				return nil, err
			}
			return selectToken(r.(JToken), path)
		}),
		"Children": fn(tyArray, 0, 0, func(r any, _ []any) (any, error) { return expr.Enumerate(r) }),
		"HasValues": val(tyBool, func(r any) any {
			switch x := r.(type) {
			case *JObject:
				return len(x.props) > 0
			case *JArray:
				return len(x.items) > 0
			case *JProperty:
				return true
			}
			return false
		}),
		"DeepClone": fn(tyJToken, 0, 0, func(r any, _ []any) (any, error) {
			t, err := parseJSON([]byte(jsonString(r.(JToken), false)))
			if _, isProp := r.(*JProperty); isProp {
				p := r.(*JProperty)
				v, err := parseJSON([]byte(jsonString(p.Value, false)))
				c := &JProperty{Name: p.Name, Value: v}
				setParent(v, c)
				return c, err
			}
			return t, err
		}),
		"[]": fn(tyJToken, 1, 1, func(r any, a []any) (any, error) { return tokenIndex(r, a[0]) }),
		"[]=": &expr.Member{Min: 2, Max: 2, Call: func(_ *expr.Env, r any, a []any, _ []*expr.Type) (any, error) {
			return nil, tokenSet(r, a[0], a[1])
		}},
	})
}

func addJSONMembers(m map[string]expr.Members) {
	obj := func(r any) *JObject { return r.(*JObject) }
	m["JObject"] = merge(expr.Members{
		"Property": fn(tyJProperty, 1, 2, func(r any, a []any) (any, error) {
			name, err := str(a[0], "name")
			if err != nil {
				return nil, err
			}
			for _, p := range obj(r).props {
				if p.Name == name || ignoreCaseArg(a, 1) && strings.EqualFold(p.Name, name) {
					return p, nil
				}
			}
			return nil, nil
		}),
		// GetValue(name[, comparison]) is Newtonsoft's: the value of the
		// property called name, or null; with an IgnoreCase comparison an
		// exact match wins, then the first whose name differs only in case.
		"GetValue": fn(tyJToken, 1, 2, func(r any, a []any) (any, error) {
			name, err := str(a[0], "propertyName")
			if err != nil {
				return nil, err
			}
			if v := obj(r).Get(name); v != nil || !ignoreCaseArg(a, 1) {
				return v, nil
			}
			for _, p := range obj(r).props {
				if strings.EqualFold(p.Name, name) {
					return p.Value, nil
				}
			}
			return nil, nil
		}),
		"Properties": fn(expr.ArrayOf(tyJProperty), 0, 0, func(r any, _ []any) (any, error) {
			out := make([]any, len(obj(r).props))
			for i, p := range obj(r).props {
				out[i] = p
			}
			return out, nil
		}),
		"Remove": fn(tyBool, 1, 1, func(r any, a []any) (any, error) {
			name, err := str(a[0], "propertyName")
			if err != nil {
				return nil, err
			}
			return obj(r).remove(name), nil
		}),
		"Add": fn(tyVoid, 1, 2, func(r any, a []any) (any, error) {
			if len(a) == 1 {
				p, ok := a[0].(*JProperty)
				if !ok {
					return nil, fail("JObject.Add needs a JProperty or a name and a value")
				}
				a = []any{p.Name, p.Value}
			}
			return nil, addProperty(obj(r), a[0], a[1])
		}),
		"ContainsKey": fn(tyBool, 1, 1, func(r any, a []any) (any, error) {
			name, err := str(a[0], "propertyName")
			return err == nil && obj(r).Get(name) != nil, err
		}),
		"TryGetValue": fn(tyBool, 2, 2, func(r any, a []any) (any, error) {
			name, err := str(a[0], "propertyName")
			if err != nil {
				return nil, err
			}
			o, ok := a[1].(expr.Out)
			if !ok {
				return nil, fail("TryGetValue needs an out argument")
			}
			v := obj(r).Get(name)
			if v == nil {
				o.Set(nil)
				return false, nil
			}
			o.Set(v)
			return true, nil
		}),
		"Count": val(tyInt, func(r any) any { return len(obj(r).props) }),
	}, jsonCommon())
	arr := func(r any) *JArray { return r.(*JArray) }
	m["JArray"] = merge(expr.Members{
		"Add": fn(tyVoid, 1, 1, func(r any, a []any) (any, error) {
			t, err := jsonFromValue(a[0])
			if err != nil {
				return nil, err
			}
			setParent(t, arr(r))
			arr(r).items = append(arr(r).items, t)
			return nil, nil
		}),
		"Insert": fn(tyVoid, 2, 2, func(r any, a []any) (any, error) {
			i, err := intArg(a[0], "index")
			if err != nil || i < 0 || i > len(arr(r).items) {
				return nil, fail("index must be within the bounds of the List")
			}
			t, err := jsonFromValue(a[1])
			if err != nil {
				return nil, err
			}
			x := arr(r)
			setParent(t, x)
			x.items = append(x.items[:i], append([]JToken{t}, x.items[i:]...)...)
			return nil, nil
		}),
		"RemoveAt": fn(tyVoid, 1, 1, func(r any, a []any) (any, error) {
			i, err := intArg(a[0], "index")
			x := arr(r)
			if err != nil || i < 0 || i >= len(x.items) {
				return nil, fail("index was out of range")
			}
			x.items = append(x.items[:i], x.items[i+1:]...)
			return nil, nil
		}),
		"Remove": fn(tyBool, 1, 1, func(r any, a []any) (any, error) {
			x := arr(r)
			for i, it := range x.items {
				if it == a[0] {
					x.items = append(x.items[:i], x.items[i+1:]...)
					return true, nil
				}
			}
			return false, nil
		}),
		"Clear": fn(tyVoid, 0, 0, func(r any, _ []any) (any, error) { arr(r).items = nil; return nil, nil }),
		"Count": val(tyInt, func(r any) any { return len(arr(r).items) }),
		"Values": &expr.Member{Generic: expr.OptionalTypeArg, ResultOf: func(targs []*expr.Type, _ *expr.Type) *expr.Type {
			if len(targs) == 1 {
				return expr.ArrayOf(targs[0])
			}
			return tyArray
		}, Call: func(_ *expr.Env, r any, _ []any, targs []*expr.Type) (any, error) {
			t := tyObject
			if len(targs) == 1 {
				t = targs[0]
			}
			out := make([]any, len(arr(r).items))
			for i, it := range arr(r).items {
				v, err := toObject(it, t)
				if err != nil {
					return nil, err
				}
				out[i] = v
			}
			return out, nil
		}},
	}, jsonCommon())
	m["JValue"] = jsonCommon()
	m["JProperty"] = merge(expr.Members{
		"Name": val(tyString, func(r any) any { return r.(*JProperty).Name }),
		"Remove": fn(tyVoid, 0, 0, func(r any, _ []any) (any, error) {
			p := r.(*JProperty)
			if p.parent == nil || !p.parent.remove(p.Name) {
				return nil, fail("the property has no parent")
			}
			p.parent = nil
			return nil, nil
		}),
	}, jsonCommon())
	m["JValue"]["Value"] = m["JProperty"]["Value"]
	setValue := &expr.Member{Min: 1, Max: 1, Call: setTokenValue}
	m["JProperty"]["Value="] = setValue
	m["JValue"]["Value="] = setValue
	m["JTokenType"] = expr.Members{}
}

// parseText is T.Parse(json) for the token type rt.
func parseText(rt *expr.Type) *expr.Member {
	t := rt.Name()
	return fn(rt, 1, 2, func(_ any, a []any) (any, error) {
		s, err := str(a[0], "json")
		if err != nil {
			return nil, err
		}
		v, err := parseJSON([]byte(s))
		if err != nil {
			return nil, err
		}
		if t != "JToken" && expr.TypeName(v) != t {
			return nil, fail("error reading %s from JsonReader: the JSON is %s", t, expr.TypeName(v))
		}
		return v, nil
	})
}

func addJSONStatics(s map[string]expr.Members) {
	from := fn(tyJToken, 1, 1, func(_ any, a []any) (any, error) { return jsonFromValue(a[0]) })
	s["JObject"] = expr.Members{"Parse": parseText(named("JObject")), "FromObject": from}
	s["JArray"] = expr.Members{"Parse": parseText(named("JArray")), "FromObject": from}
	s["JToken"] = expr.Members{"Parse": parseText(tyJToken), "FromObject": from}
	s["JsonConvert"] = expr.Members{
		"SerializeObject": fn(tyString, 1, 2, func(_ any, a []any) (any, error) {
			indent := false
			if len(a) == 2 {
				if f, ok := a[1].(expr.Enum); ok && f.Name == "Indented" {
					indent = true
				}
			}
			t, err := jsonFromValue(a[0])
			if err != nil {
				return nil, err
			}
			return jsonString(t, indent), nil
		}),
		"DeserializeObject": genericM(false, 1, 1, func(_ *expr.Env, _ any, a []any, targs []*expr.Type) (any, error) {
			s, err := str(a[0], "value")
			if err != nil {
				return nil, err
			}
			v, err := parseJSON([]byte(s))
			if err != nil {
				return nil, err
			}
			if len(targs) == 1 {
				return toObject(v, targs[0])
			}
			return v, nil
		}),
	}
	s["JTokenType"] = enumTable("JTokenType", "None", "Object", "Array", "Constructor", "Property", "Comment", "Integer", "Float", "String", "Boolean", "Null", "Undefined", "Date", "Raw", "Bytes", "Guid", "Uri", "TimeSpan")
}

// selectToken implements SelectToken for paths of names and indexes:
// $.a.b, a.b[0].c, ['a b'], [*] is not supported.
func selectToken(t JToken, path string) (any, error) {
	p := strings.TrimPrefix(strings.TrimSpace(path), "$")
	var cur any = t
	for p != "" {
		if cur == nil {
			return nil, nil
		}
		var key any
		switch {
		case p[0] == '.':
			p = p[1:]
			continue
		case strings.HasPrefix(p, "['") || strings.HasPrefix(p, "[\""):
			q := p[1]
			end := strings.IndexByte(p[2:], q)
			if end < 0 || len(p) < end+4 || p[end+3] != ']' {
				return nil, fail("unexpected character while parsing path: %s", path)
			}
			key, p = p[2:2+end], p[end+4:]
		case p[0] == '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return nil, fail("path ended with open indexer: %s", path)
			}
			n, err := strconv.Atoi(strings.TrimSpace(p[1:end]))
			if err != nil {
				return nil, fail("unsupported path %q: only names and integer indexes are supported", path)
			}
			key, p = n, p[end+1:]
		default:
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			key, p = p[:end], p[end:]
			if key == "*" {
				return nil, fail("unsupported path %q: wildcards are not supported", path)
			}
		}
		switch x := cur.(type) {
		case *JObject:
			s, ok := key.(string)
			if !ok {
				return nil, nil
			}
			cur = x.Get(s)
			if cur == (JToken)(nil) {
				return nil, nil
			}
		case *JArray:
			i, ok := key.(int)
			if !ok || i < 0 || i >= len(x.items) {
				return nil, nil
			}
			cur = x.items[i]
		default:
			return nil, nil
		}
	}
	return cur, nil
}

// addProperty is JObject.Add(name, value): it adds the property name,
// which o must not have yet.
func addProperty(o *JObject, key, value any) error {
	name, err := str(key, "propertyName")
	if err != nil {
		return err
	}
	if o.Get(name) != nil {
		return fail("can not add property %s to JObject: property with the same name already exists on object", name)
	}
	t, err := jsonFromValue(value)
	if err != nil {
		return err
	}
	o.Set(name, t)
	return nil
}

// addTokenFirstLast gives JArray and JObject Newtonsoft's First and Last
// properties (the first and last child token, or null: a JObject's are
// its JProperty children) beside LINQ's First() and Last() methods.
func addTokenFirstLast(m map[string]expr.Members) {
	for _, tn := range []string{"JArray", "JObject"} {
		for _, name := range []string{"First", "Last"} {
			last := name == "Last"
			mem := *m[tn][name]
			mem.Get = func(r any) (any, error) {
				items, err := expr.Enumerate(r)
				if err != nil || len(items) == 0 {
					return nil, err
				}
				if last {
					return items[len(items)-1], nil
				}
				return items[0], nil
			}
			m[tn][name] = &mem
		}
	}
}
