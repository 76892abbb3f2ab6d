package control

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/internal/gatewaykey"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

// GatewayKeys returns the signing keys stored in a gateway record, or
// zero keys when it has none (the managed gateway).
func GatewayKeys(rec *store.Record) (gatewaykey.Keys, error) {
	var k gatewaykey.Keys
	if rec == nil || len(rec.Secret) == 0 {
		return k, nil
	}
	if err := json.Unmarshal(rec.Secret, &k); err != nil {
		return k, fmt.Errorf("gateway %s keys: %w", rec.ID, err)
	}
	return k, nil
}

// checkGateway gives a self-hosted gateway its two signing keys on
// creation and keeps them on replace.
func checkGateway(_ context.Context, _ store.Tx, rec *store.Record, _ model.Properties, old *store.Record, _ checkEnv) error {
	if old != nil && len(old.Secret) > 0 {
		rec.Secret = old.Secret
		return nil
	}
	if strings.EqualFold(rec.ID, model.ManagedGatewayID) {
		return nil
	}
	var err error
	rec.Secret, err = json.Marshal(gatewaykey.NewKeys())
	return err
}

func removeGateway(ctx context.Context, tx store.Tx, rec *store.Record, _ RemoveOptions) error {
	if strings.EqualFold(rec.ID, model.ManagedGatewayID) {
		return Conflict("gatewayId", "The built-in gateway 'managed' cannot be deleted.")
	}
	for _, q := range []store.Query{{Kind: model.KindGatewayAPI, Parent: rec.ID}, {Kind: model.KindFederatedCredential, Parent: rec.ID},
		{Kind: model.KindGatewayCertificateAuthority, Parent: rec.ID}} {
		if err := deleteAll(ctx, tx, q); err != nil {
			return err
		}
	}
	return nil
}
