package mgmt

import (
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/control"
	"github.com/gatehouse/gatehouse/internal/model"
)

// referencesList is what GET .../references answers.
type referencesList struct {
	Value []control.Use `json:"value"`
	Count int           `json:"count"`
}

// references lists where APIs' effective policies use a named value,
// backend, fragment or certificate, as the compiler resolves them.
func (s *Server) references(rt *resourceType) apiFunc {
	return func(r *http.Request) (response, error) {
		parent, id, err := rt.ids(r)
		if err != nil {
			return response{}, err
		}
		ctx := r.Context()
		var uses []control.Use
		err = s.control.View(ctx, principalOf(r), func(tx control.Reader) error {
			rec, err := rt.get(ctx, tx, parent, id)
			if err != nil {
				return err
			}
			name := rec.ID
			if rt.kind == model.KindNamedValue {
				var nv model.NamedValue
				if err := control.DecodeStored(rec, &nv); err != nil {
					return err
				}
				name = nv.DisplayName
			}
			uses, err = control.References(ctx, tx, s.policies, string(rt.kind), strings.TrimSpace(name))
			return err
		})
		if err != nil {
			return response{}, err
		}
		return response{status: http.StatusOK, body: referencesList{Value: uses, Count: len(uses)}}, nil
	}
}
