package builtin

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// redirectContentURLs implements <redirect-content-urls />: in outbound
// it replaces the backend's base URL (c.Backend) with the gateway's URL
// of the API (the scheme, host and port the client used, and the API's
// path) in the response body and its Location and Content-Location
// headers; in inbound it replaces the gateway's URL with the backend's in
// the request.
type redirectContentURLs struct {
	response bool
}

var _ policy.Step = (*redirectContentURLs)(nil)

func compileRedirectContentURLs(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n)
	if s := c.Section(); s != policy.Inbound && s != policy.Outbound {
		c.Errorf(n, "belongs in inbound or outbound")
	}
	return &redirectContentURLs{response: c.Section() == policy.Outbound}
}

func (s *redirectContentURLs) Do(c *policy.Context) error {
	backend, gateway := backendBase(c), gatewayBase(c)
	if backend == "" || gateway == "" {
		return nil
	}
	from, to := gateway, backend
	if s.response {
		from, to = backend, gateway
	}
	m := messageOf(c, s.response)
	for _, h := range []string{"Location", "Content-Location"} {
		for i, v := range m.headers[h] {
			m.headers[h][i] = strings.ReplaceAll(v, from, to)
		}
	}
	data, err := m.bytes()
	if err != nil || !bytes.Contains(data, []byte(from)) {
		return err
	}
	m.set(bytes.ReplaceAll(data, []byte(from), []byte(to)))
	return nil
}

// backendBase is the backend's base URL without a trailing slash.
func backendBase(c *policy.Context) string {
	if c.Backend == nil || c.Backend.Host == "" {
		return ""
	}
	u := *c.Backend
	u.RawQuery, u.Fragment = "", ""
	return strings.TrimSuffix(u.String(), "/")
}

// gatewayBase is the API's URL on the gateway as the client addressed it:
// scheme://host[:port]/api-path, without a trailing slash.
func gatewayBase(c *policy.Context) string {
	o := c.Request.OriginalURL
	if o == nil {
		o = c.Request.URL
	}
	if o == nil || o.Host == "" {
		return ""
	}
	host := o.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // IPv6
	}
	if def := map[string]int{"http": 80, "https": 443}[o.Scheme]; o.Port != 0 && o.Port != def {
		host += ":" + strconv.Itoa(o.Port)
	}
	u := o.Scheme + "://" + host
	if c.API != nil {
		if p := strings.Trim(c.API.Path, "/"); p != "" {
			u += "/" + p
		}
	}
	return u
}
