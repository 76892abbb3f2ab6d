package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// Channel is the LISTEN/NOTIFY channel on which every committing Update
// announces its new version.
const Channel = "gatehouse_config"

// Dialect returns the PostgreSQL dialect: $n placeholders, BYTEA secrets,
// repeatable-read views, an advisory lock around migrations and a
// pg_notify on Channel in every writing Update. It returns a new value on
// every call; the caller may keep it.
func Dialect() sqlstore.Dialect {
	return sqlstore.Dialect{
		Name:        "postgres",
		Placeholder: sqlstore.Dollar,
		ViewOptions: sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
		// Serialises concurrent Opens per schema; CREATE TABLE IF NOT
		// EXISTS alone is not safe against a concurrent create.
		MigrationLock: `SELECT pg_advisory_xact_lock(hashtext('gatehouse.migrate.' || coalesce(current_schema(), '')))`,
		NotifyQuery:   `SELECT pg_notify('` + Channel + `', ?)`,
		Migrations:    migrations(),
	}
}

// migrations returns the schema history. Append only.
func migrations() []sqlstore.Migration {
	return []sqlstore.Migration{{
		Name: "create resources and config_version",
		Statements: []string{
			// The key columns use the "C" collation so that List orders
			// bytewise, as on SQLite, whatever the database's locale.
			`CREATE TABLE resources (
	kind       TEXT COLLATE "C" NOT NULL,
	parent     TEXT NOT NULL,
	parent_key TEXT COLLATE "C" NOT NULL,
	id         TEXT NOT NULL,
	id_key     TEXT COLLATE "C" NOT NULL,
	props      TEXT,
	secret     BYTEA,
	version    BIGINT NOT NULL,
	PRIMARY KEY (kind, parent_key, id_key)
)`,
			`CREATE TABLE config_version (
	id      INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
	version BIGINT NOT NULL
)`,
			`INSERT INTO config_version (id, version) VALUES (1, 0)`,
		},
	}, {
		// Builders read what changed since a version (Query.Since).
		Name:       "index resources by kind and version",
		Statements: []string{`CREATE INDEX resources_kind_version ON resources (kind, version)`},
	}}
}

// Store is a store.Store on PostgreSQL. It is safe for concurrent use. Its
// Wait also returns for commits made by other Stores (in this or other
// processes) on the same database schema.
type Store struct {
	sql *sqlstore.Store

	stop      context.CancelFunc // stops the listener
	listening chan struct{}      // closed when the listener has returned
	closeOnce sync.Once
	closeErr  error
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at url (a postgres:// URL or key=value
// connection string; unknown URL parameters such as search_path become
// session settings), applies pending migrations, starts listening on
// Channel and returns a Store that seals secrets with sealer. The caller
// owns the Store and must Close it, which also stops the listener. ctx
// bounds only the work done by Open.
func Open(ctx context.Context, url string, sealer *secret.Sealer) (*Store, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	n := new(store.Notifier)
	s, err := sqlstore.Open(ctx, db, sqlstore.Options{Dialect: Dialect(), Sealer: sealer, Notifier: n})
	if err != nil {
		db.Close()
		return nil, err
	}
	// Connect the listener before returning, so that every commit after
	// Open returns wakes Wait, and so that a bad URL fails here.
	l := &listener{config: cfg, notifier: n}
	conn, err := l.connect(ctx)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	lctx, stop := context.WithCancel(context.Background())
	ps := &Store{sql: s, stop: stop, listening: make(chan struct{})}
	go func() {
		defer close(ps.listening)
		l.run(lctx, conn)
	}()
	return ps, nil
}

// View implements store.Store; see sqlstore.Store.View. The view is one
// repeatable-read snapshot.
func (s *Store) View(ctx context.Context, fn func(store.Reader) error) error {
	return s.sql.View(ctx, fn)
}

// Update implements store.Store; see sqlstore.Store.Update. Writers are
// serialised across processes by the row lock on config_version.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) (int64, error) {
	return s.sql.Update(ctx, fn)
}

// Wait implements store.Store. It returns for commits of this Store at
// once and for those of other Stores on the same schema when their
// notification arrives.
func (s *Store) Wait(ctx context.Context, after int64) (int64, error) {
	return s.sql.Wait(ctx, after)
}

// Close stops the listener, waits for it to return and closes the
// database connections. Callers must finish their View and Update calls
// first. Close is idempotent; later calls return the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.stop()
		<-s.listening
		s.closeErr = s.sql.Close()
	})
	return s.closeErr
}
