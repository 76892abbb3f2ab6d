package dotnet

import (
	"strings"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// hashSet is a HashSet<T>: elements in insertion order, compared by their
// string form, case-insensitively when built with a StringComparer.*IgnoreCase.
type hashSet struct {
	items []any
	keys  map[string]bool
	fold  bool
}

// TypeName returns "HashSet".
func (*hashSet) TypeName() string { return "HashSet" }

// String returns the type name.
func (s *hashSet) String() string { return s.TypeName() }

// Enumerate returns the elements in insertion order.
func (s *hashSet) Enumerate() []any { return append([]any(nil), s.items...) }

func (s *hashSet) key(v any) string {
	k := expr.ToString(v)
	if v == nil {
		k = "\x00null"
	}
	if s.fold {
		k = strings.ToLower(k)
	}
	return k
}

// add adds v unless an equal element is there, and says whether it did.
func (s *hashSet) add(v any) (bool, error) {
	k := s.key(v)
	if s.keys[k] {
		return false, nil
	}
	if len(s.items) >= expr.MaxArray {
		return false, errTooLong
	}
	s.keys[k] = true
	s.items = append(s.items, v)
	return true, nil
}

func (s *hashSet) remove(v any) bool {
	k := s.key(v)
	if !s.keys[k] {
		return false
	}
	delete(s.keys, k)
	for i, x := range s.items {
		if s.key(x) == k {
			s.items = append(s.items[:i], s.items[i+1:]...)
			break
		}
	}
	return true
}

// seqColl is a Queue<T> (dequeued from the front) or a Stack<T> (popped
// from the back); items are in the order they were added.
type seqColl struct {
	stack bool
	items []any
}

// TypeName returns "Stack" or "Queue".
func (q *seqColl) TypeName() string {
	if q.stack {
		return "Stack"
	}
	return "Queue"
}

// String returns the type name.
func (q *seqColl) String() string { return q.TypeName() }

// Enumerate returns the elements in the order they would be taken out.
func (q *seqColl) Enumerate() []any {
	out := append([]any(nil), q.items...)
	if q.stack {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out
}

// sourceItems returns the elements of a constructor's collection argument.
func sourceItems(v any) ([]any, bool) {
	if _, isStr := v.(string); isStr || v == nil {
		return nil, false
	}
	items, err := expr.Enumerate(v)
	return items, err == nil
}

func newHashSet(a []any) (any, error) {
	s := &hashSet{keys: map[string]bool{}}
	for _, x := range a {
		if e, ok := x.(expr.Enum); ok && e.Type == "StringComparer" {
			s.fold = strings.HasSuffix(e.Name, "IgnoreCase")
		}
	}
	for i, x := range a {
		if e, ok := x.(expr.Enum); ok && e.Type == "StringComparer" {
			continue
		}
		if items, ok := sourceItems(x); ok && i == 0 {
			for _, it := range items {
				if _, err := s.add(it); err != nil {
					return nil, err
				}
			}
			continue
		}
		if _, err := s.add(x); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func newSeqColl(stack bool) func(a []any) (any, error) {
	return func(a []any) (any, error) {
		q := &seqColl{stack: stack}
		if len(a) == 1 {
			if _, isInt := a[0].(int); isInt {
				return q, nil // the capacity
			}
			items, ok := sourceItems(a[0])
			if !ok {
				return nil, fail("new %s takes a capacity or a collection, not %s", q.TypeName(), expr.TypeName(a[0]))
			}
			q.items = append(q.items, items...)
		}
		return q, nil
	}
}

// addSetMembers adds the members of HashSet<T>, Queue<T> and Stack<T>.
func addSetMembers(m map[string]expr.Members) {
	hs := func(r any) *hashSet { return r.(*hashSet) }
	m["HashSet"] = expr.Members{
		"Add":      fn(tyBool, 1, 1, func(r any, a []any) (any, error) { return hs(r).add(a[0]) }),
		"Contains": fn(tyBool, 1, 1, func(r any, a []any) (any, error) { return hs(r).keys[hs(r).key(a[0])], nil }),
		"Remove":   fn(tyBool, 1, 1, func(r any, a []any) (any, error) { return hs(r).remove(a[0]), nil }),
		"Count":    val(tyInt, func(r any) any { return len(hs(r).items) }),
		"Clear": fn(tyVoid, 0, 0, func(r any, _ []any) (any, error) {
			hs(r).items, hs(r).keys = nil, map[string]bool{}
			return nil, nil
		}),
		"UnionWith": fn(tyVoid, 1, 1, func(r any, a []any) (any, error) {
			items, err := expr.Enumerate(a[0])
			if err != nil {
				return nil, err
			}
			for _, it := range items {
				if _, err := hs(r).add(it); err != nil {
					return nil, err
				}
			}
			return nil, nil
		}),
	}
	q := func(r any) *seqColl { return r.(*seqColl) }
	take := func(name string, remove bool) *expr.Member {
		return fn(tyObject, 0, 0, func(r any, _ []any) (any, error) {
			c := q(r)
			if len(c.items) == 0 {
				return nil, fail("%s.%s: the %s is empty", c.TypeName(), name, strings.ToLower(c.TypeName()))
			}
			i := 0
			if c.stack {
				i = len(c.items) - 1
			}
			v := c.items[i]
			if remove {
				c.items = append(c.items[:i], c.items[i+1:]...)
			}
			return v, nil
		})
	}
	put := fn(tyVoid, 1, 1, func(r any, a []any) (any, error) {
		if len(q(r).items) >= expr.MaxArray {
			return nil, errTooLong
		}
		q(r).items = append(q(r).items, a[0])
		return nil, nil
	})
	common := func() expr.Members {
		return expr.Members{
			"Count": val(tyInt, func(r any) any { return len(q(r).items) }),
			"Peek":  take("Peek", false),
			"Clear": fn(tyVoid, 0, 0, func(r any, _ []any) (any, error) { q(r).items = nil; return nil, nil }),
			"Contains": fn(tyBool, 1, 1, func(r any, a []any) (any, error) {
				for _, x := range q(r).items {
					if expr.Equal(x, a[0]) {
						return true, nil
					}
				}
				return false, nil
			}),
		}
	}
	m["Queue"] = common()
	m["Queue"]["Enqueue"] = put
	m["Queue"]["Dequeue"] = take("Dequeue", true)
	m["Stack"] = common()
	m["Stack"]["Push"] = put
	m["Stack"]["Pop"] = take("Pop", true)
}
