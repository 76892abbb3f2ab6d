package dotnet

import (
	"net/netip"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// ipAddress is a System.Net.IPAddress, IPv4 or IPv6.
type ipAddress struct{ a netip.Addr }

// TypeName returns "IPAddress".
func (*ipAddress) TypeName() string { return "IPAddress" }

// String writes the address as .NET does: dotted IPv4, compressed IPv6.
func (ip *ipAddress) String() string { return ip.a.String() }

// parseIP parses an IPv4 or IPv6 address (an IPv6 zone is kept).
func parseIP(v any) (*ipAddress, error) {
	s, err := str(v, "ipString")
	if err != nil {
		return nil, err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return nil, fail("an invalid IP address was specified: %s", s)
	}
	return &ipAddress{a: a}, nil
}

// addIPAddress adds IPAddress: static Parse, TryParse, IsLoopback,
// Loopback, IPv6Loopback, Any, None, Broadcast; members AddressFamily,
// GetAddressBytes, Equals, IsIPv4MappedToIPv6, MapToIPv4, MapToIPv6.
func addIPAddress(m, s map[string]expr.Members) {
	tyIP := named("IPAddress")
	fam := func(name string, v int) expr.Enum { return expr.Enum{Type: "AddressFamily", Name: name, Value: v} }
	s["AddressFamily"] = expr.Members{
		"InterNetwork":   constant(named("AddressFamily"), fam("InterNetwork", 2)),
		"InterNetworkV6": constant(named("AddressFamily"), fam("InterNetworkV6", 23)),
	}
	ip := func(a netip.Addr) *expr.Member { return constant(tyIP, &ipAddress{a: a}) }
	s["IPAddress"] = expr.Members{
		"Parse": fn(tyIP, 1, 1, func(_ any, a []any) (any, error) { return parseIP(a[0]) }),
		"TryParse": fn(tyBool, 2, 2, func(_ any, a []any) (any, error) {
			o, ok := a[1].(expr.Out)
			if !ok {
				return nil, fail("IPAddress.TryParse needs an out argument")
			}
			v, err := parseIP(a[0])
			if err != nil {
				o.Set(nil)
				return false, nil
			}
			o.Set(v)
			return true, nil
		}),
		"IsLoopback": fn(tyBool, 1, 1, func(_ any, a []any) (any, error) {
			v, ok := a[0].(*ipAddress)
			if !ok {
				return nil, fail("IPAddress.IsLoopback takes an IPAddress, not %s", expr.TypeName(a[0]))
			}
			return v.a.IsLoopback(), nil
		}),
		"Loopback":     ip(netip.AddrFrom4([4]byte{127, 0, 0, 1})),
		"IPv6Loopback": ip(netip.IPv6Loopback()),
		"Any":          ip(netip.IPv4Unspecified()),
		"IPv6Any":      ip(netip.IPv6Unspecified()),
		"None":         ip(netip.AddrFrom4([4]byte{255, 255, 255, 255})),
		"Broadcast":    ip(netip.AddrFrom4([4]byte{255, 255, 255, 255})),
	}
	x := func(r any) netip.Addr { return r.(*ipAddress).a }
	m["IPAddress"] = expr.Members{
		"AddressFamily": val(named("AddressFamily"), func(r any) any {
			if x(r).Is4() {
				return fam("InterNetwork", 2)
			}
			return fam("InterNetworkV6", 23)
		}),
		"GetAddressBytes": fn(tyBytes, 0, 0, func(r any, _ []any) (any, error) { return x(r).AsSlice(), nil }),
		"Equals": fn(tyBool, 1, 1, func(r any, a []any) (any, error) {
			o, ok := a[0].(*ipAddress)
			return ok && o.a == x(r), nil
		}),
		"IsIPv4MappedToIPv6": val(tyBool, func(r any) any { return x(r).Is4In6() }),
		"MapToIPv4":          fn(tyIP, 0, 0, func(r any, _ []any) (any, error) { return &ipAddress{a: x(r).Unmap()}, nil }),
		"MapToIPv6": fn(tyIP, 0, 0, func(r any, _ []any) (any, error) {
			return &ipAddress{a: netip.AddrFrom16(x(r).As16())}, nil
		}),
	}
}
