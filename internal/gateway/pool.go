package gateway

import (
	"fmt"
	"math/rand/v2"
	"sort"

	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// pool is a compiled load-balanced pool of backends: its members grouped
// by priority, lowest first. It is immutable; the members' breakers
// carry the only state, so picking takes no lock.
type pool struct {
	groups []poolGroup
}

// poolGroup is the members of one priority.
type poolGroup struct {
	members []poolMember
}

// poolMember is one backend of a pool with its weight within its group.
type poolMember struct {
	be     *backendEntity
	weight int
}

// compilePool builds pool p of the backend entities in backends. Within
// a priority the members share the requests by weight; when no member
// of a group has a weight, they share them equally.
func compilePool(p []snapshot.PoolMember, backends map[string]*backendEntity) (*pool, error) {
	if len(p) > 32 {
		return nil, fmt.Errorf("the pool has %d members: at most 32 are allowed", len(p))
	}
	byPriority := map[int][]poolMember{}
	for _, m := range p {
		be := backends[m.ID]
		if be == nil {
			return nil, fmt.Errorf("pool member %s is not in the configuration", m.ID)
		}
		if be.pool != nil {
			return nil, fmt.Errorf("pool member %s is a pool", m.ID)
		}
		byPriority[m.Priority] = append(byPriority[m.Priority], poolMember{be: be, weight: m.Weight})
	}
	priorities := make([]int, 0, len(byPriority))
	for pr := range byPriority {
		priorities = append(priorities, pr)
	}
	sort.Ints(priorities)
	out := &pool{}
	for _, pr := range priorities {
		ms := byPriority[pr]
		weighted := false
		for _, m := range ms {
			weighted = weighted || m.weight > 0
		}
		if !weighted {
			for i := range ms {
				ms[i].weight = 1
			}
		}
		out.groups = append(out.groups, poolGroup{members: ms})
	}
	if len(out.groups) == 0 {
		return nil, fmt.Errorf("the pool has no members")
	}
	return out, nil
}

// pick returns the member a request goes to: one of the lowest priority
// that has a member whose circuit breaker is closed, chosen at random by
// weight among those; nil when every member's breaker is open.
func (p *pool) pick() *backendEntity {
	for gi := range p.groups {
		ms := p.groups[gi].members
		var avail [32]bool // a pool holds at most 30 members
		sum := 0
		for i, m := range ms {
			if m.be.err == nil && (m.be.breaker == nil || !m.be.breaker.isOpen()) {
				avail[i] = true
				sum += m.weight
			}
		}
		if sum == 0 {
			continue
		}
		n := rand.IntN(sum)
		for i, m := range ms {
			if !avail[i] {
				continue
			}
			if n < m.weight {
				return m.be
			}
			n -= m.weight
		}
	}
	return nil
}
