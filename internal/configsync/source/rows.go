package source

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

// rowCache remembers the decoded form of every record of one kind as the
// configuration had it at a committed version, and brings it up to date
// by reading only the records written since (store.Query.Since) and
// counting the kind's records: a build after a write to one API reads
// that API's rows, not every operation and subscription.
//
// Only what a committed view reads (a View's reader, or CommittedView)
// changes the cache: a write transaction reads through it, overlaying
// what changed since, but its own writes and deletions may hide
// committed changes, and it may be rolled back (and the next write reuse
// its version). Deleted records are not listed by a Since query; when
// the count says some are gone the kind is read again whole. Safe for
// concurrent use; the zero value is empty.
type rowCache[T any] struct {
	mu      sync.Mutex
	at      int64              // the version entries are as of; 0: nothing remembered
	entries map[string]*row[T] // by rowKey
	order   []*row[T]          // entries in List order; never modified, only replaced
}

// row is one decoded record.
type row[T any] struct {
	key        string // rowKey
	parent, id string // as stored
	version    int64
	v          T // read-only once made
}

// rowKey orders and identifies a record as the store does: by
// lower-case parent, then lower-case id.
func rowKey(parent, id string) string { return strings.ToLower(parent) + "\x00" + strings.ToLower(id) }

// rowQuery says how a rowCache reads its kind.
type rowQuery[T any] struct {
	kind   model.Kind
	decode func(*store.Record) (T, error)
	// limit bounds the records remembered: with more, every build reads
	// them all; negative: remember none.
	limit int
}

// rows returns the decoded records of q.kind that r sees, in List order.
// The result must not be modified.
func (c *rowCache[T]) rows(ctx context.Context, r store.Reader, q rowQuery[T]) ([]*row[T], error) {
	if q.limit < 0 {
		return c.read(ctx, r, q)
	}
	base, err := r.Version(ctx)
	if err != nil {
		return nil, fmt.Errorf("build snapshot: %s: %w", q.kind, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || c.at > base || c.at == 0 {
		return c.refill(ctx, r, q, base)
	}
	// A transaction's view may hide committed changes since c.at under
	// its own writes and deletions: it reads through the cache but
	// never moves it.
	_, tx := r.(store.Tx)
	recs, err := r.List(ctx, store.Query{Kind: q.kind, Since: c.at})
	if err != nil {
		return nil, fmt.Errorf("build snapshot: %s: %w", q.kind, err)
	}
	n, err := r.Count(ctx, store.Query{Kind: q.kind})
	if err != nil {
		return nil, fmt.Errorf("build snapshot: %s: %w", q.kind, err)
	}
	changed := make([]*row[T], 0, len(recs))
	added := 0
	for _, rec := range recs {
		rw, err := decodeRow(rec, q.decode)
		if err != nil {
			return nil, err
		}
		if c.entries[rw.key] == nil {
			added++
		}
		changed = append(changed, rw)
	}
	if len(c.entries)+added != n {
		return c.refill(ctx, r, q, base) // some were deleted
	}
	if len(changed) == 0 {
		if !tx {
			c.at = base
		}
		return c.order, nil
	}
	if tx {
		return overlay(c.order, changed), nil
	}
	var committed, own []*row[T]
	for _, rw := range changed {
		if rw.version <= base {
			committed = append(committed, rw)
		} else {
			own = append(own, rw)
		}
	}
	if len(committed) > 0 {
		if len(c.entries)+len(committed) > q.limit {
			c.entries, c.order, c.at = nil, nil, 0
			return c.read(ctx, r, q)
		}
		c.order = overlay(c.order, committed)
		for _, rw := range committed {
			c.entries[rw.key] = rw
		}
	}
	c.at = base
	if len(own) == 0 {
		return c.order, nil
	}
	return overlay(c.order, own), nil
}

// overlay returns a copy of order with the rows of changed in place of
// those of the same key, and those of new keys inserted in order.
func overlay[T any](order, changed []*row[T]) []*row[T] {
	byKey := make(map[string]*row[T], len(changed))
	for _, rw := range changed {
		byKey[rw.key] = rw
	}
	out := make([]*row[T], 0, len(order)+len(changed))
	for _, rw := range order {
		if ch := byKey[rw.key]; ch != nil {
			out = append(out, ch)
			delete(byKey, rw.key)
			continue
		}
		out = append(out, rw)
	}
	if len(byKey) == 0 {
		return out
	}
	for _, rw := range changed {
		if byKey[rw.key] != nil {
			out = append(out, rw)
		}
	}
	slices.SortFunc(out, func(a, b *row[T]) int { return strings.Compare(a.key, b.key) })
	return out
}

// refill reads every record of q.kind and remembers them when r's view
// is committed (not a write transaction's) and they are few enough.
func (c *rowCache[T]) refill(ctx context.Context, r store.Reader, q rowQuery[T], base int64) ([]*row[T], error) {
	out, err := c.read(ctx, r, q)
	if err != nil {
		return nil, err
	}
	if _, tx := r.(store.Tx); tx {
		return out, nil // what it saw is not committed; keep what was
	}
	c.entries, c.order, c.at = nil, nil, 0
	if len(out) > q.limit {
		return out, nil
	}
	c.entries = make(map[string]*row[T], len(out))
	for _, rw := range out {
		c.entries[rw.key] = rw
	}
	c.order, c.at = out, base
	return out, nil
}

// read reads and decodes every record of q.kind.
func (c *rowCache[T]) read(ctx context.Context, r store.Reader, q rowQuery[T]) ([]*row[T], error) {
	recs, err := r.List(ctx, store.Query{Kind: q.kind})
	if err != nil {
		return nil, fmt.Errorf("build snapshot: %s: %w", q.kind, err)
	}
	out := make([]*row[T], len(recs))
	for i, rec := range recs {
		if out[i], err = decodeRow(rec, q.decode); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func decodeRow[T any](rec *store.Record, decode func(*store.Record) (T, error)) (*row[T], error) {
	v, err := decode(rec)
	if err != nil {
		return nil, err
	}
	return &row[T]{key: rowKey(rec.Parent, rec.ID), parent: rec.Parent, id: rec.ID, version: rec.Version, v: v}, nil
}

// CommittedView returns r as a view of committed configuration: a
// Builder remembers what it reads through it for later builds, as it
// does with a View's reader. Use it for a write transaction that has not
// written yet; a Builder remembers nothing a transaction reads
// otherwise, since the transaction may yet be rolled back.
func CommittedView(r store.Reader) store.Reader { return committedView{r} }

// committedView hides that its Reader is a transaction's.
type committedView struct{ store.Reader }

// Refresh brings what b remembers of APIs, operations and subscriptions
// up to date with r, which must be a committed view (a View's reader,
// or CommittedView of a transaction that has not written yet), so that
// the builds of a write transaction that follows read only its own
// changes.
func (b *Builder) Refresh(ctx context.Context, r store.Reader) error {
	if _, err := b.subscriptionEntries(ctx, r); err != nil {
		return err
	}
	_, _, err := b.apiRows(ctx, r)
	return err
}
