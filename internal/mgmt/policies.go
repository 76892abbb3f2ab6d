package mgmt

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/control"
	"github.com/gatehouse/gatehouse/internal/model"
)

// policyScope is one of the four places a policy document attaches to.
type policyScope struct {
	pattern string // ServeMux pattern of the policy
	owner   *resourceType
	typ     string // the resource's "type"
}

var policyScopes = []*policyScope{
	{pattern: "/mgmt/policy", typ: "policies"},
	{pattern: productsType.itemPattern() + "/policy", owner: productsType, typ: "products/policies"},
	{pattern: apisType.itemPattern() + "/policy", owner: apisType, typ: "apis/policies"},
	{pattern: operationsType.itemPattern() + "/policy", owner: operationsType, typ: "apis/operations/policies"},
}

// parent returns the store parent of the scope's policy, checking that
// the owner exists, and the resource id of the policy.
func (ps *policyScope) parent(ctx context.Context, r control.Reader, req *http.Request) (parent, id string, err error) {
	if ps.owner == nil {
		return "", "/policy", nil
	}
	ownerParent, ownerID, err := ps.owner.ids(req)
	if err != nil {
		return "", "", err
	}
	if err := ps.owner.requireParent(ctx, r, ownerParent); err != nil {
		return "", "", err
	}
	rec, err := ps.owner.get(ctx, r, ownerParent, ownerID)
	if err != nil {
		return "", "", err
	}
	rid := ps.owner.resourceID(rec.Parent, rec.ID)
	return strings.TrimPrefix(rid, "/"), rid + "/policy", nil
}

func (s *Server) presentPolicy(ps *policyScope, id string, rec *control.Record) resource {
	return resource{ID: id, Name: model.PolicyID, Type: ps.typ, Properties: rec.Props}
}

func (s *Server) getPolicy(ps *policyScope) apiFunc {
	return func(r *http.Request) (response, error) {
		ctx := r.Context()
		var res resource
		var etag string
		err := s.control.View(ctx, principalOf(r), func(tx control.Reader) error {
			parent, id, err := ps.parent(ctx, tx, r)
			if err != nil {
				return err
			}
			if r.URL.Query().Get("effective") == "true" {
				xml, err := control.EffectivePolicy(ctx, tx, parent, r.URL.Query().Get("productId"))
				if err != nil {
					return err
				}
				props, _ := json.Marshal(model.Policy{Format: "xml", Value: xml})
				res = resource{ID: id, Name: model.PolicyID, Type: ps.typ, Properties: props}
				return nil
			}
			rec, err := control.Lookup(ctx, tx, model.KindPolicy, parent, model.PolicyID)
			if err != nil {
				return err
			}
			if rec == nil {
				if parent == "" {
					return notFound("The global policy")
				}
				return notFound("The policy of " + strings.TrimSuffix(id, "/policy"))
			}
			res, etag = s.presentPolicy(ps, id, rec), rec.ETag()
			return nil
		})
		if err != nil {
			return response{}, err
		}
		return response{status: http.StatusOK, body: res, etag: etag}, nil
	}
}

// readPolicy reads a policy body: {"properties": {"format", "value"}}, or
// the raw document with Content-Type application/xml.
func readPolicy(r *http.Request) (*model.Policy, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/xml" || ct == "text/xml" || ct == "application/vnd.ms-azure-apim.policy.raw+xml" {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		p := &model.Policy{Format: "rawxml", Value: string(b)}
		return p, p.Validate()
	}
	raw, err := readEnvelope(r)
	if err != nil {
		return nil, err
	}
	props, err := decodeProperties(model.KindPolicy, raw)
	if err != nil {
		return nil, err
	}
	return props.(*model.Policy), nil
}

func (s *Server) putPolicy(ps *policyScope) apiFunc {
	return func(r *http.Request) (response, error) {
		doc, err := readPolicy(r)
		if err != nil {
			return response{}, err
		}
		ctx, p := r.Context(), principalOf(r)
		parent, id, err := s.policyScopeOf(r, ps)
		if err != nil {
			return response{}, err
		}
		rec, created, err := s.control.Put(ctx, p, control.Put{Kind: model.KindPolicy, Parent: parent, ID: model.PolicyID,
			Before: func(tx control.Tx, old *control.Record) error {
				if _, _, err := ps.parent(ctx, tx, r); err != nil {
					return err
				}
				return checkPrecondition(r, old)
			},
			Props: func(*control.Record) (model.Properties, error) { return doc, nil }})
		if err != nil {
			return response{}, err
		}
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		return response{status: status, body: s.presentPolicy(ps, id, rec), etag: rec.ETag()}, nil
	}
}

func (s *Server) deletePolicy(ps *policyScope) apiFunc {
	return func(r *http.Request) (response, error) {
		parent, _, err := s.policyScopeOf(r, ps)
		if err != nil {
			return response{}, err
		}
		existed, err := s.control.Delete(r.Context(), principalOf(r), control.Delete{Kind: model.KindPolicy, Parent: parent, ID: model.PolicyID,
			Before: func(_ control.Tx, old *control.Record) error { return checkPrecondition(r, old) }})
		if err != nil {
			return response{}, err
		}
		if !existed {
			return response{status: http.StatusNoContent}, nil
		}
		return response{status: http.StatusOK}, nil
	}
}

// policyScopeOf returns the store parent and the resource id of the
// policy a request addresses, checking that its owner exists.
func (s *Server) policyScopeOf(r *http.Request, ps *policyScope) (parent, id string, err error) {
	err = s.control.View(r.Context(), principalOf(r), func(tx control.Reader) error {
		parent, id, err = ps.parent(r.Context(), tx, r)
		return err
	})
	return parent, id, err
}
