package builtin

import (
	"github.com/gatehouse/gatehouse/internal/cache"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// caches are the gateway's two caches, as APIM has them: its own
// in-memory cache (internal) and the cache shared by gateway nodes
// (external, Redis), which is nil when none is configured.
type caches struct {
	internal, external cache.Store
}

// compile reads n's caching-type (internal, external or prefer-external,
// the default) and returns the cache it selects. Without an external
// cache, external and prefer-external use the internal one.
func (cs caches) compile(n *policy.Node, c *policy.Compiler) cache.Store {
	s, a, ok := c.Literal(n, "caching-type", false)
	if !ok {
		s = "prefer-external"
	}
	switch s {
	case "internal":
		return cs.internal
	case "external", "prefer-external":
		if cs.external != nil {
			return cs.external
		}
		return cs.internal
	}
	c.AttrErrorf(n, a, "%q: want internal, external or prefer-external", s)
	return cs.internal
}
