// Package storetest is the conformance suite for store.Store
// implementations. Each implementation's tests call Run with a function
// that provides a fresh, empty database per subtest.
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Harness gives the suite access to one empty database.
type Harness struct {
	// Open opens a Store on the harness's database that seals secrets with
	// sealer. It is called several times per database: the suite opens
	// stores side by side and reopens the database after closing a store
	// to check persistence. The suite closes every Store it opens; the
	// harness releases the database itself in t.Cleanup.
	Open func(ctx context.Context, sealer *secret.Sealer) (store.Store, error)
	// RawSecret returns the secret column of the record (kind, parent, id)
	// exactly as stored, bypassing any Store, or nil when it is NULL. parent
	// and id are matched case-insensitively, as a Store does. It fails t
	// when the record does not exist. It may be called while stores are open.
	RawSecret func(t *testing.T, kind model.Kind, parent, id string) []byte
}

// Run runs the conformance suite, each case as a subtest with a fresh
// database from newHarness, called with the subtest's t.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	cases := []struct {
		name string
		fn   func(t *testing.T, h Harness)
	}{
		{"PutGetRoundTrip", testPutGet},
		{"CaseInsensitiveIDsKeepFirstCase", testCaseInsensitive},
		{"ListFiltersAndOrders", testList},
		{"DeleteReportsExistence", testDelete},
		{"TxReadsOwnWrites", testTxReadsOwnWrites},
		{"VersionBumpsOncePerWritingUpdate", testVersionBumps},
		{"FailingUpdateWritesNothing", testFailingUpdate},
		{"UpdateHonoursContext", testUpdateContext},
		{"WaitWakesOnCommit", testWait},
		{"WaitHonoursContext", testWaitContext},
		{"ViewIsConsistent", testViewConsistent},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"SurvivesReopen", testReopen},
		{"SecretsEncryptedAtRest", testSecretsAtRest},
		{"ListSealedSecrets", testSealedSecrets},
		{"WrongMasterKeyFails", testWrongKey},
		{"CertificatesSealedAtRest", testCertificates},
		{"ListSince", testListSince},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.fn(t, newHarness(t))
		})
	}
}

// NewSealer returns a Sealer with a random master key.
func NewSealer(t testing.TB) *secret.Sealer {
	t.Helper()
	key := make([]byte, secret.KeySize)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	s, err := secret.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// testContext returns a context that ends with the test, bounded so that a
// hung store fails the test instead of the whole run.
func testContext(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// opened is a Store under test whose Close is tracked, so that cases may
// close it early and the cleanup does not close it twice.
type opened struct {
	store.Store
	once sync.Once
	err  error
}

func (o *opened) Close() error {
	o.once.Do(func() { o.err = o.Store.Close() })
	return o.err
}

// open opens a Store with sealer and closes it at the end of the test.
func open(t *testing.T, h Harness, sealer *secret.Sealer) *opened {
	t.Helper()
	s, err := h.Open(testContext(t), sealer)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	o := &opened{Store: s}
	t.Cleanup(func() {
		if err := o.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return o
}

// rec returns a record with the given props JSON (none when empty).
func rec(kind model.Kind, parent, id, props string) *store.Record {
	r := &store.Record{Kind: kind, Parent: parent, ID: id}
	if props != "" {
		r.Props = json.RawMessage(props)
	}
	return r
}

// put writes records in one Update and returns its version.
func put(t *testing.T, s store.Store, recs ...*store.Record) int64 {
	t.Helper()
	ctx := testContext(t)
	v, err := s.Update(ctx, func(tx store.Tx) error {
		for _, r := range recs {
			if _, err := tx.Put(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	return v
}

// get reads one record in a View.
func get(t *testing.T, s store.Store, kind model.Kind, parent, id string) (*store.Record, error) {
	t.Helper()
	var r *store.Record
	ctx := testContext(t)
	err := s.View(ctx, func(rd store.Reader) error {
		var err error
		r, err = rd.Get(ctx, kind, parent, id)
		return err
	})
	return r, err
}

// mustGet reads one record that must exist.
func mustGet(t *testing.T, s store.Store, kind model.Kind, parent, id string) *store.Record {
	t.Helper()
	r, err := get(t, s, kind, parent, id)
	if err != nil {
		t.Fatalf("get %s %s/%s: %v", kind, parent, id, err)
	}
	return r
}

// list runs a List in a View.
func list(t *testing.T, s store.Store, q store.Query) []*store.Record {
	t.Helper()
	var out []*store.Record
	ctx := testContext(t)
	err := s.View(ctx, func(rd store.Reader) error {
		var err error
		out, err = rd.List(ctx, q)
		return err
	})
	if err != nil {
		t.Fatalf("list %+v: %v", q, err)
	}
	if out == nil {
		t.Fatalf("list %+v: nil slice, want non-nil", q)
	}
	return out
}

// version reads the version in a View.
func version(t *testing.T, s store.Store) int64 {
	t.Helper()
	var v int64
	ctx := testContext(t)
	err := s.View(ctx, func(rd store.Reader) error {
		var err error
		v, err = rd.Version(ctx)
		return err
	})
	if err != nil {
		t.Fatalf("version: %v", err)
	}
	return v
}

// names returns "parent/id" of each record.
func names(recs []*store.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Parent + "/" + r.ID
	}
	return out
}

// sameRecord reports the difference between two records, or "".
func sameRecord(got, want *store.Record) string {
	switch {
	case got.Kind != want.Kind || got.Parent != want.Parent || got.ID != want.ID:
		return "identity " + string(got.Kind) + " " + got.Parent + "/" + got.ID
	case !bytes.Equal(got.Props, want.Props):
		return "props " + string(got.Props)
	case !bytes.Equal(got.Secret, want.Secret):
		return "secret " + string(got.Secret)
	case got.Version != want.Version:
		return "version"
	}
	return ""
}

// errNotFound reports whether err wraps store.ErrNotFound.
func errNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
