// Package sqlstore implements store.Store on database/sql. It holds
// everything the SQLite and PostgreSQL stores share: the queries, the
// transaction and versioning logic, secret sealing and the migration runner.
// The driver packages (store/sqlite, store/postgres) open the *sql.DB and
// pass a Dialect describing their differences.
//
// All resources live in one table, resources, keyed by (kind, parent_key,
// id_key), where the keys are the lowercased parent and id; the parent and
// id columns keep the case of the first write. The single-row table
// config_version holds the configuration version, bumped once by every
// committing Update that writes. Secrets are stored sealed by a
// secret.Sealer, bound to kind, parent_key and id_key so that a sealed value
// cannot be moved to another record.
package sqlstore
