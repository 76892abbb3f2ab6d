package mgmt

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
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
		var rec *store.Record
		err = s.store.View(r.Context(), func(tx store.Reader) error {
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
		var recs []*store.Record
		err = s.store.View(r.Context(), func(tx store.Reader) error {
			if err := rt.requireParent(r.Context(), tx, parent); err != nil {
				return err
			}
			recs, err = tx.List(r.Context(), store.Query{Kind: rt.kind, Parent: parent})
			return err
		})
		if err != nil {
			return response{}, err
		}
		items := make([]resource, len(recs))
		for i, rec := range recs {
			items[i] = rt.present(rec)
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
		return s.write(r, rt, parent, id, func(*store.Record) (model.Properties, error) { return props, nil })
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
		return s.write(r, rt, parent, id, func(old *store.Record) (model.Properties, error) {
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

// write runs one create/replace/merge in a transaction: propsFor makes the
// new properties from the current record (nil when absent).
func (s *Server) write(r *http.Request, rt *resourceType, parent, id string,
	propsFor func(old *store.Record) (model.Properties, error)) (response, error) {
	ctx := r.Context()
	var rec *store.Record
	var created bool
	_, err := s.store.Update(ctx, func(tx store.Tx) error {
		if err := rt.requireParent(ctx, tx, parent); err != nil {
			return err
		}
		old, err := lookup(ctx, tx, rt.kind, parent, id)
		if err != nil {
			return err
		}
		if err := checkPrecondition(r, old); err != nil {
			return err
		}
		props, err := propsFor(old)
		if err != nil {
			return err
		}
		rec = &store.Record{Kind: rt.kind, Parent: parent, ID: id}
		if old != nil {
			rec.Parent, rec.ID = old.Parent, old.ID
		}
		if rt.check != nil {
			if err := rt.check(ctx, tx, rec, props, old, s.now); err != nil {
				return err
			}
		}
		if rec.Props, err = json.Marshal(props); err != nil {
			return err
		}
		// What the check filled in (an import's title and description)
		// keeps the documented limits too.
		if err := checkLengths(rt.kind, rec.Props); err != nil {
			return err
		}
		created, err = tx.Put(ctx, rec)
		return err
	})
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
		ctx := r.Context()
		status := http.StatusOK
		_, err = s.store.Update(ctx, func(tx store.Tx) error {
			old, err := lookup(ctx, tx, rt.kind, parent, id)
			if err != nil {
				return err
			}
			if old == nil {
				status = http.StatusNoContent
				return nil
			}
			if err := checkPrecondition(r, old); err != nil {
				return err
			}
			if rt.remove != nil {
				if err := rt.remove(ctx, tx, old, r); err != nil {
					return err
				}
			}
			_, err = tx.Delete(ctx, rt.kind, parent, id)
			return err
		})
		if err != nil {
			return response{}, err
		}
		return response{status: status}, nil
	}
}

// exists reports whether a resource exists.
func exists(ctx context.Context, r store.Reader, kind model.Kind, parent, id string) (bool, error) {
	rec, err := lookup(ctx, r, kind, parent, id)
	return rec != nil, err
}
