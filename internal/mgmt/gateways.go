package mgmt

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/control"
	"github.com/gatehouse/gatehouse/internal/gatewaykey"
	"github.com/gatehouse/gatehouse/internal/model"
)

// StatusSource reports the nodes of a gateway from their heartbeats.
type StatusSource interface {
	GatewayStatus(gateway string) model.GatewayStatus
}

// keyRequest is the body of generateToken and regenerateKey.
type keyRequest struct {
	KeyType string     `json:"keyType"`
	Expiry  *time.Time `json:"expiry,omitempty"`
}

func readKeyRequest(r *http.Request) (keyRequest, error) {
	var req keyRequest
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return req, err
	}
	if err := model.DecodeStrict(body, "", &req); err != nil {
		return req, err
	}
	if req.KeyType != "primary" && req.KeyType != "secondary" {
		return req, invalid("keyType", "keyType must be primary or secondary.")
	}
	return req, nil
}

// selfHosted loads a gateway that has signing keys.
func selfHosted(ctx context.Context, r control.Reader, id string) (*control.Record, gatewaykey.Keys, error) {
	rec, err := gatewaysType.get(ctx, r, "", id)
	if err != nil {
		return nil, gatewaykey.Keys{}, err
	}
	keys, err := control.GatewayKeys(rec)
	if err == nil && len(keys.Primary) == 0 {
		err = conflict("gatewayId", "The gateway '"+rec.ID+"' runs inside gatehouse serve and needs no token.")
	}
	return rec, keys, err
}

// generateToken answers POST /gateways/{gatewayId}/generateToken.
func (s *Server) generateToken(r *http.Request) (response, error) {
	req, err := readKeyRequest(r)
	if err != nil {
		return response{}, err
	}
	if req.Expiry == nil {
		return response{}, invalid("expiry", "expiry is required (RFC 3339, at most 30 days ahead).")
	}
	expiry, err := gatewaykey.CheckExpiry(*req.Expiry, s.now())
	switch {
	case errors.Is(err, gatewaykey.ErrExpirySoon):
		return response{}, invalid("expiry", "expiry must be at least a minute ahead; the token keeps it to the minute, rounded down ("+expiry.Format(time.RFC3339)+").")
	case errors.Is(err, gatewaykey.ErrExpiryLate):
		return response{}, invalid("expiry", "expiry must be at most 30 days ahead.")
	}
	var rec *control.Record
	var keys gatewaykey.Keys
	err = s.control.View(r.Context(), principalOf(r), func(tx control.Reader) error {
		rec, keys, err = selfHosted(r.Context(), tx, r.PathValue("gatewayId"))
		return err
	})
	if err != nil {
		return response{}, err
	}
	key := keys.Primary
	if req.KeyType == "secondary" {
		key = keys.Secondary
	}
	return response{status: http.StatusOK, body: map[string]string{"value": gatewaykey.Mint(rec.ID, expiry, key)}}, nil
}

// regenerateKey answers POST /gateways/{gatewayId}/regenerateKey: tokens
// signed with the old key are refused from then on.
func (s *Server) regenerateGatewayKey(r *http.Request) (response, error) {
	req, err := readKeyRequest(r)
	if err != nil {
		return response{}, err
	}
	err = s.control.Update(r.Context(), principalOf(r), func(tx control.Tx) error {
		rec, keys, err := selfHosted(r.Context(), tx, r.PathValue("gatewayId"))
		if err != nil {
			return err
		}
		if req.KeyType == "primary" {
			keys.Primary = gatewaykey.NewKey()
		} else {
			keys.Secondary = gatewaykey.NewKey()
		}
		if rec.Secret, err = json.Marshal(keys); err != nil {
			return err
		}
		_, err = tx.Put(r.Context(), rec)
		return err
	})
	if err != nil {
		return response{}, err
	}
	return response{status: http.StatusNoContent}, nil
}

// gatewayStatus answers GET /gateways/{gatewayId}/status.
func (s *Server) gatewayStatus(r *http.Request) (response, error) {
	var rec *control.Record
	err := s.control.View(r.Context(), principalOf(r), func(tx control.Reader) error {
		var err error
		rec, err = gatewaysType.get(r.Context(), tx, "", r.PathValue("gatewayId"))
		return err
	})
	if err != nil {
		return response{}, err
	}
	status := model.GatewayStatus{Nodes: []model.GatewayNode{}}
	if s.status != nil {
		status = s.status.GatewayStatus(rec.ID)
	}
	return response{status: http.StatusOK, body: status}, nil
}
