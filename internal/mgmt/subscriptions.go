package mgmt

import (
	"net/http"

	"github.com/gatehouse/gatehouse/internal/control"
)

// listSecrets answers POST /subscriptions/{sid}/listSecrets.
func (s *Server) listSecrets(r *http.Request) (response, error) {
	id := r.PathValue("sid")
	var rec *control.Record
	err := s.control.View(r.Context(), principalOf(r), func(tx control.Reader) error {
		var err error
		rec, err = subscriptionsType.get(r.Context(), tx, "", id)
		return err
	})
	if err != nil {
		return response{}, err
	}
	keys, err := control.SubscriptionKeys(rec)
	if err != nil {
		return response{}, err
	}
	return response{status: http.StatusOK, body: keys, etag: rec.ETag()}, nil
}

// regenerateKey answers POST /subscriptions/{sid}/regeneratePrimaryKey and
// regenerateSecondaryKey: the old key stops working with the next
// configuration the gateways install.
func (s *Server) regenerateKey(primary bool) apiFunc {
	return func(r *http.Request) (response, error) {
		if err := s.control.RegenerateKey(r.Context(), principalOf(r), r.PathValue("sid"), primary); err != nil {
			return response{}, err
		}
		return response{status: http.StatusNoContent}, nil
	}
}
