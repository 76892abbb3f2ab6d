package builtin

import (
	"github.com/gatehouse/gatehouse/internal/cache"
	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// valueKey is where the value policies keep key in the cache.
func valueKey(key string) string { return "value\x00" + key }

// cacheLookupValue implements <cache-lookup-value key="..."
// variable-name="..." default-value="..."/>: the cached value (a string)
// goes into the variable, or the default when there is none.
type cacheLookupValue struct {
	cache    cache.Store
	key      policy.Value
	variable string
	def      policy.Value
}

func compileCacheLookupValue(cs caches) policy.CompileFunc {
	return func(n *policy.Node, c *policy.Compiler) policy.Step {
		c.Only(n, "key", "variable-name", "default-value", "caching-type")
		l := &cacheLookupValue{cache: cs.compile(n, c)}
		l.key, _ = c.Attr(n, "key", true)
		l.variable, _, _ = c.Literal(n, "variable-name", true)
		l.def, _ = c.Attr(n, "default-value", false)
		return l
	}
}

func (l *cacheLookupValue) Do(c *policy.Context) error {
	key, err := l.key.String(c)
	if err != nil {
		return err
	}
	if v, _, ok := l.cache.Get(valueKey(key)); ok {
		c.SetVariable(l.variable, string(v))
		return nil
	}
	if l.def.IsSet() {
		d, err := l.def.Any(c)
		if err != nil {
			return err
		}
		c.SetVariable(l.variable, d)
	}
	return nil
}

// cacheStoreValue implements <cache-store-value key="..." value="..."
// duration="seconds"/>: the value, as a string, is kept for duration.
type cacheStoreValue struct {
	cache    cache.Store
	key      policy.Value
	value    policy.Value
	duration seconds
}

func compileCacheStoreValue(cs caches) policy.CompileFunc {
	return func(n *policy.Node, c *policy.Compiler) policy.Step {
		c.Only(n, "key", "value", "duration", "caching-type")
		s := &cacheStoreValue{cache: cs.compile(n, c)}
		s.key, _ = c.Attr(n, "key", true)
		s.value, _ = c.Attr(n, "value", true)
		// APIM's reference: duration, "Value will be cached for the
		// provided duration value, specified in seconds. Policy expressions
		// are allowed." No bounds are documented: 0 keeps nothing.
		s.duration = compileSeconds(n, c, "duration", true, 0, 0)
		return s
	}
}

func (s *cacheStoreValue) Do(c *policy.Context) error {
	key, err := s.key.String(c)
	if err != nil {
		return err
	}
	v, err := s.value.Any(c)
	if err != nil {
		return err
	}
	ttl, err := s.duration.get(c)
	if err != nil || ttl <= 0 {
		return err
	}
	s.cache.Set(valueKey(key), []byte(expr.ToString(v)), ttl)
	return nil
}

// cacheRemoveValue implements <cache-remove-value key="..."/>.
type cacheRemoveValue struct {
	cache cache.Store
	key   policy.Value
}

func compileCacheRemoveValue(cs caches) policy.CompileFunc {
	return func(n *policy.Node, c *policy.Compiler) policy.Step {
		c.Only(n, "key", "caching-type")
		r := &cacheRemoveValue{cache: cs.compile(n, c)}
		r.key, _ = c.Attr(n, "key", true)
		return r
	}
}

func (r *cacheRemoveValue) Do(c *policy.Context) error {
	key, err := r.key.String(c)
	if err != nil {
		return err
	}
	r.cache.Delete(valueKey(key))
	return nil
}
