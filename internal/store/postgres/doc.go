// Package postgres opens Gatehouse's configuration store on PostgreSQL,
// for deployments that run several Gatehouse processes on one database.
// It uses the pgx driver through database/sql.
//
// Writers are serialised by the row lock on config_version. Every commit
// that writes also sends NOTIFY on the channel Channel; each Store listens
// on it with a dedicated connection and wakes its Wait callers, so a change
// made through any process reaches all of them. A notification only
// prompts the listener to read config_version in its own schema: channels
// are database-wide, so several stores in different schemas of one
// database do not disturb each other. When the listening connection
// fails, the listener reconnects with exponential backoff (logging through
// slog's default logger) and then reads the version it may have missed.
package postgres
