package builtin

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// setBackendService implements <set-backend-service base-url="..."> and
// <set-backend-service backend-id="...">. A backend-id also selects the
// backend entity's credentials and TLS settings (Context.BackendID); a
// base-url clears them. A base URL whose path has dot segments, an encoded
// slash or backslash, or a control character is refused: a literal one
// when the policy is saved, one built by an expression with 400.
type setBackendService struct {
	base      policy.Value
	fixed     *url.URL // a literal base-url or backend-id, parsed once
	backendID string   // lower-case backend-id; empty for base-url
}

var _ policy.Step = (*setBackendService)(nil)

func compileSetBackendService(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "base-url", "backend-id", "sf-resolve-condition", "sf-service-instance-name", "sf-partition-key", "sf-listener-name")
	if s := c.Section(); s != policy.Inbound && s != policy.Backend {
		c.Errorf(n, "belongs in inbound or backend")
	}
	s := &setBackendService{}
	base, hasBase := c.Attr(n, "base-url", false)
	id, ida, hasID := c.Literal(n, "backend-id", false)
	switch {
	case hasBase == hasID:
		c.Errorf(n, "give either base-url or backend-id")
		return nil
	case hasID:
		c.Refer(n, ida.Pos, "backends", id)
		raw, ok := c.Env().Backends[strings.ToLower(id)]
		if !ok && c.Env().AnyBackend {
			return &setBackendService{backendID: strings.ToLower(id)}
		}
		if !ok {
			c.AttrErrorf(n, ida, "there is no backend %q", id)
			return nil
		}
		base = policy.Value{}
		u, err := parseBase(raw)
		if err != nil {
			c.AttrErrorf(n, ida, "backend %q: %v", id, err)
			return nil
		}
		s.fixed, s.backendID = u, strings.ToLower(id)
	default:
		s.base = base
		if lit, ok := base.Literal(); ok {
			u, err := parseBase(lit)
			if err != nil {
				a, _ := n.Attr("base-url")
				c.AttrErrorf(n, a, "%v", err)
				return nil
			}
			s.fixed = u
		}
	}
	return s
}

func parseBase(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute http or https URL", s)
	}
	if err := checkBasePath(u); err != nil {
		return nil, err
	}
	return u, nil
}

func (s *setBackendService) Do(c *policy.Context) error {
	if s.fixed != nil {
		c.Backend, c.BackendID = s.fixed, s.backendID
		return nil
	}
	raw, err := s.base.String(c)
	if err != nil {
		return err
	}
	u, err := parseBase(raw)
	if errors.Is(err, errBasePath) {
		return refuseBackendPath(err)
	}
	if err != nil {
		return err
	}
	c.Backend, c.BackendID = u, ""
	return nil
}
