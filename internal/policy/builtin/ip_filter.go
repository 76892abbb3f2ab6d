package builtin

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// ipFilter implements <ip-filter action="allow|forbid"> with <address>
// and <address-range from="..." to="..."/> children (IPv4 or IPv6). With
// allow, only listed callers pass; with forbid, listed callers are
// refused. A refused caller gets 403 {"statusCode": 403, "message":
// "Forbidden"}.
//
// The caller is context.Request.IpAddress: the connection's peer, or,
// behind the gateway's trusted proxies, the client they name in
// X-Forwarded-For (see gateway.Options.TrustedProxies). An address that
// does not parse is refused in both modes.
type ipFilter struct {
	allow  bool
	addrs  []netip.Addr
	ranges []ipRange
	// unknown: an address is a named value not known where the document
	// was compiled (policy check); such a filter refuses every caller.
	unknown bool
}

var _ policy.Step = (*ipFilter)(nil)

// ipRange is an inclusive range of addresses of one family.
type ipRange struct {
	from, to netip.Addr
}

func compileIPFilter(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "action")
	requireInbound(n, c)
	f := &ipFilter{}
	if act, a, ok := c.Literal(n, "action", true); ok {
		switch act {
		case "allow":
			f.allow = true
		case "forbid":
		default:
			c.AttrErrorf(n, a, "%q: want allow or forbid", act)
		}
	}
	for _, ch := range n.Children {
		switch ch.Name {
		case "address":
			c.Only(ch)
			if opaqueAttr(ch, "") {
				f.unknown = true // checked where its value is known
				continue
			}
			text, ok := literalText(ch, c)
			if !ok {
				continue
			}
			addr, err := parseAddr(text)
			if err != nil {
				c.Errorf(ch, "%v", err)
				continue
			}
			f.addrs = append(f.addrs, addr)
		case "address-range":
			c.Only(ch, "from", "to")
			from, _, okFrom := c.Literal(ch, "from", true)
			to, _, okTo := c.Literal(ch, "to", true)
			if !okFrom || !okTo {
				continue
			}
			r, err := parseAddressRange(from, to)
			if err != nil {
				c.Errorf(ch, "%v", err)
				continue
			}
			f.ranges = append(f.ranges, r)
		default:
			c.Errorf(ch, "only <address> and <address-range> belong in <ip-filter>")
		}
	}
	if len(f.addrs)+len(f.ranges) == 0 && !f.unknown {
		c.Errorf(n, "at least one <address> or <address-range> is required")
	}
	return f
}

// parseAddr parses one IPv4 or IPv6 address; an IPv4-mapped IPv6 address
// becomes IPv4 and a zone is dropped.
func parseAddr(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return netip.Addr{}, fmt.Errorf("address %q: %w", s, err)
	}
	return a.Unmap().WithZone(""), nil
}

// parseAddressRange parses an <address-range>: two addresses of the same
// family with from <= to.
func parseAddressRange(from, to string) (ipRange, error) {
	f, err := parseAddr(from)
	if err != nil {
		return ipRange{}, fmt.Errorf("from: %w", err)
	}
	t, err := parseAddr(to)
	if err != nil {
		return ipRange{}, fmt.Errorf("to: %w", err)
	}
	if f.Is4() != t.Is4() {
		return ipRange{}, errors.New("from and to must both be IPv4 or both IPv6")
	}
	if f.Compare(t) > 0 {
		return ipRange{}, fmt.Errorf("from %s is after to %s", f, t)
	}
	return ipRange{from: f, to: t}, nil
}

// contains reports whether a is in r.
func (r ipRange) contains(a netip.Addr) bool {
	return a.Is4() == r.from.Is4() && r.from.Compare(a) <= 0 && a.Compare(r.to) <= 0
}

// listed reports whether a is one of f's addresses or in one of its ranges.
func (f *ipFilter) listed(a netip.Addr) bool {
	for _, x := range f.addrs {
		if x == a {
			return true
		}
	}
	for _, r := range f.ranges {
		if r.contains(a) {
			return true
		}
	}
	return false
}

func (f *ipFilter) Do(c *policy.Context) error {
	a, err := parseAddr(c.Request.IPAddress)
	if err == nil && !f.unknown && f.listed(a) == f.allow {
		return nil
	}
	if err != nil {
		return refuse(http.StatusForbidden, "FailedToParseCallerIP", "Failed to parse caller IP address from request.", "Forbidden", nil)
	}
	return refuse(http.StatusForbidden, "CallerIpNotAllowed", "Caller IP address "+a.String()+" is not allowed. Access denied.", "Forbidden", nil)
}
