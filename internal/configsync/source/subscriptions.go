package source

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/snapshot"
	"github.com/gatehouse/gatehouse/internal/store"
)

// DefaultMaxCachedSubscriptions is the number of subscriptions whose
// snapshot entries a Builder remembers unless told otherwise (about
// 300 bytes each).
const DefaultMaxCachedSubscriptions = 1 << 20

// buildSubscriptions reads the subscriptions whose scope reaches a served
// API (all of them for the managed gateway): all APIs, a served API, or
// a product that holds one.
func (b *Builder) buildSubscriptions(ctx context.Context, r store.Reader, served map[string]bool, products []snapshot.Product) ([]snapshot.Subscription, error) {
	withServed := map[string]bool{}
	for _, p := range products {
		if len(p.APIs) > 0 {
			withServed[strings.ToLower(p.ID)] = true
		}
	}
	entries, err := b.subscriptionEntries(ctx, r)
	if err != nil {
		return nil, err
	}
	subs := make([]snapshot.Subscription, 0, len(entries))
	for _, e := range entries {
		if reaches(e.Scope, served, withServed) {
			subs = append(subs, *e)
		}
	}
	return subs, nil
}

// subscriptionEntries returns the snapshot entry of every subscription,
// in the store's order, from those remembered (see rowCache) where the
// record is unchanged. Entries may share their Keys with other
// snapshots: they are read-only.
func (b *Builder) subscriptionEntries(ctx context.Context, r store.Reader) ([]*snapshot.Subscription, error) {
	limit := b.MaxCachedSubscriptions
	if limit == 0 {
		limit = DefaultMaxCachedSubscriptions
	}
	rows, err := b.subs.rows(ctx, r, rowQuery[snapshot.Subscription]{kind: model.KindSubscription, decode: subscriptionEntry, limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]*snapshot.Subscription, len(rows))
	for i, rw := range rows {
		out[i] = &rw.v
	}
	return out, nil
}

// subscriptionEntry returns the snapshot entry of a subscription record
// whose secret is opened.
func subscriptionEntry(rec *store.Record) (snapshot.Subscription, error) {
	var s model.Subscription
	if err := json.Unmarshal(rec.Props, &s); err != nil {
		return snapshot.Subscription{}, fmt.Errorf("build snapshot: subscription %s: %w", rec.ID, err)
	}
	var keys model.SubscriptionKeys
	if err := json.Unmarshal(rec.Secret, &keys); err != nil {
		return snapshot.Subscription{}, fmt.Errorf("build snapshot: subscription %s keys: %w", rec.ID, err)
	}
	sub := snapshot.Subscription{ID: rec.ID, Scope: s.Scope, State: s.State, Name: s.DisplayName}
	if s.OwnerID != "" {
		sub.Owner, _ = model.ParseOwner(s.OwnerID)
	}
	for _, k := range []string{keys.PrimaryKey, keys.SecondaryKey} {
		if k != "" {
			sub.Keys = append(sub.Keys, snapshot.DigestKey(k))
		}
	}
	return sub, nil
}
