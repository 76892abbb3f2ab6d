package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"go.uber.org/goleak"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/postgres"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

const (
	envURL      = "GATEHOUSE_TEST_POSTGRES"
	envRequired = "GATEHOUSE_REQUIRE_SERVICES"
	hint        = "set " + envURL + "=postgres://... to run the PostgreSQL conformance suite"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// serverURL returns the test server's URL, or skips (fails when services
// are required) the test when none is configured.
func serverURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv(envURL)
	if u == "" {
		if os.Getenv(envRequired) == "1" {
			t.Fatal(hint)
		}
		t.Skip(hint)
	}
	return u
}

// newSchema creates an empty schema, dropped when the test ends, and
// returns the server URL with search_path set to it.
func newSchema(t *testing.T) (schemaURL string) {
	t.Helper()
	base := serverURL(t)
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	schema := "gh_test_" + hex.EncodeToString(b)

	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	if _, err := admin.ExecContext(t.Context(), `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema (is %s right?): %v", envURL, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})

	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s must be a postgres:// URL: %q", envURL, base)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// open opens a Store on schemaURL and closes it when the test ends.
func open(t *testing.T, schemaURL string, sealer *secret.Sealer) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), schemaURL, sealer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	serverURL(t)
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		schemaURL := newSchema(t)
		return storetest.Harness{
			Open: func(ctx context.Context, sealer *secret.Sealer) (store.Store, error) {
				return postgres.Open(ctx, schemaURL, sealer)
			},
			RawSecret: func(t *testing.T, kind model.Kind, parent, id string) []byte {
				return rawSecret(t, schemaURL, kind, parent, id)
			},
		}
	})
}

// rawSecret reads the secret column through a connection of its own.
func rawSecret(t *testing.T, schemaURL string, kind model.Kind, parent, id string) []byte {
	t.Helper()
	db, err := sql.Open("pgx", schemaURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var secret []byte
	err = db.QueryRowContext(t.Context(),
		`SELECT secret FROM resources WHERE kind = $1 AND parent_key = $2 AND id_key = $3`,
		string(kind), strings.ToLower(parent), strings.ToLower(id)).Scan(&secret)
	if err != nil {
		t.Fatalf("raw secret of %s %s/%s: %v", kind, parent, id, err)
	}
	return secret
}

// TestWaitSeesOtherStores checks the LISTEN/NOTIFY path: a commit through
// one Store wakes Wait on another Store on the same schema, and commits in
// another schema of the same database wake nobody.
func TestWaitSeesOtherStores(t *testing.T) {
	schemaURL := newSchema(t)
	sealer := storetest.NewSealer(t)
	a := open(t, schemaURL, sealer)
	b := open(t, schemaURL, sealer)
	other := open(t, newSchema(t), sealer)

	put := func(s store.Store, id string) int64 {
		t.Helper()
		v, err := s.Update(t.Context(), func(tx store.Tx) error {
			_, err := tx.Put(t.Context(), &store.Record{Kind: model.KindAPI, ID: id})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	wait := func(s store.Store, after int64, d time.Duration) (int64, error) {
		ctx, cancel := context.WithTimeout(t.Context(), d)
		defer cancel()
		return s.Wait(ctx, after)
	}

	// Writes in another schema go to the same channel; they must not
	// advance this schema's version.
	for i := range 3 {
		put(other, "x"+string(rune('a'+i)))
	}
	if v, err := wait(b, 0, 300*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) || v != 0 {
		t.Fatalf("b.Wait(0) after commits in another schema = %d, %v; want 0, deadline exceeded", v, err)
	}

	for want := int64(1); want <= 3; want++ {
		done := make(chan struct{})
		var got int64
		var err error
		go func() {
			defer close(done)
			got, err = wait(b, want-1, 10*time.Second)
		}()
		if v := put(a, "api"+string(rune('0'+want))); v != want {
			t.Fatalf("a.Update = %d, want %d", v, want)
		}
		<-done
		if err != nil || got != want {
			t.Fatalf("b.Wait(%d) = %d, %v; want %d", want-1, got, err, want)
		}
	}
	// And the other way round.
	v := put(b, "from-b")
	if got, err := wait(a, v-1, 10*time.Second); err != nil || got != v {
		t.Fatalf("a.Wait(%d) = %d, %v; want %d", v-1, got, err, v)
	}
}

// TestConcurrentOpenMigratesOnce opens several stores on a fresh schema at
// once; the migration lock must let exactly one create the tables.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	schemaURL := newSchema(t)
	sealer := storetest.NewSealer(t)
	const n = 4
	errs := make(chan error, n)
	stores := make(chan *postgres.Store, n)
	for range n {
		go func() {
			s, err := postgres.Open(t.Context(), schemaURL, sealer)
			errs <- err
			stores <- s
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
		if s := <-stores; s != nil {
			if err := s.Close(); err != nil {
				t.Error(err)
			}
		}
	}
}

func TestOpenBadURL(t *testing.T) {
	_, err := postgres.Open(t.Context(), "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", storetest.NewSealer(t))
	if err == nil {
		t.Fatal("Open of an unreachable server succeeded")
	}
}

// TestListenerReconnects kills every server connection of one Store; its
// listener must reconnect and catch up with the commits it missed.
func TestListenerReconnects(t *testing.T) {
	schemaURL := newSchema(t)
	u, err := url.Parse(schemaURL)
	if err != nil {
		t.Fatal(err)
	}
	app := u.Query().Get("search_path") + "_b"
	q := u.Query()
	q.Set("application_name", app)
	u.RawQuery = q.Encode()

	sealer := storetest.NewSealer(t)
	a := open(t, schemaURL, sealer)
	b := open(t, u.String(), sealer)

	admin, err := sql.Open("pgx", serverURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var killed int
	if err := admin.QueryRowContext(t.Context(),
		`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&killed); err != nil {
		t.Fatal(err)
	}
	if killed == 0 {
		t.Fatal("found no connection of store b to terminate")
	}

	// Commit while b's listener is down or reconnecting.
	v, err := a.Update(t.Context(), func(tx store.Tx) error {
		_, err := tx.Put(t.Context(), &store.Record{Kind: model.KindAPI, ID: "while-down"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	if got, err := b.Wait(ctx, v-1); err != nil || got != v {
		t.Fatalf("b.Wait(%d) after its connections were killed = %d, %v; want %d", v-1, got, err, v)
	}

	// And it keeps listening afterwards.
	v, err = a.Update(t.Context(), func(tx store.Tx) error {
		_, err := tx.Put(t.Context(), &store.Record{Kind: model.KindAPI, ID: "after"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := b.Wait(ctx, v-1); err != nil || got != v {
		t.Fatalf("b.Wait(%d) after reconnecting = %d, %v; want %d", v-1, got, err, v)
	}
}
