package model

import "strings"

// apiPathProblem says why p, an API's path without its surrounding
// slashes, cannot be served, or returns "" when it can. A path may not
// have "." or ".." segments (also written %2e), an encoded slash or
// backslash (%2F, %5C), a backslash, or a control character (literal, or
// encoded as %00 to %1F and %7F): the gateway refuses requests with any
// of these, so an API on such a path could never be called, and one on
// "../x" would appear to lie outside the gateway's root.
func apiPathProblem(p string) string {
	for _, seg := range strings.Split(p, "/") {
		switch strings.ToLower(seg) {
		case ".", "..", "%2e", "%2e%2e", ".%2e", "%2e.":
			return "has a '.' or '..' segment"
		}
	}
	lower := strings.ToLower(p)
	if strings.Contains(lower, "%2f") || strings.Contains(lower, "%5c") || strings.Contains(p, `\`) {
		return "has an encoded slash (%2F), an encoded backslash (%5C) or a backslash"
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x20 || c == 0x7f {
			return "has a control character"
		}
		if p[i] == '%' && i+2 < len(p) {
			switch strings.ToLower(p[i+1 : i+3]) {
			case "7f", "00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "0a", "0b", "0c", "0d", "0e", "0f",
				"10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "1a", "1b", "1c", "1d", "1e", "1f":
				return "has an encoded control character"
			}
		}
	}
	return ""
}
