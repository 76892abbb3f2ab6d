package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Options configure Open.
type Options struct {
	// Dialect describes the database. Required.
	Dialect Dialect
	// Sealer encrypts secrets at rest. Required.
	Sealer *secret.Sealer
	// Notifier, when not nil, is the Notifier the Store advances after each
	// commit and that Wait waits on. A driver shares it to feed in versions
	// committed by other processes. When nil the Store makes its own.
	Notifier *store.Notifier
}

// Store is a store.Store on a *sql.DB. It is safe for concurrent use.
//
// Writers are serialised by the database: every Update begins by bumping
// the config_version row, which takes its row lock (PostgreSQL) or runs in
// a BEGIN IMMEDIATE transaction (SQLite). The functions passed to View and
// Update must therefore not call the same Store: with a single-connection
// database (SQLite) that deadlocks.
type Store struct {
	db       *sql.DB
	dialect  Dialect
	sealer   *secret.Sealer
	notifier *store.Notifier
	q        queries

	closeOnce sync.Once
	closeErr  error
}

var _ store.Store = (*Store)(nil)

// Open applies opts.Dialect's pending migrations to db, reads the current
// configuration version and returns a Store on db. On success the Store
// owns db and closes it in Close; on error db is left open for the caller
// to close.
func Open(ctx context.Context, db *sql.DB, opts Options) (*Store, error) {
	if db == nil {
		return nil, errors.New("open store: nil database")
	}
	if opts.Sealer == nil {
		return nil, errors.New("open store: a sealer is required")
	}
	if err := migrate(ctx, db, opts.Dialect); err != nil {
		return nil, fmt.Errorf("open %s store: %w", opts.Dialect.Name, err)
	}
	n := opts.Notifier
	if n == nil {
		n = new(store.Notifier)
	}
	s := &Store{
		db:       db,
		dialect:  opts.Dialect,
		sealer:   opts.Sealer,
		notifier: n,
		q:        newQueries(opts.Dialect),
	}
	var v int64
	if err := db.QueryRowContext(ctx, s.q.version).Scan(&v); err != nil {
		return nil, fmt.Errorf("open %s store: read version: %w", opts.Dialect.Name, err)
	}
	n.Advance(v)
	return s, nil
}

// View calls fn with a read-only view of one consistent snapshot of the
// configuration. The Reader is valid only until fn returns. fn's error is
// returned unchanged; errors of the database are wrapped.
func (s *Store) View(ctx context.Context, fn func(store.Reader) error) (err error) {
	opts := s.dialect.ViewOptions
	tx, err := s.db.BeginTx(ctx, &opts)
	if err != nil {
		return fmt.Errorf("view: begin: %w", err)
	}
	defer tx.Rollback() // read-only: nothing to keep; after Commit it is a no-op
	if err := fn(&reader{s: s, tx: tx}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("view: commit: %w", err)
	}
	return nil
}

// Update calls fn in a write transaction serialised with every other
// Update on the database, including those of other processes. The Tx is
// valid only until fn returns.
//
// When fn returns an error the transaction is rolled back and that error
// returned unchanged (with version 0). When fn wrote nothing the
// transaction is rolled back and the current version returned. Otherwise
// the transaction commits with the version bumped by one, every record
// written carrying the new version, waiters are woken and the new version
// is returned. Database errors are wrapped.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) (version int64, err error) {
	defer func() {
		if err != nil && diskFull(err) && !errors.Is(err, store.ErrFull) {
			err = fmt.Errorf("%w: %w", store.ErrFull, err)
		}
	}()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("update: begin: %w", err)
	}
	// Rolls back when fn fails, writes nothing or panics; after Commit it
	// is a no-op.
	defer tx.Rollback()

	var next int64
	if err := tx.QueryRowContext(ctx, s.q.bump).Scan(&next); err != nil {
		return 0, fmt.Errorf("update: bump version: %w", err)
	}
	w := &writer{reader: reader{s: s, tx: tx}, version: next}
	if err := fn(w); err != nil {
		return 0, err
	}
	if !w.wrote.Load() {
		if err := tx.Rollback(); err != nil {
			return 0, fmt.Errorf("update: rollback: %w", err)
		}
		return next - 1, nil
	}
	if s.q.notify != "" {
		if _, err := tx.ExecContext(ctx, s.q.notify, strconv.FormatInt(next, 10)); err != nil {
			return 0, fmt.Errorf("update: notify: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("update: commit: %w", err)
	}
	s.notifier.Advance(next)
	return next, nil
}

// Wait blocks until the configuration version is greater than after or
// ctx is done, and returns the latest version known, with ctx's error in
// the latter case. It sees the commits of this Store and whatever versions
// the driver feeds into the shared Notifier.
func (s *Store) Wait(ctx context.Context, after int64) (int64, error) {
	return s.notifier.Wait(ctx, after)
}

// Close closes the database. It waits for nothing: callers must finish
// their View and Update calls first. Close is idempotent; later calls
// return the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if err := s.db.Close(); err != nil {
			s.closeErr = fmt.Errorf("close %s store: %w", s.dialect.Name, err)
		}
	})
	return s.closeErr
}

// diskFull reports whether err is a database's answer to a full disk:
// SQLite's SQLITE_FULL, PostgreSQL's disk_full (53100) or the system's
// ENOSPC.
func diskFull(err error) bool {
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"database or disk is full", "no space left on device", "sqlstate 53100", "could not extend file"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
