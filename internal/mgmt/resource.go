package mgmt

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/control"
	"github.com/gatehouse/gatehouse/internal/model"
)

// resourceType describes one collection of the management API. The
// generic handlers in crud.go serve every resourceType the same way; what
// is particular to a kind (checks, cascades) is the control layer's.
type resourceType struct {
	kind    model.Kind
	title   string        // "API", used in messages
	segment string        // the collection's path segment: "apis"
	idParam string        // the id's path wildcard: "apiId"
	parent  *resourceType // the enclosing resource; nil at the top level
	// validID checks an id of the collection. Nil: model.ValidateID.
	validID func(string) error
	// adminOnly keeps the collection to the administrator (service
	// principals): other callers get 403, reads included.
	adminOnly bool
}

// checkID checks id with the collection's rule.
func (rt *resourceType) checkID(id string) error {
	if rt.validID != nil {
		return rt.validID(id)
	}
	return model.ValidateID(id)
}

// stored returns the stored id of an id of the collection: an API's
// revision "echo;rev=2" is stored as "echo" while it is current.
func (rt *resourceType) stored(ctx context.Context, r control.Reader, id string) (string, error) {
	if rt.kind != model.KindAPI {
		return id, nil
	}
	return control.ResolveAPIID(ctx, r, id)
}

// collectionPattern returns the ServeMux pattern of the collection.
func (rt *resourceType) collectionPattern() string {
	if rt.parent == nil {
		return "/mgmt/" + rt.segment
	}
	return rt.parent.itemPattern() + "/" + rt.segment
}

// itemPattern returns the ServeMux pattern of one resource.
func (rt *resourceType) itemPattern() string {
	return rt.collectionPattern() + "/{" + rt.idParam + "}"
}

// typeName is the resource's "type": "apis", "apis/operations".
func (rt *resourceType) typeName() string {
	if rt.parent == nil {
		return rt.segment
	}
	return rt.parent.typeName() + "/" + rt.segment
}

// resourceID is the resource's "id": "/apis/echo/operations/get".
func (rt *resourceType) resourceID(parent, id string) string {
	if rt.parent == nil {
		return "/" + rt.segment + "/" + id
	}
	return rt.parent.resourceID("", parent) + "/" + rt.segment + "/" + id
}

// ids returns the parent and resource ids of a request's path.
func (rt *resourceType) ids(r *http.Request) (parent, id string, err error) {
	if rt.parent != nil {
		parent = r.PathValue(rt.parent.idParam)
		if err := rt.parent.checkID(parent); err != nil {
			return "", "", invalid(rt.parent.idParam, "The "+rt.parent.title+" id "+err.Error()+".")
		}
		if rt.kind == model.KindAPIRelease {
			parent, _, _ = model.SplitRevision(parent) // releases belong to the API, whichever revision names it
		}
	}
	id = r.PathValue(rt.idParam)
	if id != "" {
		if err := rt.checkID(id); err != nil {
			return "", "", invalid(rt.idParam, "The "+rt.title+" id "+err.Error()+".")
		}
	}
	return parent, id, nil
}

// requireParent fails with 404 when the enclosing resource is missing.
func (rt *resourceType) requireParent(ctx context.Context, r control.Reader, parent string) error {
	if rt.parent == nil {
		return nil
	}
	parent, err := rt.parent.stored(ctx, r, parent)
	if err != nil {
		return err
	}
	if _, err := r.Get(ctx, rt.parent.kind, "", parent); err != nil {
		if errors.Is(err, control.ErrNotFound) {
			return notFound(rt.parent.title + " '" + parent + "'")
		}
		return err
	}
	return nil
}

// resource is a resource as the management API shows it.
type resource struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Properties json.RawMessage `json:"properties"`
}

func (rt *resourceType) present(rec *control.Record) resource {
	props := rec.Props
	if props == nil {
		props = json.RawMessage("{}")
	}
	return resource{ID: rt.resourceID(rec.Parent, rec.ID), Name: rec.ID, Type: rt.typeName(), Properties: props}
}

// get returns one record or a 404 naming it.
func (rt *resourceType) get(ctx context.Context, r control.Reader, parent, id string) (*control.Record, error) {
	stored, err := rt.stored(ctx, r, id)
	if err != nil {
		return nil, err
	}
	if rt.parent != nil {
		if parent, err = rt.parent.stored(ctx, r, parent); err != nil {
			return nil, err
		}
	}
	rec, err := r.Get(ctx, rt.kind, parent, stored)
	if errors.Is(err, control.ErrNotFound) {
		return nil, notFound(rt.title + " '" + id + "'")
	}
	return rec, err
}

// checkPrecondition applies If-Match and If-None-Match to the current
// record (nil when absent).
func checkPrecondition(r *http.Request, cur *control.Record) error {
	if m := r.Header.Get("If-Match"); m != "" {
		if cur == nil {
			return errorf(http.StatusPreconditionFailed, "PreconditionFailed", "If-Match was given but the resource does not exist.")
		}
		if m != "*" && !etagListHas(m, cur.ETag()) {
			return errorf(http.StatusPreconditionFailed, "PreconditionFailed",
				"The resource has changed: its ETag is "+cur.ETag()+", the request's If-Match is "+m+".")
		}
	}
	if m := r.Header.Get("If-None-Match"); m == "*" && cur != nil {
		return errorf(http.StatusPreconditionFailed, "PreconditionFailed", "If-None-Match: * was given but the resource exists.")
	}
	return nil
}

func etagListHas(list, etag string) bool {
	for _, e := range strings.Split(list, ",") {
		if strings.TrimPrefix(strings.TrimSpace(e), "W/") == etag {
			return true
		}
	}
	return false
}
