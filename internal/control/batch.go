package control

import (
	"context"
	"errors"

	"github.com/gatehouse/gatehouse/internal/store"
)

// BatchOptions configures a Batch.
type BatchOptions struct {
	// DryRun checks the whole batch, compile included, and then rolls it
	// back: a dry run that succeeds means the same batch succeeds on the
	// same configuration.
	DryRun bool
}

// batchKey marks a context whose calls join a Batch's transaction.
type batchKey struct{}

// batchTx is the transaction a Batch's calls share.
type batchTx struct{ tx store.Tx }

// errDryRun rolls back a dry run that passed every check.
var errDryRun = errors.New("dry run: rolled back")

// Batch runs fn with a context in which every call to s (View, Update,
// Put, Delete and the calls built on them) joins one write transaction
// instead of committing on its own. When fn returns nil the transaction is
// compiled once, as a single write is, and committed, unless opts.DryRun
// asks for a rollback; when fn fails, or the result would stop an API
// from compiling, nothing of the batch is stored. Each call still
// authorises its own principal; p must be allowed to write. Batches do
// not nest.
func (s *Service) Batch(ctx context.Context, p Principal, opts BatchOptions, fn func(ctx context.Context) error) error {
	if err := p.may(write); err != nil {
		return err
	}
	if inBatch(ctx) != nil {
		return Invalid("", "A batch cannot run inside a batch.")
	}
	_, err := s.guard.update(ctx, func(tx store.Tx) error {
		return fn(context.WithValue(ctx, batchKey{}, &batchTx{tx: tx}))
	}, opts.DryRun)
	if errors.Is(err, errDryRun) {
		return nil
	}
	return err
}

// inBatch returns the transaction of the Batch ctx belongs to; nil
// outside one.
func inBatch(ctx context.Context) *batchTx {
	b, _ := ctx.Value(batchKey{}).(*batchTx)
	return b
}
