package mgmt

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

// newKey returns a random subscription key: 32 hex digits, as APIM makes.
func newKey() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails; see crypto/rand
	return hex.EncodeToString(b)
}

func subscriptionKeys(rec *store.Record) (model.SubscriptionKeys, error) {
	var k model.SubscriptionKeys
	if rec == nil || len(rec.Secret) == 0 {
		return k, nil
	}
	if err := json.Unmarshal(rec.Secret, &k); err != nil {
		return k, fmt.Errorf("subscription %s keys: %w", rec.ID, err)
	}
	return k, nil
}

// checkSubscription checks the scope and owner exist, keeps or makes the
// keys, refuses a key another subscription has, and moves the keys out of
// the properties into the encrypted secret.
func checkSubscription(ctx context.Context, tx store.Tx, rec *store.Record, props model.Properties, old *store.Record, now nowFunc) error {
	s := props.(*model.Subscription)
	scope, _ := model.ParseScope(s.Scope) // validated by Validate
	if scope.Kind != "" {
		ok, err := exists(ctx, tx, scope.Kind, "", scope.ID)
		if err != nil {
			return err
		}
		if !ok {
			return invalid("properties.scope", "The scope '"+s.Scope+"' names a resource that does not exist.")
		}
	}
	s.Scope = scope.String()
	if s.OwnerID != "" {
		uid, _ := model.ParseOwner(s.OwnerID)
		ok, err := exists(ctx, tx, model.KindUser, "", uid)
		if err != nil {
			return err
		}
		if !ok {
			return invalid("properties.ownerId", "The owner '"+s.OwnerID+"' does not exist.")
		}
	}
	if err := checkSubscriptionsLimit(ctx, tx, rec, s, scope, old); err != nil {
		return err
	}
	keys, err := subscriptionKeys(old)
	if err != nil {
		return err
	}
	if s.PrimaryKey != "" {
		keys.PrimaryKey = s.PrimaryKey
	}
	if s.SecondaryKey != "" {
		keys.SecondaryKey = s.SecondaryKey
	}
	if keys.PrimaryKey == "" {
		keys.PrimaryKey = newKey()
	}
	if keys.SecondaryKey == "" {
		keys.SecondaryKey = newKey()
	}
	if keys.PrimaryKey == keys.SecondaryKey {
		return invalid("properties.secondaryKey", "The primary and secondary keys must differ.")
	}
	if s.PrimaryKey != "" || s.SecondaryKey != "" {
		if err := refuseTakenKeys(ctx, tx, rec.ID, s.PrimaryKey, s.SecondaryKey); err != nil {
			return err
		}
	}
	s.PrimaryKey, s.SecondaryKey = "", ""
	if s.CreatedDate == nil {
		var o model.Subscription
		if old != nil && decodeStored(old, &o) == nil && o.CreatedDate != nil {
			s.CreatedDate = o.CreatedDate
		} else {
			t := now().UTC()
			s.CreatedDate = &t
		}
	}
	rec.Secret, err = json.Marshal(keys)
	return err
}

// checkSubscriptionsLimit refuses a subscription that would give its owner
// more subscriptions to a product than the product's subscriptionsLimit.
// Subscriptions that are cancelled, rejected or expired do not count. It
// checks a subscription when it is created or changes owner or product,
// so that lowering a limit keeps the subscriptions there are.
func checkSubscriptionsLimit(ctx context.Context, tx store.Tx, rec *store.Record, s *model.Subscription, scope model.Scope, old *store.Record) error {
	if scope.Kind != model.KindProduct || s.OwnerID == "" || !holds(s.State) {
		return nil
	}
	if old != nil {
		var o model.Subscription
		if err := decodeStored(old, &o); err != nil {
			return err
		}
		if strings.EqualFold(o.Scope, s.Scope) && strings.EqualFold(o.OwnerID, s.OwnerID) {
			return nil
		}
	}
	prec, err := productsType.get(ctx, tx, "", scope.ID)
	if err != nil {
		return err
	}
	var p model.Product
	if err := decodeStored(prec, &p); err != nil {
		return err
	}
	if p.SubscriptionsLimit == nil {
		return nil
	}
	subs, err := tx.List(ctx, store.Query{Kind: model.KindSubscription})
	if err != nil {
		return err
	}
	n := 0
	for _, other := range subs {
		var o model.Subscription
		if err := decodeStored(other, &o); err != nil {
			return err
		}
		if holds(o.State) && !strings.EqualFold(other.ID, rec.ID) && strings.EqualFold(o.Scope, s.Scope) && strings.EqualFold(o.OwnerID, s.OwnerID) {
			n++
		}
	}
	if n >= *p.SubscriptionsLimit {
		return conflict("properties.ownerId", fmt.Sprintf("The owner '%s' has %d subscriptions to product '%s', its subscriptionsLimit.",
			s.OwnerID, n, scope.ID))
	}
	return nil
}

// holds reports whether a subscription in state counts towards a
// product's subscriptionsLimit.
func holds(state string) bool {
	return state == model.SubscriptionActive || state == model.SubscriptionSuspended || state == model.SubscriptionSubmitted
}

// refuseTakenKeys fails when another subscription already uses a key.
func refuseTakenKeys(ctx context.Context, tx store.Tx, id string, candidates ...string) error {
	subs, err := tx.List(ctx, store.Query{Kind: model.KindSubscription})
	if err != nil {
		return err
	}
	for _, other := range subs {
		if strings.EqualFold(other.ID, id) {
			continue
		}
		k, err := subscriptionKeys(other)
		if err != nil {
			return err
		}
		for _, c := range candidates {
			if c != "" && (c == k.PrimaryKey || c == k.SecondaryKey) {
				return conflict("properties", "The key is already used by another subscription.")
			}
		}
	}
	return nil
}

// deleteSubscriptionsWhere deletes the subscriptions that match.
func deleteSubscriptionsWhere(ctx context.Context, tx store.Tx, match func(*model.Subscription) bool) error {
	subs, err := subscriptionsWhere(ctx, tx, match)
	if err != nil {
		return err
	}
	for _, rec := range subs {
		if _, err := tx.Delete(ctx, model.KindSubscription, "", rec.ID); err != nil {
			return fmt.Errorf("delete subscription %s: %w", rec.ID, err)
		}
	}
	return nil
}

func subscriptionsWhere(ctx context.Context, r store.Reader, match func(*model.Subscription) bool) ([]*store.Record, error) {
	subs, err := r.List(ctx, store.Query{Kind: model.KindSubscription})
	if err != nil {
		return nil, err
	}
	var out []*store.Record
	for _, rec := range subs {
		var s model.Subscription
		if err := decodeStored(rec, &s); err != nil {
			return nil, err
		}
		if match(&s) {
			out = append(out, rec)
		}
	}
	return out, nil
}

// removeOrRefuseSubscriptions deletes the matching subscriptions when the
// request says ?deleteSubscriptions=true, and otherwise refuses with 409
// while any exist, as APIM does for products and users.
func removeOrRefuseSubscriptions(ctx context.Context, tx store.Tx, r *http.Request, what string, match func(*model.Subscription) bool) error {
	if r.URL.Query().Get("deleteSubscriptions") == "true" {
		return deleteSubscriptionsWhere(ctx, tx, match)
	}
	subs, err := subscriptionsWhere(ctx, tx, match)
	if err != nil {
		return err
	}
	if len(subs) > 0 {
		return conflict("deleteSubscriptions", fmt.Sprintf(
			"%s has %d subscription(s), such as '%s'; delete them first or pass ?deleteSubscriptions=true.", what, len(subs), subs[0].ID))
	}
	return nil
}

// listSecrets answers POST /subscriptions/{sid}/listSecrets.
func (s *Server) listSecrets(r *http.Request) (response, error) {
	id := r.PathValue("sid")
	var rec *store.Record
	err := s.store.View(r.Context(), func(tx store.Reader) error {
		var err error
		rec, err = subscriptionsType.get(r.Context(), tx, "", id)
		return err
	})
	if err != nil {
		return response{}, err
	}
	keys, err := subscriptionKeys(rec)
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
		id := r.PathValue("sid")
		ctx := r.Context()
		_, err := s.store.Update(ctx, func(tx store.Tx) error {
			rec, err := subscriptionsType.get(ctx, tx, "", id)
			if err != nil {
				return err
			}
			keys, err := subscriptionKeys(rec)
			if err != nil {
				return err
			}
			if primary {
				keys.PrimaryKey = newKey()
			} else {
				keys.SecondaryKey = newKey()
			}
			if rec.Secret, err = json.Marshal(keys); err != nil {
				return err
			}
			_, err = tx.Put(ctx, rec)
			return err
		})
		if err != nil {
			return response{}, err
		}
		return response{status: http.StatusNoContent}, nil
	}
}
