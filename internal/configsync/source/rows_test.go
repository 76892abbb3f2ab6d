package source

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/gatehouse/gatehouse/internal/compile"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/snapshot"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/postgres"
)

// TestCachedBuildIsTheFullBuild makes random writes (APIs, operations,
// policies, named values and subscriptions created, changed and deleted; some writes
// rolled back after a build inside their transaction, as the Guard
// builds, some built through CommittedView before they write) and checks after each that a Builder that remembers records
// between builds (records and compiles) builds, byte for byte, what a
// Builder that reads and compiles everything builds, and reports the
// same problems, in committed views and inside transactions, on
// SQLite and on PostgreSQL.
func TestCachedBuildIsTheFullBuild(t *testing.T) {
	stores := map[string]func(t *testing.T) store.Store{
		"sqlite":   func(t *testing.T) store.Store { return openStore(t) },
		"postgres": openPostgres,
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			rnd := mrand.New(mrand.NewPCG(17, 42))
			cached := &Builder{Policies: builtin.NewRegistry()}
			plain := &Builder{Policies: builtin.NewRegistry(), MaxCachedSubscriptions: -1}
			// guard builds only in transactions, as the Guard does: now
			// and then through CommittedView before a write, else
			// after the write's own changes.
			guard := &Builder{Policies: builtin.NewRegistry()}
			for round := range 300 {
				ctx := context.Background()
				rollback := rnd.IntN(4) == 0
				refused := errors.New("rolled back")
				_, err := st.Update(ctx, func(tx store.Tx) error {
					if rnd.IntN(3) == 0 { // as the Guard checks what a write starts from
						compareBuilds(t, fmt.Sprintf("round %d, before the transaction writes", round), CommittedView(tx), cached, plain)
					}
					if rnd.IntN(6) == 0 {
						if err := guard.Refresh(ctx, CommittedView(tx)); err != nil {
							return err
						}
					}
					for range 1 + rnd.IntN(4) {
						if err := randomWrite(ctx, tx, rnd); err != nil {
							return err
						}
					}
					if rnd.IntN(2) == 0 {
						compareBuilds(t, fmt.Sprintf("round %d, in the transaction", round), tx, cached, plain)
					}
					compareBuilds(t, fmt.Sprintf("round %d, the guard's build in the transaction", round), tx, guard, plain)
					if rollback {
						return refused
					}
					return nil
				})
				if err != nil && !errors.Is(err, refused) {
					t.Fatal(err)
				}
				err = st.View(ctx, func(r store.Reader) error {
					compareBuilds(t, fmt.Sprintf("round %d", round), r, cached, plain)
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// compareBuilds fails t when cached and plain build different snapshots
// from r.
func compareBuilds(t *testing.T, step string, r store.Reader, cached, plain *Builder) {
	t.Helper()
	build := func(b *Builder) []byte {
		t.Helper()
		s, report, err := b.BuildReport(context.Background(), r, model.ManagedGatewayID)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		out, err := json.Marshal(struct {
			S *snapshot.Snapshot
			R []compile.Diagnostic
		}{s, report.Diagnostics})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got, want := build(cached), build(plain); !bytes.Equal(got, want) {
		t.Fatalf("%s: the cached build differs from the full one:\n%s\nwant\n%s", step, got, want)
	}
}

// randomWrite makes one random write of an API, operation, policy or
// subscription among a few of each, so that writes often hit records
// that exist.
func randomWrite(ctx context.Context, tx store.Tx, rnd *mrand.Rand) error {
	put := func(kind model.Kind, parent, id string, props, secret any) error {
		rec := &store.Record{Kind: kind, Parent: parent, ID: id}
		rec.Props, _ = json.Marshal(props)
		if secret != nil {
			rec.Secret, _ = json.Marshal(secret)
		}
		_, err := tx.Put(ctx, rec)
		return err
	}
	del := func(kind model.Kind, parent, id string) error {
		_, err := tx.Delete(ctx, kind, parent, id)
		return err
	}
	api := fmt.Sprintf("api-%d", rnd.IntN(6))
	if rnd.IntN(4) == 0 {
		api = fmt.Sprintf("API-%d", rnd.IntN(6)) // ids ignore case
	}
	op := fmt.Sprintf("op-%d", rnd.IntN(5))
	sub := fmt.Sprintf("sub-%d", rnd.IntN(30))
	n := rnd.IntN(1000)
	nv := fmt.Sprintf("nv-%d", rnd.IntN(4))
	switch rnd.IntN(12) {
	case 9:
		return put(model.KindNamedValue, "", nv, &model.NamedValue{DisplayName: nv, Value: fmt.Sprintf("v%d", n)}, nil)
	case 10:
		return del(model.KindNamedValue, "", nv)
	case 11: // an API policy that uses a named value, which may not exist
		return put(model.KindPolicy, "apis/"+api, model.PolicyID, &model.Policy{Format: "rawxml", Value: `<policies><inbound><base />` +
			`<set-header name="x-nv" exists-action="override"><value>{{` + nv + `}}</value></set-header></inbound></policies>`}, nil)
	case 0:
		return put(model.KindAPI, "", api, &model.API{DisplayName: fmt.Sprintf("A%d", n), Path: api, ServiceURL: "http://backend/" + api}, nil)
	case 1:
		return del(model.KindAPI, "", api)
	case 2, 3:
		return put(model.KindOperation, api, op, &model.Operation{DisplayName: fmt.Sprintf("O%d", n), Method: "GET",
			URLTemplate: fmt.Sprintf("/r-%d/{id}", n)}, nil)
	case 4:
		return del(model.KindOperation, api, op)
	case 5:
		return put(model.KindPolicy, "apis/"+api+"/operations/"+op, model.PolicyID, &model.Policy{Format: "rawxml", Value: fmt.Sprintf(
			`<policies><inbound><base /><set-header name="x-n" exists-action="override"><value>%d</value></set-header></inbound></policies>`, n)}, nil)
	case 6, 7:
		scope := "/apis"
		if rnd.IntN(2) == 0 {
			scope = "/apis/" + api
		}
		return put(model.KindSubscription, "", sub, &model.Subscription{DisplayName: fmt.Sprintf("S%d", n), Scope: scope, State: "active"},
			&model.SubscriptionKeys{PrimaryKey: fmt.Sprintf("p-%d", n), SecondaryKey: fmt.Sprintf("s-%d", n)})
	default:
		return del(model.KindSubscription, "", sub)
	}
}

// openPostgres opens a PostgreSQL store in a schema of its own, dropped
// when the test ends; it skips the test (fails it when
// GATEHOUSE_REQUIRE_SERVICES=1) when GATEHOUSE_TEST_POSTGRES is not set.
func openPostgres(t *testing.T) store.Store {
	t.Helper()
	base := os.Getenv("GATEHOUSE_TEST_POSTGRES")
	if base == "" {
		const hint = "set GATEHOUSE_TEST_POSTGRES=postgres://... to run this test on PostgreSQL"
		if os.Getenv("GATEHOUSE_REQUIRE_SERVICES") == "1" {
			t.Fatal(hint)
		}
		t.Skip(hint)
	}
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	schema := "gh_source_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	if _, err := admin.ExecContext(t.Context(), `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	sealer, err := secret.NewSealer(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	st, err := postgres.Open(t.Context(), u.String(), sealer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestRolledBackWriteHidesNothing: a write transaction that overwrites
// a record committed since the Builder last moved its memory, builds,
// and is rolled back, leaves the Builder remembering neither its record
// nor the older one: the next write's build sees the committed record.
func TestRolledBackWriteHidesNothing(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	guard := &Builder{Policies: builtin.NewRegistry()}
	plain := &Builder{Policies: builtin.NewRegistry(), MaxCachedSubscriptions: -1}
	sub := func(tx store.Tx, name string) error {
		rec := &store.Record{Kind: model.KindSubscription, ID: "sub-1"}
		rec.Props, _ = json.Marshal(&model.Subscription{Scope: "/apis", State: "active", DisplayName: name})
		rec.Secret, _ = json.Marshal(&model.SubscriptionKeys{PrimaryKey: name})
		_, err := tx.Put(ctx, rec)
		return err
	}
	update := func(fn func(tx store.Tx) error) error {
		_, err := st.Update(ctx, fn)
		return err
	}
	if err := update(func(tx store.Tx) error { return sub(tx, "a") }); err != nil {
		t.Fatal(err)
	}
	if err := update(func(tx store.Tx) error { return guard.Refresh(ctx, CommittedView(tx)) }); err != nil {
		t.Fatal(err)
	}
	if err := update(func(tx store.Tx) error { return sub(tx, "b") }); err != nil {
		t.Fatal(err)
	}
	refused := errors.New("rolled back")
	err := update(func(tx store.Tx) error {
		if err := sub(tx, "c"); err != nil {
			return err
		}
		compareBuilds(t, "the write that is rolled back", tx, guard, plain)
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatal(err)
	}
	err = update(func(tx store.Tx) error {
		rec := &store.Record{Kind: model.KindAPI, ID: "a", Props: json.RawMessage(`{"displayName":"a","path":"a","serviceUrl":"http://b"}`)}
		if _, err := tx.Put(ctx, rec); err != nil {
			return err
		}
		compareBuilds(t, "the next write", tx, guard, plain)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
