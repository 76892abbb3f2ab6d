package source

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gatehouse/gatehouse/internal/snapshot"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Watcher rebuilds a gateway's snapshot whenever the configuration version
// moves and hands it to Install. It is driven by the store's change
// notifications, not by a polling interval.
type Watcher struct {
	Store   store.Store
	Builder *Builder
	Gateway string
	// Install receives every new snapshot, in version order. An error is
	// logged and the next change retried.
	Install func(*snapshot.Snapshot) error
	Logger  *slog.Logger
}

// Run builds and installs the current snapshot, then one per configuration
// change, until ctx is done. It returns nil when ctx is cancelled.
func (w *Watcher) Run(ctx context.Context) error {
	var installed int64 = -1
	for {
		snap, err := w.build(ctx)
		if err == nil && snap.Version > installed {
			if err = w.Install(snap); err == nil {
				installed = snap.Version
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			w.Logger.Error("snapshot not installed", "gateway", w.Gateway, "err", err)
			select { // a store error: try again shortly
			case <-ctx.Done():
				return nil
			case <-time.After(time.Second):
			}
			continue
		}
		if _, err := w.Store.Wait(ctx, installed); err != nil {
			if errors.Is(err, context.Canceled) || ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("wait for configuration change: %w", err)
		}
	}
}

func (w *Watcher) build(ctx context.Context) (*snapshot.Snapshot, error) {
	var snap *snapshot.Snapshot
	err := w.Store.View(ctx, func(r store.Reader) error {
		var err error
		snap, err = w.Builder.Build(ctx, r, w.Gateway)
		return err
	})
	if err != nil {
		return nil, err
	}
	snap.RoutesDigest, err = snapshot.RoutesDigest(snap)
	return snap, err
}
