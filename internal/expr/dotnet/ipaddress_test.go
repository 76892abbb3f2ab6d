package dotnet

import "testing"

func TestIPAddress(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"parse v4", `IPAddress.Parse("10.0.0.7").ToString()`, "string:10.0.0.7"},
		{"parse v6", `IPAddress.Parse("2001:DB8::1").ToString()`, "string:2001:db8::1"},
		{"family v4", `IPAddress.Parse(context.Request.IpAddress).AddressFamily == AddressFamily.InterNetwork`, "bool:True"},
		{"family v6", `IPAddress.Parse("::1").AddressFamily.ToString()`, "string:InterNetworkV6"},
		{"bytes", `IPAddress.Parse("10.0.0.7").GetAddressBytes()[3]`, "byte:7"},
		{"loopback", `IPAddress.IsLoopback(IPAddress.Parse("127.0.0.1"))`, "bool:True"},
		{"not loopback", `IPAddress.IsLoopback(IPAddress.Parse("10.0.0.7"))`, "bool:False"},
		{"equals", `IPAddress.Parse("10.0.0.7").Equals(IPAddress.Parse("10.0.0.7"))`, "bool:True"},
		{"loopback constant", `IPAddress.Loopback.ToString()`, "string:127.0.0.1"},
		{"mapped", `IPAddress.Parse("::ffff:10.0.0.7").MapToIPv4().ToString()`, "string:10.0.0.7"},
		{"namespaced", `System.Net.IPAddress.Parse("1.2.3.4").IsIPv4MappedToIPv6`, "bool:False"},
	})
	runCases(t, Block, []evalCase{
		{"try parse", `IPAddress ip; return IPAddress.TryParse("192.168.1.20", out ip) && ip.GetAddressBytes()[0] == 192;`, "bool:True"},
		{"try parse bad", `IPAddress ip; return IPAddress.TryParse("300.1.1.1", out ip) || ip != null;`, "bool:False"},
		{"subnet check", `var b = IPAddress.Parse(context.Request.IpAddress).GetAddressBytes(); return b[0] == 10 && b[1] == 0;`, "bool:True"},
	})
	runErrCases(t, false, []errCase{
		{"bad address", `IPAddress.Parse("nope")`, Inline, "1:11: an invalid IP address was specified: nope"},
	})
}
