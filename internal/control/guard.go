package control

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/gatehouse/gatehouse/internal/compile"
	"github.com/gatehouse/gatehouse/internal/configsync/source"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/store"
)

// RefusedError is a write refused because APIs that compiled before it
// would not compile after it. Nothing of the write was stored.
type RefusedError struct {
	// Dependents are the problems the write would cause, each naming the
	// API it stops and the place in a policy document that fails.
	Dependents []compile.Diagnostic
}

func (e *RefusedError) Error() string {
	seen := map[string]bool{}
	var names []string
	for _, d := range e.Dependents {
		u := compile.UnitOf(d)
		if seen[u] {
			continue
		}
		seen[u] = true
		switch {
		case d.API != "":
			names = append(names, "API "+d.API)
		case d.Product != "":
			names = append(names, "the policy of product "+d.Product)
		default:
			names = append(names, "the global policy")
		}
	}
	return fmt.Sprintf("The change would stop %s from compiling: %s", strings.Join(names, ", "), e.Dependents[0].String())
}

// compiledKinds are the kinds whose records take part in compiling a
// gateway's configuration. Writes to other kinds (subscriptions, users,
// groups, gateways) change key tables at most and are not checked.
var compiledKinds = map[model.Kind]bool{
	model.KindAPI: true, model.KindOperation: true, model.KindProduct: true, model.KindProductAPI: true,
	model.KindPolicy: true, model.KindPolicyFragment: true, model.KindNamedValue: true, model.KindBackend: true,
	model.KindCertificate: true, model.KindSchema: true, model.KindAPIVersionSet: true,
	model.KindLogger: true, // log-to-eventhub names loggers
}

// Guard is a store.Store whose write transactions are checked before they
// commit: when a transaction changed what gateways compile, the
// configuration is compiled as the managed gateway (which serves every
// API, so every gateway's APIs) sees it, and the transaction is rolled
// back with a *RefusedError if an API that compiled before does not
// compile after. Reads pass through.
type Guard struct {
	store.Store
	reg *policy.Registry
	// builder compiles every check, and remembers subscriptions between
	// them.
	builder *source.Builder

	mu     sync.Mutex
	broken map[int64]map[string]bool // committed version → APIs broken at it (the last few)
}

// NewGuard returns st guarded with the policy elements of reg.
func NewGuard(st store.Store, reg *policy.Registry) *Guard {
	return &Guard{Store: st, reg: reg, builder: &source.Builder{Policies: reg}, broken: map[int64]map[string]bool{}}
}

// Update runs fn in a write transaction of the underlying store and
// refuses it, rolled back, when it breaks an API (see Guard).
func (g *Guard) Update(ctx context.Context, fn func(store.Tx) error) (int64, error) {
	return g.update(ctx, fn, false)
}

// update is Update; with rollback, a transaction that passes every check
// is rolled back with errDryRun instead of committed.
func (g *Guard) update(ctx context.Context, fn func(store.Tx) error, rollback bool) (int64, error) {
	var after map[string]bool
	version, err := g.Store.Update(ctx, func(tx store.Tx) error {
		v, err := tx.Version(ctx)
		if err != nil {
			return err
		}
		before, err := g.brokenAt(ctx, tx, v)
		if err != nil {
			return err
		}
		// Nothing written yet: bring what the Builder remembers up to
		// the configuration this write starts from, so that the check
		// below reads only the write's own records.
		if err := g.builder.Refresh(ctx, source.CommittedView(tx)); err != nil {
			return fmt.Errorf("check configuration: %w", err)
		}
		t := &trackingTx{Tx: tx}
		if err := fn(t); err != nil {
			return err
		}
		after = before
		if !t.touched {
			return dryRunResult(rollback)
		}
		report, err := g.check(ctx, tx)
		if err != nil {
			return err
		}
		var dependents []compile.Diagnostic
		for _, d := range report.Diagnostics {
			if !before[compile.UnitOf(d)] {
				dependents = append(dependents, d)
			}
		}
		if len(dependents) > 0 {
			return &RefusedError{Dependents: dependents}
		}
		after = report.Broken
		return dryRunResult(rollback)
	})
	if err == nil {
		g.remember(version, after)
	}
	return version, err
}

// dryRunResult is what a transaction that passed its checks returns:
// errDryRun to roll it back, nil to commit it.
func dryRunResult(rollback bool) error {
	if rollback {
		return errDryRun
	}
	return nil
}

// brokenAt returns the APIs that do not compile at version v, which tx
// sees before it writes: remembered, or compiled now.
func (g *Guard) brokenAt(ctx context.Context, tx store.Reader, v int64) (map[string]bool, error) {
	g.mu.Lock()
	b, ok := g.broken[v]
	g.mu.Unlock()
	if ok {
		return b, nil
	}
	// tx has not written yet: what it reads is committed, and the
	// Builder may remember it for the checks of later writes.
	report, err := g.check(ctx, source.CommittedView(tx))
	if err != nil {
		return nil, err
	}
	g.remember(v, report.Broken)
	return report.Broken, nil
}

// remember keeps the broken APIs of version v, and of a few versions
// before it, for writes that start from them.
func (g *Guard) remember(v int64, broken map[string]bool) {
	if broken == nil {
		broken = map[string]bool{}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.broken[v] = broken
	for old := range g.broken {
		if old < v-8 {
			delete(g.broken, old)
		}
	}
}

// Check compiles the configuration r sees as the managed gateway, which
// serves every API, and returns the report.
func Check(ctx context.Context, r store.Reader, reg *policy.Registry) (*compile.Report, error) {
	return compileWith(ctx, r, reg, nil)
}

// check is Check with the Guard's Builder.
func (g *Guard) check(ctx context.Context, r store.Reader) (*compile.Report, error) {
	_, report, err := g.builder.BuildReport(ctx, r, model.ManagedGatewayID)
	if err != nil {
		return nil, fmt.Errorf("check configuration: %w", err)
	}
	return report, nil
}

// compileWith compiles the configuration r sees as the managed gateway
// with a Builder of its own, which reads every subscription once (no
// cache to fill for a single build).
func compileWith(ctx context.Context, r store.Reader, reg *policy.Registry, refs func(compile.Reference)) (*compile.Report, error) {
	b := &source.Builder{Policies: reg, References: refs, MaxCachedSubscriptions: -1}
	_, report, err := b.BuildReport(ctx, r, model.ManagedGatewayID)
	if err != nil {
		return nil, fmt.Errorf("check configuration: %w", err)
	}
	return report, nil
}

// trackingTx notes whether a transaction wrote a compiled kind.
type trackingTx struct {
	store.Tx
	touched bool
}

func (t *trackingTx) Put(ctx context.Context, rec *store.Record) (bool, error) {
	t.touched = t.touched || compiledKinds[rec.Kind]
	return t.Tx.Put(ctx, rec)
}

func (t *trackingTx) Delete(ctx context.Context, kind model.Kind, parent, id string) (bool, error) {
	t.touched = t.touched || compiledKinds[kind]
	return t.Tx.Delete(ctx, kind, parent, id)
}
