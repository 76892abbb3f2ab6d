package mgmt

import (
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/control"
	"github.com/gatehouse/gatehouse/internal/model"
)

// linkType is a many-to-many link between two resources, such as the APIs
// of a product. A link is shown as the target resource under the owner's
// path: GET /products/starter/apis/echo returns API echo. An owner may be
// a nested resource (the tags of an operation): the link's stored parent
// is then the owner's scope, "apis/echo/operations/get".
type linkType struct {
	kind   model.Kind
	owner  *resourceType
	target *resourceType
}

func (lt *linkType) collectionPattern() string {
	return lt.owner.itemPattern() + "/" + lt.target.segment
}
func (lt *linkType) itemPattern() string {
	return lt.collectionPattern() + "/{" + lt.target.idParam + "}"
}

// linkEnds are the ids a link's path names.
type linkEnds struct {
	parent string // the owner's parent; "" for a top-level owner
	owner  string
	target string // "" for the collection
}

func (lt *linkType) ids(r *http.Request) (linkEnds, error) {
	var e linkEnds
	if p := lt.owner.parent; p != nil {
		e.parent = r.PathValue(p.idParam)
		if err := model.ValidateID(e.parent); err != nil {
			return e, invalid(p.idParam, "The "+p.title+" id "+err.Error()+".")
		}
	}
	e.owner = r.PathValue(lt.owner.idParam)
	if err := model.ValidateID(e.owner); err != nil {
		return e, invalid(lt.owner.idParam, "The "+lt.owner.title+" id "+err.Error()+".")
	}
	e.target = r.PathValue(lt.target.idParam)
	if e.target != "" {
		if err := model.ValidateID(e.target); err != nil {
			return e, invalid(lt.target.idParam, "The "+lt.target.title+" id "+err.Error()+".")
		}
	}
	return e, nil
}

// scope is the stored parent of the links of owner (whose own parent is
// parent): the owner's id, or a nested owner's path without the leading
// '/'.
func (lt *linkType) scope(parent, owner string) string {
	if lt.owner.parent == nil {
		return owner
	}
	return strings.TrimPrefix(lt.owner.resourceID(parent, owner), "/")
}

func (lt *linkType) present(o, target *control.Record) resource {
	res := lt.target.present(target)
	res.ID = lt.owner.resourceID(o.Parent, o.ID) + "/" + lt.target.segment + "/" + target.ID
	res.Type = lt.owner.typeName() + "/" + lt.target.segment
	return res
}

// ownerOf loads the owner, failing with 404 when it or its parent is
// missing.
func (lt *linkType) ownerOf(r *http.Request, tx control.Reader, e linkEnds) (*control.Record, error) {
	if lt.owner.parent != nil {
		if err := lt.owner.requireParent(r.Context(), tx, e.parent); err != nil {
			return nil, err
		}
	}
	return lt.owner.get(r.Context(), tx, e.parent, e.owner)
}

// both loads the owner and the target, failing with 404 naming the one
// that is missing.
func (lt *linkType) both(r *http.Request, tx control.Reader, e linkEnds) (*control.Record, *control.Record, error) {
	o, err := lt.ownerOf(r, tx, e)
	if err != nil {
		return nil, nil, err
	}
	t, err := lt.target.get(r.Context(), tx, "", e.target)
	return o, t, err
}

func (s *Server) listLinks(lt *linkType) apiFunc {
	return func(r *http.Request) (response, error) {
		e, err := lt.ids(r)
		if err != nil {
			return response{}, err
		}
		page, err := parsePaging(r)
		if err != nil {
			return response{}, err
		}
		var items []resource
		err = s.control.View(r.Context(), principalOf(r), func(tx control.Reader) error {
			o, err := lt.ownerOf(r, tx, e)
			if err != nil {
				return err
			}
			links, err := tx.List(r.Context(), control.Query{Kind: lt.kind, Parent: lt.scope(o.Parent, o.ID)})
			if err != nil {
				return err
			}
			for _, l := range links {
				t, err := control.Lookup(r.Context(), tx, lt.target.kind, "", l.ID)
				if err != nil {
					return err
				}
				if t != nil {
					items = append(items, lt.present(o, t))
				}
			}
			return nil
		})
		if err != nil {
			return response{}, err
		}
		return response{status: http.StatusOK, body: page.apply(r, items)}, nil
	}
}

func (s *Server) getLink(lt *linkType) apiFunc {
	return func(r *http.Request) (response, error) {
		e, err := lt.ids(r)
		if err != nil {
			return response{}, err
		}
		var o, t *control.Record
		err = s.control.View(r.Context(), principalOf(r), func(tx control.Reader) error {
			if o, t, err = lt.both(r, tx, e); err != nil {
				return err
			}
			ok, err := control.Exists(r.Context(), tx, lt.kind, lt.scope(o.Parent, o.ID), e.target)
			if err == nil && !ok {
				err = notFound(lt.target.title + " '" + e.target + "' in " + lt.owner.title + " '" + o.ID + "'")
			}
			return err
		})
		if err != nil {
			return response{}, err
		}
		return response{status: http.StatusOK, body: lt.present(o, t)}, nil
	}
}

// putLink creates a link; the body is ignored. 201 on create, 200 when the
// link already existed.
func (s *Server) putLink(lt *linkType) apiFunc {
	return func(r *http.Request) (response, error) {
		e, err := lt.ids(r)
		if err != nil {
			return response{}, err
		}
		var o, t *control.Record
		var existed bool
		err = s.control.Update(r.Context(), principalOf(r), func(tx control.Tx) error {
			if o, t, err = lt.both(r, tx, e); err != nil {
				return err
			}
			scope := lt.scope(o.Parent, o.ID)
			if existed, err = control.Exists(r.Context(), tx, lt.kind, scope, e.target); err != nil || existed {
				return err
			}
			_, err = tx.Put(r.Context(), &control.Record{Kind: lt.kind, Parent: scope, ID: t.ID})
			return err
		})
		if err != nil {
			return response{}, err
		}
		status := http.StatusCreated
		if existed {
			status = http.StatusOK
		}
		return response{status: status, body: lt.present(o, t)}, nil
	}
}

// deleteLink removes a link: 200, or 204 when there was none.
func (s *Server) deleteLink(lt *linkType) apiFunc {
	return func(r *http.Request) (response, error) {
		e, err := lt.ids(r)
		if err != nil {
			return response{}, err
		}
		var deleted bool
		err = s.control.Update(r.Context(), principalOf(r), func(tx control.Tx) error {
			deleted, err = tx.Delete(r.Context(), lt.kind, lt.scope(e.parent, e.owner), e.target)
			return err
		})
		if err != nil {
			return response{}, err
		}
		if !deleted {
			return response{status: http.StatusNoContent}, nil
		}
		return response{status: http.StatusOK}, nil
	}
}
