package control

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

// NewKey returns a random subscription key: 32 hex digits, as APIM makes.
func NewKey() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails; see crypto/rand
	return hex.EncodeToString(b)
}

// SubscriptionKeys returns the keys sealed in a subscription's record;
// zero keys for nil or a record without them.
func SubscriptionKeys(rec *store.Record) (model.SubscriptionKeys, error) {
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
func checkSubscription(ctx context.Context, tx store.Tx, rec *store.Record, props model.Properties, old *store.Record, env checkEnv) error {
	s := props.(*model.Subscription)
	if err := checkWorkspaceRef(ctx, tx, s.WorkspaceID); err != nil {
		return err
	}
	scope, _ := model.ParseScope(s.Scope) // validated by Validate
	if scope.Kind != "" {
		ok, err := Exists(ctx, tx, scope.Kind, "", scope.ID)
		if err != nil {
			return err
		}
		if !ok {
			return Invalid("properties.scope", "The scope '"+s.Scope+"' names a resource that does not exist.")
		}
	}
	s.Scope = scope.String()
	if s.OwnerID != "" {
		uid, _ := model.ParseOwner(s.OwnerID)
		ok, err := Exists(ctx, tx, model.KindUser, "", uid)
		if err != nil {
			return err
		}
		if !ok {
			return Invalid("properties.ownerId", "The owner '"+s.OwnerID+"' does not exist.")
		}
	}
	if err := checkSubscriptionsLimit(ctx, tx, rec, s, scope, old); err != nil {
		return err
	}
	keys, err := SubscriptionKeys(old)
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
		keys.PrimaryKey = NewKey()
	}
	if keys.SecondaryKey == "" {
		keys.SecondaryKey = NewKey()
	}
	if keys.PrimaryKey == keys.SecondaryKey {
		return Invalid("properties.secondaryKey", "The primary and secondary keys must differ.")
	}
	if s.PrimaryKey != "" || s.SecondaryKey != "" {
		if err := refuseTakenKeys(ctx, tx, rec.ID, s.PrimaryKey, s.SecondaryKey); err != nil {
			return err
		}
	}
	s.PrimaryKey, s.SecondaryKey = "", ""
	if s.CreatedDate == nil {
		var o model.Subscription
		if old != nil && DecodeStored(old, &o) == nil && o.CreatedDate != nil {
			s.CreatedDate = o.CreatedDate
		} else {
			t := env.now().UTC()
			s.CreatedDate = &t
		}
	}
	rec.Secret, err = json.Marshal(keys)
	return err
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
		k, err := SubscriptionKeys(other)
		if err != nil {
			return err
		}
		for _, c := range candidates {
			if c != "" && (c == k.PrimaryKey || c == k.SecondaryKey) {
				return Conflict("properties", "The key is already used by another subscription.")
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
		if err := DecodeStored(rec, &s); err != nil {
			return nil, err
		}
		if match(&s) {
			out = append(out, rec)
		}
	}
	return out, nil
}

// removeOrRefuseSubscriptions deletes the matching subscriptions when
// opts say so (the management API's ?deleteSubscriptions=true), and
// otherwise refuses while any exist, as APIM does for products and users.
func removeOrRefuseSubscriptions(ctx context.Context, tx store.Tx, opts RemoveOptions, what string, match func(*model.Subscription) bool) error {
	if opts.DeleteSubscriptions {
		return deleteSubscriptionsWhere(ctx, tx, match)
	}
	subs, err := subscriptionsWhere(ctx, tx, match)
	if err != nil {
		return err
	}
	if len(subs) > 0 {
		return Conflict("deleteSubscriptions", fmt.Sprintf(
			"%s has %d subscription(s), such as '%s'; delete them first or pass ?deleteSubscriptions=true.", what, len(subs), subs[0].ID))
	}
	return nil
}

// RegenerateKey replaces a subscription's primary (or secondary) key with
// a new random one, for p. The old key stops working with the next
// configuration the gateways install.
func (s *Service) RegenerateKey(ctx context.Context, p Principal, id string, primary bool) error {
	return s.Update(ctx, p, func(tx store.Tx) error {
		rec, err := Lookup(ctx, tx, model.KindSubscription, "", id)
		if err != nil {
			return err
		}
		if rec == nil {
			return NotFound("Subscription '" + id + "'")
		}
		keys, err := SubscriptionKeys(rec)
		if err != nil {
			return err
		}
		if primary {
			keys.PrimaryKey = NewKey()
		} else {
			keys.SecondaryKey = NewKey()
		}
		if rec.Secret, err = json.Marshal(keys); err != nil {
			return err
		}
		_, err = tx.Put(ctx, rec)
		return err
	})
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
		if err := DecodeStored(old, &o); err != nil {
			return err
		}
		if strings.EqualFold(o.Scope, s.Scope) && strings.EqualFold(o.OwnerID, s.OwnerID) {
			return nil
		}
	}
	prec, err := Lookup(ctx, tx, model.KindProduct, "", scope.ID)
	if err != nil || prec == nil {
		return err // a missing product is refused by the scope check
	}
	var p model.Product
	if err := DecodeStored(prec, &p); err != nil {
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
		if err := DecodeStored(other, &o); err != nil {
			return err
		}
		if holds(o.State) && !strings.EqualFold(other.ID, rec.ID) && strings.EqualFold(o.Scope, s.Scope) && strings.EqualFold(o.OwnerID, s.OwnerID) {
			n++
		}
	}
	if n >= *p.SubscriptionsLimit {
		return Conflict("properties.ownerId", fmt.Sprintf("The owner '%s' has %d subscriptions to product '%s', its subscriptionsLimit.",
			s.OwnerID, n, scope.ID))
	}
	return nil
}

// holds reports whether a subscription in state counts towards a
// product's subscriptionsLimit.
func holds(state string) bool {
	return state == model.SubscriptionActive || state == model.SubscriptionSuspended || state == model.SubscriptionSubmitted
}
