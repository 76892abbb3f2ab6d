package mgmt

import (
	"encoding/json"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/control"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/openapi"
)

// exportAPI answers GET /apis/{apiId}?export=openapi with an OpenAPI
// document (JSON, in the version the API was imported in) of the API as
// the gateway serves it. ?gatewayUrl= sets the server and adds the
// subscription key's security schemes; without it the document has
// neither.
func (s *Server) exportAPI(r *http.Request) (response, error) {
	_, id, err := apisType.ids(r)
	if err != nil {
		return response{}, err
	}
	var api model.API
	var ops []openapi.Operation
	err = s.control.View(r.Context(), principalOf(r), func(tx control.Reader) error {
		rec, err := apisType.get(r.Context(), tx, "", id)
		if err != nil {
			return err
		}
		if err := control.DecodeStored(rec, &api); err != nil {
			return err
		}
		recs, err := tx.List(r.Context(), control.Query{Kind: model.KindOperation, Parent: rec.ID})
		if err != nil {
			return err
		}
		for _, o := range recs {
			var op model.Operation
			if err := control.DecodeStored(o, &op); err != nil {
				return err
			}
			ops = append(ops, openapi.Operation{ID: o.ID, Properties: op})
		}
		return nil
	})
	if err != nil {
		return response{}, err
	}
	api.Normalize()
	doc, err := openapi.Export(api, ops, openapi.ExportOptions{GatewayURL: r.URL.Query().Get("gatewayUrl")})
	if err != nil {
		return response{}, err
	}
	return response{status: http.StatusOK, body: json.RawMessage(doc)}, nil
}
