package sqlstore

import (
	"database/sql"
	"strconv"
	"strings"
)

// Placeholder is a bind-parameter style.
type Placeholder int

// The bind-parameter styles.
const (
	// Question binds parameters as ?, as SQLite does.
	Question Placeholder = iota
	// Dollar binds parameters as $1, $2, ..., as PostgreSQL does.
	Dollar
)

// rebind rewrites the ? placeholders of q into style p. The queries in this
// package contain no other question marks.
func (p Placeholder) rebind(q string) string {
	if p != Dollar {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r != '?' {
			b.WriteRune(r)
			continue
		}
		n++
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}

// A Migration is one versioned schema change. Migrations are numbered by
// their position in Dialect.Migrations, starting at 1, and recorded in the
// schema_migrations table once applied; a released migration must never be
// edited or reordered, only new ones appended.
type Migration struct {
	// Name describes the change; it appears in errors and in
	// schema_migrations.
	Name string
	// Statements are executed in order. Each is one SQL statement.
	Statements []string
}

// Dialect describes what differs between the databases sqlstore runs on. It
// is a plain value; the driver packages build one and pass it to Open.
//
// The migrations must create the tables the queries use:
//
//	resources(kind, parent, parent_key, id, id_key, props, secret, version)
//	    with primary key (kind, parent_key, id_key); props is text, secret is
//	    binary, both nullable; version is a 64-bit integer. kind,
//	    parent_key and id_key must compare bytewise so that List orders the
//	    same on every database.
//	config_version(id, version) holding exactly one row, with version 0
//	    initially.
type Dialect struct {
	// Name names the database in errors, for example "sqlite".
	Name string
	// Placeholder is the bind-parameter style of the driver.
	Placeholder Placeholder
	// ViewOptions are the options of View's transaction. They must make it
	// read-only and give it one snapshot of the database for its whole
	// duration (PostgreSQL: repeatable read).
	ViewOptions sql.TxOptions
	// MigrationLock, when not empty, is a statement executed first in the
	// migration transaction to serialise concurrent Opens of one database,
	// for example a transaction-scoped advisory lock. It is executed before
	// schema_migrations is known to exist.
	MigrationLock string
	// NotifyQuery, when not empty, is executed inside every Update that
	// writes, just before the commit, with the new version as its only
	// argument (formatted as a decimal string). PostgreSQL uses it to
	// pg_notify other processes.
	NotifyQuery string
	// Migrations is the complete, ordered list of schema changes.
	Migrations []Migration
}
