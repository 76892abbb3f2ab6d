package builtin

import (
	"net/netip"
	"testing"

	"github.com/gatehouse/gatehouse/internal/policy"
)

func TestIPFilter(t *testing.T) {
	const list = `<address>192.0.2.10</address><address>2001:db8::1</address><address-range from="198.51.100.0" to="198.51.100.255" /><address-range from="2001:db8:1::" to="2001:db8:1::ffff" />`
	allow := `<ip-filter action="allow">` + list + `</ip-filter>`
	forbid := `<ip-filter action="forbid">` + list + `</ip-filter>`
	tests := []struct {
		name, elem, ip string
		wantRefused    bool
	}{
		{"allow listed address", allow, "192.0.2.10", false},
		{"allow unlisted address", allow, "192.0.2.11", true},
		{"allow range start", allow, "198.51.100.0", false},
		{"allow range end", allow, "198.51.100.255", false},
		{"allow after range", allow, "198.51.101.0", true},
		{"allow IPv6 address", allow, "2001:db8::1", false},
		{"allow IPv6 range", allow, "2001:db8:1::abcd", false},
		{"allow IPv6 outside", allow, "2001:db8:2::1", true},
		{"allow IPv4-mapped IPv6", allow, "::ffff:192.0.2.10", false},
		{"allow zone dropped", allow, "2001:db8::1%eth0", false},
		{"allow unparsable peer", allow, "not-an-ip", true},
		{"forbid listed", forbid, "198.51.100.7", true},
		{"forbid unlisted", forbid, "203.0.113.1", false},
		{"forbid IPv6 listed", forbid, "2001:db8::1", true},
		{"forbid unparsable peer", forbid, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := mustCompile(t, nil, inbound(tt.elem))
			c := runInbound(t, p, func(c *policy.Context) { c.Request.IPAddress = tt.ip })
			if !tt.wantRefused {
				if c.Ended() {
					t.Errorf("%s was refused", tt.ip)
				}
				return
			}
			refusedWith(t, c, 403, "Forbidden")
		})
	}
}

func TestIPFilterCompileErrors(t *testing.T) {
	checkCompileErrors(t, []compileErrorCase{
		{"no action", inbound(`<ip-filter><address>1.2.3.4</address></ip-filter>`), "1:20: <ip-filter>: attribute action is required"},
		{"bad action", inbound(`<ip-filter action="deny"><address>1.2.3.4</address></ip-filter>`), `1:39: <ip-filter> action: "deny": want allow or forbid`},
		{"empty", inbound(`<ip-filter action="allow" />`), "at least one <address> or <address-range> is required"},
		{"bad address", inbound(`<ip-filter action="allow"><address>1.2.3</address></ip-filter>`), `1:46: <address>: address "1.2.3"`},
		{"CIDR is not an address", inbound(`<ip-filter action="allow"><address>10.0.0.0/8</address></ip-filter>`), `<address>: address "10.0.0.0/8"`},
		{"range backwards", inbound(`<ip-filter action="allow"><address-range from="10.0.0.9" to="10.0.0.1" /></ip-filter>`), "<address-range>: from 10.0.0.9 is after to 10.0.0.1"},
		{"range mixed families", inbound(`<ip-filter action="allow"><address-range from="10.0.0.1" to="::1" /></ip-filter>`), "both be IPv4 or both IPv6"},
		{"range without to", inbound(`<ip-filter action="allow"><address-range from="10.0.0.1" /></ip-filter>`), "<address-range>: attribute to is required"},
		{"bad child", inbound(`<ip-filter action="allow"><cidr>10.0.0.0/8</cidr></ip-filter>`), "<cidr>: only <address> and <address-range> belong in <ip-filter>"},
		{"backend section", `<policies><backend><ip-filter action="allow"><address>1.2.3.4</address></ip-filter></backend></policies>`, "<ip-filter>: belongs in the inbound section"},
	})
}

// FuzzParseAddressRange checks that the range parser never panics, and
// that a range it accepts contains both its ends and is of one family.
func FuzzParseAddressRange(f *testing.F) {
	f.Add("10.0.0.1", "10.0.0.9")
	f.Add("2001:db8::", "2001:db8::ffff")
	f.Add("::ffff:10.0.0.1", "10.0.0.2")
	f.Add("fe80::1%eth0", "fe80::2")
	f.Add("10.0.0.9", "10.0.0.1")
	f.Add("", "x")
	f.Fuzz(func(t *testing.T, from, to string) {
		r, err := parseAddressRange(from, to)
		if err != nil {
			return
		}
		if !r.contains(r.from) || !r.contains(r.to) || r.from.Is4() != r.to.Is4() || r.from.Zone() != "" {
			t.Fatalf("parseAddressRange(%q, %q) = %v..%v: inconsistent", from, to, r.from, r.to)
		}
		if r.from.Is4() && r.contains(netip.IPv6Unspecified()) {
			t.Fatalf("IPv4 range %v..%v contains ::", r.from, r.to)
		}
	})
}
