package store

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/gatehouse/gatehouse/internal/model"
)

// ErrNotFound is returned (wrapped) when a resource does not exist.
var ErrNotFound = errors.New("not found")

// ErrFull is returned (wrapped) by a write the database could not make
// because its disk is full. Nothing of the write was stored.
var ErrFull = errors.New("the store's disk is full")

// A Record is one stored resource or link.
type Record struct {
	Kind model.Kind
	// Parent is the id of the enclosing resource: the API of an operation,
	// the first end of a link. Empty for top-level resources.
	Parent string
	// ID is the resource id as first written; lookups ignore its case.
	ID string
	// Props is the resource's "properties" JSON; nil for links.
	Props json.RawMessage
	// Secret holds write-only data (keys, secret values, password hashes).
	// It is plaintext in memory and encrypted at rest. Nil when none.
	Secret []byte
	// Sealed is the secret as stored (sealed, in a store that seals), set
	// only by a List with Query.AlsoSealed.
	Sealed []byte
	// Version is the configuration version of the record's last write. The
	// store sets it on Put.
	Version int64
}

// ETag returns the record's entity tag, quoted as in an HTTP header.
func (r *Record) ETag() string { return `"` + strconv.FormatInt(r.Version, 10) + `"` }

// Query selects records of one kind. Empty Parent or ID match any value;
// matching ignores case.
type Query struct {
	Kind   model.Kind
	Parent string
	ID     string
	// Offset skips that many records of the ordered result, and Limit,
	// when positive, returns at most that many: a page.
	Offset, Limit int
	// SealedSecrets asks List for each record's secret as stored, not
	// opened: Secret then holds the sealed bytes (the plaintext in a store
	// that does not seal), which change whenever the secret is written,
	// enough to tell whether a secret changed without decrypting it but
	// not to read it. Get always opens secrets.
	SealedSecrets bool
	// AlsoSealed asks List to open each secret as usual and to set the
	// record's Sealed too: what a later List with SealedSecrets returns
	// in Secret while the secret is not written again.
	AlsoSealed bool
	// Since, when positive, selects only the records whose Version is
	// greater: those written after configuration version Since (deleted
	// records are not returned; Count tells how many remain). It lets a
	// reader that remembers the records as of a version read what
	// changed since without reading every record again.
	Since int64
}

// Reader reads a consistent view of the configuration.
type Reader interface {
	// Get returns one record, or an error wrapping ErrNotFound.
	Get(ctx context.Context, kind model.Kind, parent, id string) (*Record, error)
	// List returns the matching records ordered by parent, then id
	// (case-insensitively). The result is never nil on success.
	List(ctx context.Context, q Query) ([]*Record, error)
	// Count returns how many records match q (its Offset and Limit
	// aside).
	Count(ctx context.Context, q Query) (int, error)
	// Version returns the configuration version this view sees.
	Version(ctx context.Context) (int64, error)
}

// Tx is a write transaction. Writes are invisible to others until the
// transaction commits, and all of them carry the same new version.
type Tx interface {
	Reader
	// Put creates or replaces rec (matched by kind, parent and id, ignoring
	// case; an existing record keeps the case of its first id). It sets
	// rec.Version and reports whether the record was created.
	Put(ctx context.Context, rec *Record) (created bool, err error)
	// Delete removes one record and reports whether it existed.
	Delete(ctx context.Context, kind model.Kind, parent, id string) (deleted bool, err error)
}

// Store is a transactional configuration store. Implementations are safe
// for concurrent use.
type Store interface {
	// View calls fn with a read-only view.
	View(ctx context.Context, fn func(Reader) error) error
	// Update calls fn in a write transaction, serialised with every other
	// Update. When fn returns an error the transaction is rolled back and
	// the error returned unchanged. When fn wrote anything the configuration
	// version is bumped by one, the new version returned, and waiters woken
	// after the commit; otherwise the current version is returned.
	Update(ctx context.Context, fn func(Tx) error) (version int64, err error)
	// Wait blocks until the configuration version is greater than after,
	// or ctx is done, and returns the current version.
	Wait(ctx context.Context, after int64) (int64, error)
	// Close releases the store's connections and background work.
	Close() error
}
