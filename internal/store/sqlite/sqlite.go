package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// busyTimeoutMillis is how long a statement waits for another process's
// lock on the file before failing with SQLITE_BUSY.
const busyTimeoutMillis = 5000

// Dialect returns the SQLite dialect: ? placeholders, BLOB secrets,
// read-only deferred view transactions. It returns a new value on every
// call; the caller may keep it.
func Dialect() sqlstore.Dialect {
	return sqlstore.Dialect{
		Name:        "sqlite",
		Placeholder: sqlstore.Question,
		// A deferred transaction on the store's only connection: it reads
		// one WAL snapshot from its first read on.
		ViewOptions: sql.TxOptions{ReadOnly: true},
		Migrations:  migrations(),
	}
}

// migrations returns the schema history. Append only.
func migrations() []sqlstore.Migration {
	return []sqlstore.Migration{{
		Name: "create resources and config_version",
		Statements: []string{
			`CREATE TABLE resources (
	kind       TEXT NOT NULL,
	parent     TEXT NOT NULL,
	parent_key TEXT NOT NULL,
	id         TEXT NOT NULL,
	id_key     TEXT NOT NULL,
	props      TEXT,
	secret     BLOB,
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

// Open opens (creating it and its directory, mode 0700, if needed) the
// SQLite database file at path, applies pending migrations and returns a
// Store that seals secrets with sealer. The caller owns the Store and must
// Close it. A file created here gets mode 0600.
func Open(ctx context.Context, path string, sealer *secret.Sealer) (*sqlstore.Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("open sqlite store: create directory: %w", err)
	}
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}
	db, err := sql.Open("sqlite", DSN(abs))
	if err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", abs, err)
	}
	// One connection: writers and readers in this process take turns, and
	// every write transaction is BEGIN IMMEDIATE (see DSN).
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	s, err := sqlstore.Open(ctx, db, sqlstore.Options{Dialect: Dialect(), Sealer: sealer})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", abs, err)
	}
	return s, nil
}

// DSN returns the modernc.org/sqlite data source name Open uses for the
// database file at the absolute path: WAL journal, busy timeout, foreign
// keys on and immediate write transactions. Tests use it to open a second
// connection to a store's file.
func DSN(path string) string {
	u := url.URL{Scheme: "file", OmitHost: true, Path: filepath.ToSlash(path)}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	u.RawQuery = q.Encode()
	return u.String()
}
