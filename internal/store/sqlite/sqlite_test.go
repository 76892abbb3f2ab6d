package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		path := filepath.Join(t.TempDir(), "config.db")
		return storetest.Harness{
			Open: func(ctx context.Context, sealer *secret.Sealer) (store.Store, error) {
				return sqlite.Open(ctx, path, sealer)
			},
			RawSecret: func(t *testing.T, kind model.Kind, parent, id string) []byte {
				return rawSecret(t, path, kind, parent, id)
			},
		}
	})
}

// rawSecret reads the secret column through a connection of its own.
func rawSecret(t *testing.T, path string, kind model.Kind, parent, id string) []byte {
	t.Helper()
	db, err := sql.Open("sqlite", sqlite.DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var secret []byte
	err = db.QueryRowContext(t.Context(),
		`SELECT secret FROM resources WHERE kind = ? AND parent_key = ? AND id_key = ?`,
		string(kind), strings.ToLower(parent), strings.ToLower(id)).Scan(&secret)
	if err != nil {
		t.Fatalf("raw secret of %s %s/%s: %v", kind, parent, id, err)
	}
	return secret
}

func TestOpenCreatesPrivateDirectoryAndFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "nested", "config.db")
	s, err := sqlite.Open(t.Context(), path, storetest.NewSealer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for p, want := range map[string]os.FileMode{filepath.Dir(path): 0o700 | os.ModeDir, path: 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", p, fi.Mode(), want)
		}
	}
	var mode string
	db, err := sql.Open("sqlite", sqlite.DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRowContext(t.Context(), `PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
}

func TestOpenPathWithSpecialCharacters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a dir?x=1#frag", "config.db")
	s, err := sqlite.Open(t.Context(), path, storetest.NewSealer(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at %s: %v", path, err)
	}
}

func TestOpenRequiresSealer(t *testing.T) {
	_, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "config.db"), nil)
	if err == nil {
		t.Fatal("Open without a sealer succeeded")
	}
}

func TestOpenRejectsNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.db")
	s, err := sqlite.Open(t.Context(), path, storetest.NewSealer(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", sqlite.DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(t.Context(), `INSERT INTO schema_migrations (version, name) VALUES (99, 'from the future')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = sqlite.Open(t.Context(), path, storetest.NewSealer(t))
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open of a database from a newer version = %v, want an error", err)
	}
	if errors.Is(err, store.ErrNotFound) {
		t.Error("unexpected ErrNotFound")
	}
}

// TestTwoStoresOnOneFile stands in for two processes sharing a database
// file: their concurrent writers must be serialised by SQLite's lock (with
// the busy timeout) without losing updates or failing with SQLITE_BUSY.
func TestTwoStoresOnOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.db")
	sealer := storetest.NewSealer(t)
	var stores [2]*sqlstore.Store
	for i := range stores {
		s, err := sqlite.Open(t.Context(), path, sealer)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	const perStore = 25
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range perStore {
				_, err := s.Update(t.Context(), func(tx store.Tx) error {
					// Read first, so that a deferred transaction would have
					// to upgrade its lock.
					if _, err := tx.List(t.Context(), store.Query{Kind: model.KindAPI}); err != nil {
						return err
					}
					_, err := tx.Put(t.Context(), &store.Record{Kind: model.KindAPI, ID: fmt.Sprintf("s%d-%d", i, j)})
					return err
				})
				if err != nil {
					t.Errorf("store %d update %d: %v", i, j, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	err := stores[0].View(t.Context(), func(r store.Reader) error {
		v, err := r.Version(t.Context())
		if err != nil {
			return err
		}
		recs, err := r.List(t.Context(), store.Query{Kind: model.KindAPI})
		if err != nil {
			return err
		}
		if v != 2*perStore || len(recs) != 2*perStore {
			t.Errorf("version %d with %d records, want %d of each", v, len(recs), 2*perStore)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
