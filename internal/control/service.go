package control

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/store"
)

// ServiceOptions configures a Service.
type ServiceOptions struct {
	// Store holds the configuration. Required.
	Store store.Store
	// Policies holds the policy elements writes are compiled with.
	// Required.
	Policies *policy.Registry
	// Now is the clock. Nil: time.Now.
	Now func() time.Time
	// PropertyLimits checks a resource's stored properties (JSON) against
	// the limits the adapter documents, such as the management API's
	// maxLength of every string; it runs on what the rules filled in too
	// (an import's titles and descriptions). Nil: no limits.
	PropertyLimits func(kind model.Kind, props []byte) error
}

// Service applies the management rules to every call, whoever makes it:
// it authorises the call's Principal, runs it in one transaction with the
// checks and cascades of the kinds it writes, and refuses a write that
// would stop an API from compiling (see Guard). The management API, and
// next the developer portal and the admin console, call it; none of them
// writes to the store directly. It is safe for concurrent use.
type Service struct {
	guard    *Guard
	policies *policy.Registry
	now      nowFunc
	limits   func(kind model.Kind, props []byte) error
}

// NewService returns a Service over opts.Store.
func NewService(opts ServiceOptions) *Service {
	s := &Service{guard: NewGuard(opts.Store, opts.Policies), policies: opts.Policies, now: opts.Now, limits: opts.PropertyLimits}
	if s.now == nil {
		s.now = time.Now
	}
	if s.limits == nil {
		s.limits = func(model.Kind, []byte) error { return nil }
	}
	return s
}

// Policies returns the policy elements the Service compiles with.
func (s *Service) Policies() *policy.Registry { return s.policies }

// Now returns the Service's clock's time.
func (s *Service) Now() time.Time { return s.now() }

// View runs fn with a consistent read-only view, for p.
func (s *Service) View(ctx context.Context, p Principal, fn func(store.Reader) error) error {
	if err := p.may(read); err != nil {
		return err
	}
	if b := inBatch(ctx); b != nil {
		return fn(b.tx)
	}
	return s.guard.View(ctx, fn)
}

// Update runs fn in one write transaction, for p. The write is refused,
// and nothing of it stored, when fn fails or the result would stop an
// API from compiling. Inside a Batch, fn joins the batch's transaction.
func (s *Service) Update(ctx context.Context, p Principal, fn func(store.Tx) error) error {
	if err := p.may(write); err != nil {
		return err
	}
	if b := inBatch(ctx); b != nil {
		return fn(b.tx)
	}
	_, err := s.guard.Update(ctx, fn)
	return err
}

// Put is one create, replace or merge of a resource.
type Put struct {
	Kind       model.Kind
	Parent, ID string
	// Before runs first in the transaction with the current record (nil
	// when absent): the caller's preconditions, such as If-Match and the
	// parent's existence.
	Before func(tx store.Tx, old *store.Record) error
	// Props makes the new properties from the current record.
	Props func(old *store.Record) (model.Properties, error)
}

// Put creates or replaces a resource with the rules of its kind, for p.
// It returns the stored record and whether it was created.
func (s *Service) Put(ctx context.Context, p Principal, w Put) (rec *store.Record, created bool, err error) {
	if w.Kind == model.KindServicePrincipal && p.Kind != KindAdmin {
		return nil, false, Forbidden("Only the administrator manages service principals.")
	}
	err = s.Update(ctx, p, func(tx store.Tx) error {
		var err error
		if w.Parent, w.ID, err = resolveRefs(ctx, tx, w.Kind, w.Parent, w.ID); err != nil {
			return err
		}
		old, err := Lookup(ctx, tx, w.Kind, w.Parent, w.ID)
		if err != nil {
			return err
		}
		if w.Before != nil {
			if err := w.Before(tx, old); err != nil {
				return err
			}
		}
		props, err := w.Props(old)
		if err != nil {
			return err
		}
		rec = &store.Record{Kind: w.Kind, Parent: w.Parent, ID: w.ID}
		if old != nil {
			rec.Parent, rec.ID = old.Parent, old.ID
		}
		if r := rules[w.Kind]; r.check != nil {
			if err := r.check(ctx, tx, rec, props, old, checkEnv{now: s.now, policies: s.policies, limits: s.limits}); err != nil {
				return err
			}
		}
		if rec.Props, err = json.Marshal(props); err != nil {
			return err
		}
		if err := s.limits(w.Kind, rec.Props); err != nil {
			return err
		}
		created, err = tx.Put(ctx, rec)
		return err
	})
	return rec, created, err
}

// Delete is the deletion of one resource.
type Delete struct {
	Kind       model.Kind
	Parent, ID string
	// Before runs first with the current record (never nil): the
	// caller's preconditions.
	Before  func(tx store.Tx, old *store.Record) error
	Options RemoveOptions
}

// Delete deletes a resource with the cascades of its kind, for p, and
// reports whether it existed.
func (s *Service) Delete(ctx context.Context, p Principal, d Delete) (existed bool, err error) {
	if d.Kind == model.KindServicePrincipal && p.Kind != KindAdmin {
		return false, Forbidden("Only the administrator manages service principals.")
	}
	err = s.Update(ctx, p, func(tx store.Tx) error {
		parent, id, err := resolveRefs(ctx, tx, d.Kind, d.Parent, d.ID)
		if err != nil {
			return err
		}
		if d.Kind == model.KindAPI && id != d.ID {
			return Conflict("apiId", "'"+d.ID+"' is the current revision of API '"+id+"': make another revision current with a release first, or delete the API.")
		}
		d.Parent, d.ID = parent, id
		old, err := Lookup(ctx, tx, d.Kind, d.Parent, d.ID)
		if err != nil || old == nil {
			return err
		}
		existed = true
		if d.Before != nil {
			if err := d.Before(tx, old); err != nil {
				return err
			}
		}
		if r := rules[d.Kind]; r.remove != nil {
			if err := r.remove(ctx, tx, old, d.Options); err != nil {
				return err
			}
		}
		_, err = tx.Delete(ctx, d.Kind, d.Parent, d.ID)
		return err
	})
	return existed, err
}
