package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// migrate applies the dialect's pending migrations in one transaction, so
// that a failing migration leaves the schema as it was. Concurrent callers
// are serialised by the dialect's MigrationLock (PostgreSQL) or by the
// database's write lock (SQLite, whose transactions begin immediate).
func migrate(ctx context.Context, db *sql.DB, d Dialect) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer func() {
		if rbErr := tx.Rollback(); err == nil && rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			err = fmt.Errorf("migrate: rollback: %w", rbErr)
		}
	}()
	if d.MigrationLock != "" {
		if _, err := tx.ExecContext(ctx, d.MigrationLock); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version BIGINT NOT NULL PRIMARY KEY,
	name TEXT NOT NULL
)`); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	applied, err := appliedMigrations(ctx, tx)
	if err != nil {
		return err
	}
	for v := range applied {
		if v < 1 || v > int64(len(d.Migrations)) {
			return fmt.Errorf("migrate: database has migration %d, this program knows %d: it was written by a newer version", v, len(d.Migrations))
		}
	}
	insert := d.Placeholder.rebind(`INSERT INTO schema_migrations (version, name) VALUES (?, ?)`)
	for i, m := range d.Migrations {
		v := int64(i + 1)
		if applied[v] {
			continue
		}
		for _, stmt := range m.Statements {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("migrate: migration %d (%s): %w", v, m.Name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, insert, v, m.Name); err != nil {
			return fmt.Errorf("migrate: record migration %d: %w", v, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}

// appliedMigrations returns the versions recorded in schema_migrations.
func appliedMigrations(ctx context.Context, tx *sql.Tx) (map[int64]bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("migrate: read schema_migrations: %w", err)
	}
	defer rows.Close()
	applied := make(map[int64]bool)
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("migrate: read schema_migrations: %w", err)
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("migrate: read schema_migrations: %w", err)
	}
	return applied, nil
}
