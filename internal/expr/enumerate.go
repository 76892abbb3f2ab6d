package expr

import (
	"net/http"
	"net/url"
	"sort"
)

// Enumerate returns the elements of an enumerable value, as foreach and
// LINQ see them: arrays and lists, the chars of a string, the elements of
// an Enumerable. Header collections, query parameters, Variables and
// other dictionaries yield KeyValuePairs in key order. The result may be
// the value's own storage: the caller must not change it.
func Enumerate(v any) ([]any, error) {
	switch x := v.(type) {
	case []any:
		return x, nil
	case *List:
		return x.Items, nil
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out, nil
	case []byte:
		out := make([]any, len(x))
		for i, b := range x {
			out[i] = b
		}
		return out, nil
	case []Group:
		out := make([]any, len(x))
		for i, g := range x {
			out[i] = g
		}
		return out, nil
	case string:
		out := make([]any, 0, len(x))
		for _, r := range x {
			out = append(out, r)
		}
		return out, nil
	case http.Header:
		return Pairs(x), nil
	case url.Values:
		return Pairs(x), nil
	case map[string]string:
		return Pairs(x), nil
	case map[string]any:
		return Pairs(x), nil
	case Enumerable:
		return x.Enumerate(), nil
	case nil:
		return nil, Fail("value cannot be null (source)")
	}
	return nil, Fail("%s is not enumerable", TypeName(v))
}

// Pairs returns the entries of m as KeyValuePairs, in key order.
func Pairs[V any](m map[string]V) []any {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = KeyValuePair{Key: k, Value: m[k]}
	}
	return out
}
