package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

// queries holds the statements, rebound to the dialect's placeholders.
type queries struct {
	bump    string
	version string
	get     string
	exists  string
	put     string
	del     string
	notify  string
	// list, page and count are indexed by filter: 1 when filtering on
	// parent, +2 on id, +4 on version (Query.Since). A page query takes
	// LIMIT and OFFSET last.
	list, page, count [8]string
}

func newQueries(d Dialect) queries {
	p := d.Placeholder
	const cols = `SELECT parent, id, props, secret, version FROM resources WHERE kind = ?`
	const order = ` ORDER BY parent_key, id_key`
	q := queries{
		bump:    `UPDATE config_version SET version = version + 1 RETURNING version`,
		version: `SELECT version FROM config_version`,
		get:     p.rebind(cols + ` AND parent_key = ? AND id_key = ?`),
		exists:  p.rebind(`SELECT 1 FROM resources WHERE kind = ? AND parent_key = ? AND id_key = ?`),
		put: p.rebind(`INSERT INTO resources (kind, parent, parent_key, id, id_key, props, secret, version)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (kind, parent_key, id_key) DO UPDATE
SET props = excluded.props, secret = excluded.secret, version = excluded.version`),
		del:    p.rebind(`DELETE FROM resources WHERE kind = ? AND parent_key = ? AND id_key = ?`),
		notify: p.rebind(d.NotifyQuery),
	}
	const counted = `SELECT count(*) FROM resources WHERE kind = ?`
	for which := range 8 {
		filter := ``
		if which&1 != 0 {
			filter += ` AND parent_key = ?`
		}
		if which&2 != 0 {
			filter += ` AND id_key = ?`
		}
		if which&4 != 0 {
			filter += ` AND version > ?`
		}
		q.list[which] = p.rebind(cols + filter + order)
		q.page[which] = p.rebind(cols + filter + order + ` LIMIT ? OFFSET ?`)
		q.count[which] = p.rebind(counted + filter)
	}
	return q
}

// key returns the lookup key of a parent or id.
func key(s string) string { return strings.ToLower(s) }

// additional returns the additional data that binds a sealed secret to
// its record.
func additional(kind model.Kind, parentKey, idKey string) []byte {
	return []byte(string(kind) + "\x00" + parentKey + "\x00" + idKey)
}

// ref names a record in errors: "kind id" or "kind parent/id".
func ref(kind model.Kind, parent, id string) string {
	if parent == "" {
		return string(kind) + " " + id
	}
	return string(kind) + " " + parent + "/" + id
}

// reader implements store.Reader on a transaction.
type reader struct {
	s  *Store
	tx *sql.Tx
}

// Get implements store.Reader.
func (r *reader) Get(ctx context.Context, kind model.Kind, parent, id string) (*store.Record, error) {
	rec := &store.Record{Kind: kind}
	var props, secret []byte
	err := r.tx.QueryRowContext(ctx, r.s.q.get, string(kind), key(parent), key(id)).
		Scan(&rec.Parent, &rec.ID, &props, &secret, &rec.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w", ref(kind, parent, id), store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", ref(kind, parent, id), err)
	}
	if err := r.fill(rec, props, secret); err != nil {
		return nil, err
	}
	return rec, nil
}

// filter returns the index of q's filter in queries and its arguments.
func filter(q store.Query) (int, []any) {
	args := []any{string(q.Kind)}
	which := 0
	if q.Parent != "" {
		which |= 1
		args = append(args, key(q.Parent))
	}
	if q.ID != "" {
		which |= 2
		args = append(args, key(q.ID))
	}
	if q.Since > 0 {
		which |= 4
		args = append(args, q.Since)
	}
	return which, args
}

// Count implements store.Reader.
func (r *reader) Count(ctx context.Context, q store.Query) (int, error) {
	which, args := filter(q)
	var n int
	if err := r.tx.QueryRowContext(ctx, r.s.q.count[which], args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", q.Kind, err)
	}
	return n, nil
}

// List implements store.Reader.
func (r *reader) List(ctx context.Context, q store.Query) ([]*store.Record, error) {
	which, args := filter(q)
	query := r.s.q.list[which]
	if q.Limit > 0 {
		query = r.s.q.page[which]
		args = append(args, q.Limit, max(q.Offset, 0))
	} else if q.Offset > 0 {
		query = r.s.q.page[which]
		args = append(args, int64(1)<<62, q.Offset) // no limit, in both dialects
	}
	rows, err := r.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", q.Kind, err)
	}
	defer rows.Close()
	out := []*store.Record{}
	for rows.Next() {
		rec := &store.Record{Kind: q.Kind}
		var props, secret []byte
		if err := rows.Scan(&rec.Parent, &rec.ID, &props, &secret, &rec.Version); err != nil {
			return nil, fmt.Errorf("list %s: %w", q.Kind, err)
		}
		if q.SealedSecrets {
			rec.Props, rec.Secret = props, secret
		} else if err := r.fill(rec, props, secret); err != nil {
			return nil, err
		} else if q.AlsoSealed {
			rec.Sealed = secret
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", q.Kind, err)
	}
	return out, nil
}

// fill sets rec's props and decrypted secret from their stored forms.
func (r *reader) fill(rec *store.Record, props, secret []byte) error {
	if props != nil {
		rec.Props = props
	}
	if secret == nil {
		return nil
	}
	plain, err := r.s.sealer.Open(secret, additional(rec.Kind, key(rec.Parent), key(rec.ID)))
	if err != nil {
		return fmt.Errorf("read secret of %s: %w", ref(rec.Kind, rec.Parent, rec.ID), err)
	}
	rec.Secret = plain
	return nil
}

// Version implements store.Reader: the version of the view's snapshot.
func (r *reader) Version(ctx context.Context) (int64, error) {
	var v int64
	if err := r.tx.QueryRowContext(ctx, r.s.q.version).Scan(&v); err != nil {
		return 0, fmt.Errorf("read version: %w", err)
	}
	return v, nil
}

// writer implements store.Tx. Its methods may be called from several
// goroutines while fn runs; database/sql serialises the statements.
type writer struct {
	reader
	version int64 // the version records written carry
	wrote   atomic.Bool
}

// Version implements store.Reader for a write transaction: the version the
// configuration had when the transaction began. The transaction's writes
// carry that version plus one.
func (w *writer) Version(context.Context) (int64, error) {
	return w.version - 1, nil
}

// Put implements store.Tx. Empty Props and Secret are stored as none.
func (w *writer) Put(ctx context.Context, rec *store.Record) (created bool, err error) {
	if rec == nil || rec.Kind == "" || rec.ID == "" {
		return false, errors.New("put: record needs a kind and an id")
	}
	name := ref(rec.Kind, rec.Parent, rec.ID)
	parentKey, idKey := key(rec.Parent), key(rec.ID)
	var props, secret any
	if len(rec.Props) > 0 {
		props = string(rec.Props)
	}
	if len(rec.Secret) > 0 {
		secret = w.s.sealer.Seal(rec.Secret, additional(rec.Kind, parentKey, idKey))
	}
	var one int
	err = w.tx.QueryRowContext(ctx, w.s.q.exists, string(rec.Kind), parentKey, idKey).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		created = true
	case err != nil:
		return false, fmt.Errorf("put %s: %w", name, err)
	}
	// Writers are serialised, so the row cannot appear or vanish between
	// the check above and the upsert.
	if _, err := w.tx.ExecContext(ctx, w.s.q.put,
		string(rec.Kind), rec.Parent, parentKey, rec.ID, idKey, props, secret, w.version); err != nil {
		return false, fmt.Errorf("put %s: %w", name, err)
	}
	w.wrote.Store(true)
	rec.Version = w.version
	return created, nil
}

// Delete implements store.Tx. It removes exactly one record; records whose
// parent it is are left alone.
func (w *writer) Delete(ctx context.Context, kind model.Kind, parent, id string) (bool, error) {
	res, err := w.tx.ExecContext(ctx, w.s.q.del, string(kind), key(parent), key(id))
	if err != nil {
		return false, fmt.Errorf("delete %s: %w", ref(kind, parent, id), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("delete %s: %w", ref(kind, parent, id), err)
	}
	if n == 0 {
		return false, nil
	}
	w.wrote.Store(true)
	return true, nil
}
