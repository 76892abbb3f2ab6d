package mgmt

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/control"
	"github.com/gatehouse/gatehouse/internal/model"
)

type nowFunc func() time.Time

// maxBodyBytes is DefaultMaxBodyBytes.
const maxBodyBytes = 8 << 20

// envelope is a request body: a resource whose id, name and type, when
// given, are ignored in favour of the URL.
type envelope struct {
	ID         string          `json:"id,omitempty"`
	Name       string          `json:"name,omitempty"`
	Type       string          `json:"type,omitempty"`
	Properties json.RawMessage `json:"properties"`
}

// readEnvelope reads the body and returns its "properties" object.
func readEnvelope(r *http.Request) (json.RawMessage, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	var env envelope
	if err := model.DecodeStrict(body, "", &env); err != nil {
		return nil, err
	}
	props := bytes.TrimSpace(env.Properties)
	if len(props) == 0 || bytes.Equal(props, []byte("null")) {
		return nil, invalid("properties", "The request body needs a \"properties\" object.")
	}
	if props[0] != '{' {
		return nil, invalid("properties", "\"properties\" must be a JSON object.")
	}
	return props, nil
}

// decodeProperties decodes, normalises and validates raw properties.
func decodeProperties(kind model.Kind, raw []byte) (model.Properties, error) {
	props := model.NewProperties(kind)
	if err := model.DecodeStrict(raw, "properties", props); err != nil {
		return nil, err
	}
	if err := checkLengths(kind, raw); err != nil {
		return nil, err
	}
	props.Normalize()
	if err := props.Validate(); err != nil {
		return nil, err
	}
	return props, nil
}

func (s *Server) getResource(rt *resourceType) apiFunc {
	return func(r *http.Request) (response, error) {
		if rt == apisType && r.URL.Query().Get("export") == "openapi" {
			return s.exportAPI(r)
		}
		parent, id, err := rt.ids(r)
		if err != nil {
			return response{}, err
		}
		var rec *control.Record
		err = s.control.View(r.Context(), principalOf(r), func(tx control.Reader) error {
			if err := rt.requireParent(r.Context(), tx, parent); err != nil {
				return err
			}
			rec, err = rt.get(r.Context(), tx, parent, id)
			return err
		})
		if err != nil {
			return response{}, err
		}
		return response{status: http.StatusOK, body: rt.present(rec), etag: rec.ETag()}, nil
	}
}

func (s *Server) listResources(rt *resourceType) apiFunc {
	return func(r *http.Request) (response, error) {
		parent, _, err := rt.ids(r)
		if err != nil {
			return response{}, err
		}
		page, err := parsePaging(r)
		if err != nil {
			return response{}, err
		}
		var recs []*control.Record
		total := 0
		// APIs are filtered (revisions are listed apart), so they are
		// paged here; so is any list with a $filter.
		storePaged := len(page.filter) == 0 && rt != apisType
		err = s.control.View(r.Context(), principalOf(r), func(tx control.Reader) error {
			if err := rt.requireParent(r.Context(), tx, parent); err != nil {
				return err
			}
			if rt.parent != nil {
				if parent, err = rt.parent.stored(r.Context(), tx, parent); err != nil {
					return err
				}
			}
			q := control.Query{Kind: rt.kind, Parent: parent}
			if storePaged {
				// Without a filter the store cuts the page: a page of a
				// large collection reads (and decrypts) that page only.
				if total, err = tx.Count(r.Context(), q); err != nil {
					return err
				}
				q.Offset, q.Limit = page.skip, max(page.top, 1)
			}
			recs, err = tx.List(r.Context(), q)
			return err
		})
		if err != nil {
			return response{}, err
		}
		items := make([]resource, 0, len(recs))
		for _, rec := range recs {
			if rt == apisType && isRevision(rec.ID) {
				continue // listed by GET /apis/{apiId}/revisions
			}
			items = append(items, rt.present(rec))
		}
		if storePaged {
			return response{status: http.StatusOK, body: page.cut(r, items, total)}, nil
		}
		return response{status: http.StatusOK, body: page.apply(r, items)}, nil
	}
}

// putResource creates or replaces a resource.
func (s *Server) putResource(rt *resourceType) apiFunc {
	return func(r *http.Request) (response, error) {
		parent, id, err := rt.ids(r)
		if err != nil {
			return response{}, err
		}
		raw, err := readEnvelope(r)
		if err != nil {
			return response{}, err
		}
		props, err := decodeProperties(rt.kind, raw)
		if err != nil {
			return response{}, err
		}
		return s.write(r, rt, parent, id, func(*control.Record) (model.Properties, error) { return props, nil })
	}
}

// patchResource merges the given properties into a resource.
func (s *Server) patchResource(rt *resourceType) apiFunc {
	return func(r *http.Request) (response, error) {
		parent, id, err := rt.ids(r)
		if err != nil {
			return response{}, err
		}
		patch, err := readEnvelope(r)
		if err != nil {
			return response{}, err
		}
		return s.write(r, rt, parent, id, func(old *control.Record) (model.Properties, error) {
			if old == nil {
				return nil, notFound(rt.title + " '" + id + "'")
			}
			merged, err := mergeProperties(old.Props, patch)
			if err != nil {
				return nil, err
			}
			return decodeProperties(rt.kind, merged)
		})
	}
}

// write runs one create/replace/merge through the control layer:
// propsFor makes the new properties from the current record (nil when
// absent); the request's preconditions and the parent's existence are
// checked first.
func (s *Server) write(r *http.Request, rt *resourceType, parent, id string,
	propsFor func(old *control.Record) (model.Properties, error)) (response, error) {
	ctx := r.Context()
	rec, created, err := s.control.Put(ctx, principalOf(r), control.Put{Kind: rt.kind, Parent: parent, ID: id, Props: propsFor,
		Before: func(tx control.Tx, old *control.Record) error {
			if err := rt.requireParent(ctx, tx, parent); err != nil {
				return err
			}
			return checkPrecondition(r, old)
		}})
	if err != nil {
		return response{}, err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return response{status: status, body: rt.present(rec), etag: rec.ETag()}, nil
}

// mergeProperties returns old with the top-level members of patch set.
// A member set to null is removed (JSON merge patch).
func mergeProperties(old, patch []byte) ([]byte, error) {
	m := map[string]json.RawMessage{}
	if len(old) > 0 {
		if err := json.Unmarshal(old, &m); err != nil {
			return nil, err
		}
	}
	var p map[string]json.RawMessage
	if err := json.Unmarshal(patch, &p); err != nil {
		return nil, invalid("properties", "\"properties\" must be a JSON object.")
	}
	for k, v := range p {
		if string(v) == "null" {
			delete(m, k)
			continue
		}
		m[k] = v
	}
	return json.Marshal(m)
}

func (s *Server) deleteResource(rt *resourceType) apiFunc {
	return func(r *http.Request) (response, error) {
		parent, id, err := rt.ids(r)
		if err != nil {
			return response{}, err
		}
		existed, err := s.control.Delete(r.Context(), principalOf(r), control.Delete{Kind: rt.kind, Parent: parent, ID: id,
			Before:  func(_ control.Tx, old *control.Record) error { return checkPrecondition(r, old) },
			Options: control.RemoveOptions{DeleteSubscriptions: r.URL.Query().Get("deleteSubscriptions") == "true"}})
		if err != nil {
			return response{}, err
		}
		status := http.StatusOK
		if !existed {
			status = http.StatusNoContent
		}
		return response{status: status}, nil
	}
}
