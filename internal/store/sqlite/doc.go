// Package sqlite opens Gatehouse's embedded configuration store: a single
// SQLite file, accessed through the pure-Go modernc.org/sqlite driver, so
// the binary needs no C toolchain and no external database.
//
// The database runs in WAL mode with a busy timeout and foreign keys on.
// The Store uses one connection and begins its write transactions
// immediate, so writers (including other processes sharing the file) are
// serialised by SQLite's write lock. Only this process's own commits wake
// Wait: run a single Gatehouse process per database file.
package sqlite
