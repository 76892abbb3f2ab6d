package mgmt

import (
	"net/http"

	"github.com/gatehouse/gatehouse/internal/control"
	"github.com/gatehouse/gatehouse/internal/model"
)

// linkType is a many-to-many link between two resources, such as the APIs
// of a product. A link is shown as the target resource under the owner's
// path: GET /products/starter/apis/echo returns API echo.
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

func (lt *linkType) ids(r *http.Request) (owner, target string, err error) {
	owner = r.PathValue(lt.owner.idParam)
	if err := model.ValidateID(owner); err != nil {
		return "", "", invalid(lt.owner.idParam, "The "+lt.owner.title+" id "+err.Error()+".")
	}
	target = r.PathValue(lt.target.idParam)
	if target != "" {
		if err := model.ValidateID(target); err != nil {
			return "", "", invalid(lt.target.idParam, "The "+lt.target.title+" id "+err.Error()+".")
		}
	}
	return owner, target, nil
}

func (lt *linkType) present(owner string, target *control.Record) resource {
	res := lt.target.present(target)
	res.ID = lt.owner.resourceID("", owner) + "/" + lt.target.segment + "/" + target.ID
	res.Type = lt.owner.typeName() + "/" + lt.target.segment
	return res
}

// both loads the owner and the target, failing with 404 naming the one
// that is missing.
func (lt *linkType) both(r *http.Request, tx control.Reader, owner, target string) (*control.Record, *control.Record, error) {
	o, err := lt.owner.get(r.Context(), tx, "", owner)
	if err != nil {
		return nil, nil, err
	}
	t, err := lt.target.get(r.Context(), tx, "", target)
	return o, t, err
}

func (s *Server) listLinks(lt *linkType) apiFunc {
	return func(r *http.Request) (response, error) {
		owner, _, err := lt.ids(r)
		if err != nil {
			return response{}, err
		}
		page, err := parsePaging(r)
		if err != nil {
			return response{}, err
		}
		var items []resource
		err = s.control.View(r.Context(), principalOf(r), func(tx control.Reader) error {
			o, err := lt.owner.get(r.Context(), tx, "", owner)
			if err != nil {
				return err
			}
			owner = o.ID
			links, err := tx.List(r.Context(), control.Query{Kind: lt.kind, Parent: owner})
			if err != nil {
				return err
			}
			for _, l := range links {
				t, err := control.Lookup(r.Context(), tx, lt.target.kind, "", l.ID)
				if err != nil {
					return err
				}
				if t != nil {
					items = append(items, lt.present(owner, t))
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
		owner, target, err := lt.ids(r)
		if err != nil {
			return response{}, err
		}
		var t *control.Record
		err = s.control.View(r.Context(), principalOf(r), func(tx control.Reader) error {
			var o *control.Record
			if o, t, err = lt.both(r, tx, owner, target); err != nil {
				return err
			}
			owner = o.ID
			ok, err := control.Exists(r.Context(), tx, lt.kind, owner, target)
			if err == nil && !ok {
				err = notFound(lt.target.title + " '" + target + "' in " + lt.owner.title + " '" + owner + "'")
			}
			return err
		})
		if err != nil {
			return response{}, err
		}
		return response{status: http.StatusOK, body: lt.present(owner, t)}, nil
	}
}

// putLink creates a link; the body is ignored. 201 on create, 200 when the
// link already existed.
func (s *Server) putLink(lt *linkType) apiFunc {
	return func(r *http.Request) (response, error) {
		owner, target, err := lt.ids(r)
		if err != nil {
			return response{}, err
		}
		var t *control.Record
		var existed bool
		err = s.control.Update(r.Context(), principalOf(r), func(tx control.Tx) error {
			o, tgt, err := lt.both(r, tx, owner, target)
			if err != nil {
				return err
			}
			t, owner = tgt, o.ID
			if existed, err = control.Exists(r.Context(), tx, lt.kind, owner, target); err != nil || existed {
				return err
			}
			_, err = tx.Put(r.Context(), &control.Record{Kind: lt.kind, Parent: o.ID, ID: t.ID})
			return err
		})
		if err != nil {
			return response{}, err
		}
		status := http.StatusCreated
		if existed {
			status = http.StatusOK
		}
		return response{status: status, body: lt.present(owner, t)}, nil
	}
}

// deleteLink removes a link: 200, or 204 when there was none.
func (s *Server) deleteLink(lt *linkType) apiFunc {
	return func(r *http.Request) (response, error) {
		owner, target, err := lt.ids(r)
		if err != nil {
			return response{}, err
		}
		var deleted bool
		err = s.control.Update(r.Context(), principalOf(r), func(tx control.Tx) error {
			deleted, err = tx.Delete(r.Context(), lt.kind, owner, target)
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
