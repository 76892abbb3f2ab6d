package urlpath

// Plain reports whether p needs no escaping as a URL path: url.URL's
// EscapedPath returns it unchanged, and url.ParseRequestURI leaves it as
// it is. Only letters, digits and -_.~$&+,/:;=@ qualify.
func Plain(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			continue
		}
		switch c {
		case '-', '_', '.', '~', '$', '&', '+', ',', '/', ':', ';', '=', '@':
			continue
		}
		return false
	}
	return true
}
