package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Reconnection backoff of the listener.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 30 * time.Second
	// closeTimeout bounds the polite shutdown of a listener connection.
	closeTimeout = 5 * time.Second
)

// listener feeds the versions committed through other connections into a
// Notifier. It owns one dedicated connection at a time.
type listener struct {
	config   *pgx.ConnConfig
	notifier *store.Notifier
}

// connect opens a connection, listens on Channel and then reads the
// current version, in that order, so that no commit falls between the
// version read and the first notification.
func (l *listener) connect(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, l.config)
	if err != nil {
		return nil, fmt.Errorf("listen: connect: %w", err)
	}
	if _, err := conn.Exec(ctx, `LISTEN `+Channel); err != nil {
		closeConn(conn)
		return nil, fmt.Errorf("listen: %w", err)
	}
	if _, err := l.refresh(ctx, conn); err != nil {
		closeConn(conn)
		return nil, err
	}
	return conn, nil
}

// refresh reads config_version in the connection's schema and advances the
// Notifier to it.
func (l *listener) refresh(ctx context.Context, conn *pgx.Conn) (int64, error) {
	var v int64
	if err := conn.QueryRow(ctx, `SELECT version FROM config_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("listen: read version: %w", err)
	}
	l.notifier.Advance(v)
	return v, nil
}

// run waits for notifications on conn until ctx is done. When the
// connection fails it reconnects with exponential backoff; the refresh
// after each reconnection catches up on the notifications missed
// meanwhile. run closes every connection it holds before returning.
func (l *listener) run(ctx context.Context, conn *pgx.Conn) {
	backoff := minBackoff
	for {
		if conn != nil {
			err := l.listen(ctx, conn)
			closeConn(conn)
			conn = nil
			if ctx.Err() != nil {
				return
			}
			slog.Warn("configuration change listener disconnected; retrying", "channel", Channel, "error", err)
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		var err error
		conn, err = l.connect(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			backoff = min(2*backoff, maxBackoff)
			slog.Warn("configuration change listener cannot reconnect; retrying", "channel", Channel, "error", err, "backoff", backoff)
			continue
		}
		backoff = minBackoff
	}
}

// listen handles notifications on conn until it fails or ctx is done.
// A notification is only a hint: channels are database-wide, so it may come
// from a store in another schema. Its payload is the notifying store's new
// version; one at or below the version last read cannot tell anything new
// and is skipped, which also collapses bursts.
func (l *listener) listen(ctx context.Context, conn *pgx.Conn) error {
	seen, err := l.refresh(ctx, conn)
	if err != nil {
		return err
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("listen: %w", err)
		}
		if v, err := strconv.ParseInt(n.Payload, 10, 64); err == nil && v <= seen {
			continue
		}
		if seen, err = l.refresh(ctx, conn); err != nil {
			return err
		}
	}
}

// closeConn closes conn and waits until its resources, including any
// background goroutine of the driver, are released.
func closeConn(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	_ = conn.Close(ctx) // the connection is discarded either way
	<-conn.PgConn().CleanupDone()
}
