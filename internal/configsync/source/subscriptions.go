package source

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/snapshot"
	"github.com/gatehouse/gatehouse/internal/store"
)

// DefaultMaxCachedSubscriptions is the number of subscriptions whose
// snapshot entries a Builder remembers unless told otherwise (about
// 300 bytes each).
const DefaultMaxCachedSubscriptions = 1 << 20

// openOneByOne is the most subscriptions missing from the cache that a
// build reads one by one (Get) to open their keys; with more it reads
// them all again, opened.
const openOneByOne = 64

// subCache remembers the snapshot entry of each subscription record by
// lower-case id. An entry is used only when the record read now has the
// same version, props and sealed secret as the one it was made from: a
// secret is sealed with a fresh nonce on every write, so a record written
// again, even by a transaction that was rolled back and its version
// reused, does not match. Safe for concurrent use.
type subCache struct {
	mu      sync.Mutex
	entries map[string]*subEntry
}

// subEntry is one subscription's snapshot entry and what it was made from.
type subEntry struct {
	version       int64
	props, sealed []byte
	sub           snapshot.Subscription
}

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
// in the store's order, from the cache where the record is unchanged.
// Entries may share their Keys with other snapshots: they are read-only.
func (b *Builder) subscriptionEntries(ctx context.Context, r store.Reader) ([]*snapshot.Subscription, error) {
	max := b.MaxCachedSubscriptions
	if max == 0 {
		max = DefaultMaxCachedSubscriptions
	}
	if max < 0 {
		recs, err := r.List(ctx, store.Query{Kind: model.KindSubscription})
		if err != nil {
			return nil, fmt.Errorf("build snapshot: subscriptions: %w", err)
		}
		out := make([]*snapshot.Subscription, len(recs))
		for i, rec := range recs {
			if out[i], err = subscriptionEntry(rec); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	c := &b.subs
	c.mu.Lock()
	empty := len(c.entries) == 0
	c.mu.Unlock()
	if empty {
		return b.firstSubscriptionEntries(ctx, r, max)
	}
	recs, err := r.List(ctx, store.Query{Kind: model.KindSubscription, SealedSecrets: true})
	if err != nil {
		return nil, fmt.Errorf("build snapshot: subscriptions: %w", err)
	}
	out := make([]*snapshot.Subscription, len(recs))
	var misses []int
	c.mu.Lock()
	for i, rec := range recs {
		e := c.entries[strings.ToLower(rec.ID)]
		if e != nil && e.version == rec.Version && bytes.Equal(e.props, rec.Props) && bytes.Equal(e.sealed, rec.Secret) {
			out[i] = &e.sub
		} else {
			misses = append(misses, i)
		}
	}
	c.mu.Unlock()
	if len(misses) == 0 {
		return out, nil
	}
	opened, err := openSubscriptions(ctx, r, recs, misses)
	if err != nil {
		return nil, err
	}
	made := make([]*subEntry, len(misses))
	for n, i := range misses {
		sub, err := subscriptionEntry(opened[n])
		if err != nil {
			return nil, err
		}
		made[n] = &subEntry{version: recs[i].Version, props: recs[i].Props, sealed: recs[i].Secret, sub: *sub}
		out[i] = &made[n].sub
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries)+len(made) > max {
		c.entries = make(map[string]*subEntry, min(len(recs), max))
		for i, rec := range recs { // keep what this build read, up to max
			if len(c.entries) >= max {
				break
			}
			if out[i] != nil {
				c.entries[strings.ToLower(rec.ID)] = &subEntry{version: rec.Version, props: rec.Props, sealed: rec.Secret, sub: *out[i]}
			}
		}
		return out, nil
	}
	for n, i := range misses {
		c.entries[strings.ToLower(recs[i].ID)] = made[n]
	}
	return out, nil
}

// firstSubscriptionEntries is subscriptionEntries with nothing
// remembered: it reads every subscription once, opened and sealed, and
// remembers up to max of them.
func (b *Builder) firstSubscriptionEntries(ctx context.Context, r store.Reader, max int) ([]*snapshot.Subscription, error) {
	recs, err := r.List(ctx, store.Query{Kind: model.KindSubscription, AlsoSealed: true})
	if err != nil {
		return nil, fmt.Errorf("build snapshot: subscriptions: %w", err)
	}
	out := make([]*snapshot.Subscription, len(recs))
	made := make(map[string]*subEntry, min(len(recs), max))
	for i, rec := range recs {
		sub, err := subscriptionEntry(rec)
		if err != nil {
			return nil, err
		}
		out[i] = sub
		if len(made) < max {
			made[strings.ToLower(rec.ID)] = &subEntry{version: rec.Version, props: rec.Props, sealed: rec.Sealed, sub: *sub}
		}
	}
	c := &b.subs
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) == 0 {
		c.entries = made
	}
	return out, nil
}

// openSubscriptions returns the records recs[i] of misses with their
// secrets opened, in the order of misses: one by one when they are few,
// else by reading every subscription again.
func openSubscriptions(ctx context.Context, r store.Reader, recs []*store.Record, misses []int) ([]*store.Record, error) {
	opened := make([]*store.Record, len(misses))
	if len(misses) <= openOneByOne {
		for n, i := range misses {
			rec, err := r.Get(ctx, model.KindSubscription, recs[i].Parent, recs[i].ID)
			if err != nil {
				return nil, fmt.Errorf("build snapshot: subscription %s: %w", recs[i].ID, err)
			}
			opened[n] = rec
		}
		return opened, nil
	}
	all, err := r.List(ctx, store.Query{Kind: model.KindSubscription})
	if err != nil {
		return nil, fmt.Errorf("build snapshot: subscriptions: %w", err)
	}
	byID := make(map[string]*store.Record, len(all))
	for _, rec := range all {
		byID[strings.ToLower(rec.ID)] = rec
	}
	for n, i := range misses {
		if opened[n] = byID[strings.ToLower(recs[i].ID)]; opened[n] == nil {
			return nil, fmt.Errorf("build snapshot: subscription %s: %w", recs[i].ID, store.ErrNotFound)
		}
	}
	return opened, nil
}

// subscriptionEntry returns the snapshot entry of a subscription record
// whose secret is opened.
func subscriptionEntry(rec *store.Record) (*snapshot.Subscription, error) {
	var s model.Subscription
	if err := json.Unmarshal(rec.Props, &s); err != nil {
		return nil, fmt.Errorf("build snapshot: subscription %s: %w", rec.ID, err)
	}
	var keys model.SubscriptionKeys
	if err := json.Unmarshal(rec.Secret, &keys); err != nil {
		return nil, fmt.Errorf("build snapshot: subscription %s keys: %w", rec.ID, err)
	}
	sub := &snapshot.Subscription{ID: rec.ID, Scope: s.Scope, State: s.State, Name: s.DisplayName}
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
