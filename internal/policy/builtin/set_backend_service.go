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
// base-url clears them. A backend-id naming a pool selects the pool: the
// gateway picks a member for each forward. A base URL whose path has dot
// segments, an encoded slash or backslash, or a control character is
// refused: a literal one when the policy is saved, one built by an
// expression with 400.
//
// Both attributes may be policy expressions: APIM's reference says of
// backend-id "Identifier (name) of the backend to route to. Policy
// expressions are allowed." (learn.microsoft.com/azure/api-management/
// set-backend-service-policy). A backend-id chosen at run time must name
// a backend of the gateway's configuration; otherwise the element fails
// and on-error runs.
type setBackendService struct {
	base      policy.Value
	fixed     *url.URL // a literal base-url or backend-id, parsed once
	backendID string   // lower-case literal backend-id; empty for base-url
	// id is a backend-id expression, resolved against backends (lower-case
	// id → URL, "" for a pool) per request.
	id       policy.Value
	backends map[string]string
}

var _ policy.Step = (*setBackendService)(nil)

func compileSetBackendService(n *policy.Node, c *policy.Compiler) policy.Step {
	// The Service Fabric attributes of APIM's reference (sf-partition-key,
	// sf-replica-type, sf-resolve-condition, sf-service-instance-name,
	// sf-listener-name) are accepted and have no effect: Gatehouse's
	// backends are URLs.
	c.Only(n, "base-url", "backend-id", "sf-resolve-condition", "sf-service-instance-name", "sf-partition-key", "sf-replica-type", "sf-listener-name")
	if s := c.Section(); s != policy.Inbound && s != policy.Backend {
		c.Errorf(n, "belongs in inbound or backend")
	}
	s := &setBackendService{}
	base, hasBase := c.Attr(n, "base-url", false)
	idValue, hasID := c.Attr(n, "backend-id", false)
	ida, _ := n.Attr("backend-id")
	switch {
	case hasBase == hasID:
		c.Errorf(n, "give either base-url or backend-id")
		return nil
	case hasID:
		id, literal := idValue.Literal()
		if !literal {
			if !c.Env().AnyBackend {
				c.Refer(n, ida.Pos, "backends", policy.AnyBackendID)
			}
			return &setBackendService{id: idValue, backends: c.Env().Backends}
		}
		c.Refer(n, ida.Pos, "backends", id)
		raw, ok := c.Env().Backends[strings.ToLower(id)]
		if !ok && c.Env().AnyBackend {
			return &setBackendService{backendID: strings.ToLower(id)}
		}
		if !ok {
			c.AttrErrorf(n, ida, "there is no backend %q", id)
			return nil
		}
		s.backendID = strings.ToLower(id)
		if raw == "" {
			return s // a pool: the forward picks a member
		}
		u, err := parseBase(raw)
		if err != nil {
			c.AttrErrorf(n, ida, "backend %q: %v", id, err)
			return nil
		}
		s.fixed = u
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
	if s.backendID != "" {
		c.BackendID = s.backendID // a pool
		return nil
	}
	if s.id.IsSet() {
		return s.runtimeBackend(c)
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

// runtimeBackend selects the backend a backend-id expression names.
func (s *setBackendService) runtimeBackend(c *policy.Context) error {
	id, err := s.id.String(c)
	if err != nil {
		return err
	}
	id = strings.ToLower(strings.TrimSpace(id))
	raw, ok := s.backends[id]
	if !ok {
		return fmt.Errorf("Backend with id '%s' could not be found.", id)
	}
	if raw == "" {
		c.BackendID = id
		return nil
	}
	u, err := parseBase(raw)
	if err != nil {
		return fmt.Errorf("backend %q: %w", id, err)
	}
	c.Backend, c.BackendID = u, id
	return nil
}
