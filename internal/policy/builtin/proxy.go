package builtin

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// proxyElement implements <proxy url="http://host:port" username="..."
// password="..."/>: the request is forwarded to the backend through that
// HTTP forward proxy, with Basic credentials in Proxy-Authorization when
// a username is given. A request to an http:// backend is sent to the
// proxy in absolute form; one to an https:// backend goes through a
// CONNECT tunnel, and the backend's certificate is verified end to end
// as without the proxy. The element overrides the backend entity's own
// proxy. It belongs in inbound, as APIM's reference says ("Policy
// sections: inbound"); "Only HTTP (not HTTPS) is supported between the
// gateway and the proxy. Basic and NTLM authentication only." Gatehouse
// sends Basic credentials only. All three attributes may be policy
// expressions: literal ones are checked when the policy is saved, those
// an expression makes when the request runs (a bad one fails the
// element, and on-error runs).
type proxyElement struct {
	fixed              *url.URL // all three attributes literal
	raw                policy.Value
	username, password policy.Value
}

var _ policy.Step = (*proxyElement)(nil)

func compileProxy(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "url", "username", "password")
	if c.Section() != policy.Inbound {
		c.Errorf(n, "belongs in inbound")
	}
	raw, ok := c.Attr(n, "url", true)
	if !ok {
		return nil
	}
	p := &proxyElement{raw: raw}
	p.username, _ = c.Attr(n, "username", false)
	p.password, _ = c.Attr(n, "password", false)
	lit, isLit := raw.Literal()
	if isLit {
		if _, err := ParseProxyURL(lit, "", ""); err != nil {
			a, _ := n.Attr("url")
			c.AttrErrorf(n, a, "%v", err)
			return nil
		}
	}
	u, uLit := p.username.Literal()
	pw, pLit := p.password.Literal()
	if isLit && (uLit || !p.username.IsSet()) && (pLit || !p.password.IsSet()) {
		p.fixed, _ = ParseProxyURL(lit, u, pw)
	}
	return p
}

func (p *proxyElement) Do(c *policy.Context) error {
	if p.fixed != nil {
		c.Proxy = p.fixed
		return nil
	}
	raw, err := p.raw.String(c)
	if err != nil {
		return err
	}
	var user, pass string
	if p.username.IsSet() {
		if user, err = p.username.String(c); err != nil {
			return err
		}
	}
	if p.password.IsSet() {
		if pass, err = p.password.String(c); err != nil {
			return err
		}
	}
	u, err := ParseProxyURL(raw, user, pass)
	if err != nil {
		return fmt.Errorf("proxy: %w", err)
	}
	c.Proxy = u
	return nil
}

// ParseProxyURL checks that raw is an HTTP proxy's URL, http://host:port
// (a path, query or credentials in it are refused: they belong in the
// username and password), and returns it carrying username and password
// (none when username is empty). The error does not repeat password.
func ParseProxyURL(raw, username, password string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("url %q: want http://host:port", raw)
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("url %q: only http:// proxies are supported (the connection to the proxy is plain HTTP, as in APIM)", raw)
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("url %q: want http://host:port, without credentials, path or query (give username and password)", u.Redacted())
	}
	out := &url.URL{Scheme: "http", Host: u.Host}
	if username != "" {
		out.User = url.UserPassword(username, password)
	}
	return out, nil
}
