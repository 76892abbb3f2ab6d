package storetest

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

func testPutGet(t *testing.T, h Harness) {
	ctx := testContext(t)
	s := open(t, h, NewSealer(t))

	want := &store.Record{
		Kind:   model.KindAPI,
		ID:     "echo",
		Props:  json.RawMessage(`{"path":"echo","displayName":"Echo"}`),
		Secret: []byte("not really a secret"),
	}
	var created bool
	v, err := s.Update(ctx, func(tx store.Tx) error {
		var err error
		created, err = tx.Put(ctx, want)
		return err
	})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if !created {
		t.Error("first Put: created = false, want true")
	}
	if v <= 0 || want.Version != v {
		t.Errorf("Update returned version %d and set rec.Version %d; want equal and positive", v, want.Version)
	}
	if d := sameRecord(mustGet(t, s, model.KindAPI, "", "echo"), want); d != "" {
		t.Errorf("Get after Put: %s differs", d)
	}

	// A link: a parent, no props, no secret.
	link := rec(model.KindProductAPI, "starter", "echo", "")
	put(t, s, link)
	got := mustGet(t, s, model.KindProductAPI, "starter", "echo")
	if d := sameRecord(got, link); d != "" {
		t.Errorf("Get link: %s differs", d)
	}
	if got.Props != nil || got.Secret != nil {
		t.Errorf("Get link: props %q, secret %q; want nil", got.Props, got.Secret)
	}

	// Replacing drops the secret and takes the new props.
	replaced := rec(model.KindAPI, "", "echo", `{"path":"echo2"}`)
	v2, err := s.Update(ctx, func(tx store.Tx) error {
		var err error
		created, err = tx.Put(ctx, replaced)
		return err
	})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if created {
		t.Error("second Put: created = true, want false")
	}
	if replaced.Version != v2 {
		t.Errorf("replaced.Version = %d, want %d", replaced.Version, v2)
	}
	if d := sameRecord(mustGet(t, s, model.KindAPI, "", "echo"), replaced); d != "" {
		t.Errorf("Get after replace: %s differs", d)
	}

	for _, miss := range []struct {
		kind       model.Kind
		parent, id string
	}{
		{model.KindAPI, "", "missing"},
		{model.KindProduct, "", "echo"},      // other kind
		{model.KindAPI, "starter", "echo"},   // other parent
		{model.KindProductAPI, "", "echo"},   // parent missing
		{model.KindProductAPI, "other", "x"}, // nothing there
	} {
		r, err := get(t, s, miss.kind, miss.parent, miss.id)
		if !errNotFound(err) {
			t.Errorf("Get %s %s/%s = %v, %v; want an error wrapping store.ErrNotFound", miss.kind, miss.parent, miss.id, r, err)
		}
	}
}

func testCaseInsensitive(t *testing.T, h Harness) {
	ctx := testContext(t)
	s := open(t, h, NewSealer(t))

	put(t, s, rec(model.KindAPI, "", "MyAPI", `{"n":1}`))
	again := rec(model.KindAPI, "", "myapi", `{"n":2}`)
	again.Secret = []byte("s1")
	var created bool
	if _, err := s.Update(ctx, func(tx store.Tx) error {
		var err error
		created, err = tx.Put(ctx, again)
		return err
	}); err != nil {
		t.Fatalf("update: %v", err)
	}
	if created {
		t.Error("Put of an id differing only in case: created = true, want false")
	}
	got := mustGet(t, s, model.KindAPI, "", "MYAPI")
	if got.ID != "MyAPI" || string(got.Props) != `{"n":2}` || string(got.Secret) != "s1" {
		t.Errorf("Get MYAPI = id %q props %s secret %q; want id MyAPI (first case), props {\"n\":2}, secret s1", got.ID, got.Props, got.Secret)
	}

	put(t, s, rec(model.KindOperation, "MyAPI", "GetThing", `{"m":1}`))
	put(t, s, rec(model.KindOperation, "MYAPI", "GETTHING", `{"m":2}`))
	got = mustGet(t, s, model.KindOperation, "myapi", "getthing")
	if got.Parent != "MyAPI" || got.ID != "GetThing" || string(got.Props) != `{"m":2}` {
		t.Errorf("Get operation = %s/%s %s; want MyAPI/GetThing {\"m\":2}", got.Parent, got.ID, got.Props)
	}
	if n := names(list(t, s, store.Query{Kind: model.KindOperation, Parent: "mYaPi", ID: "gEtThInG"})); !slices.Equal(n, []string{"MyAPI/GetThing"}) {
		t.Errorf("List operations of mYaPi = %q, want [MyAPI/GetThing]", n)
	}
	if n := len(list(t, s, store.Query{Kind: model.KindAPI})); n != 1 {
		t.Errorf("List apis: %d records, want 1", n)
	}
}

func testList(t *testing.T, h Harness) {
	s := open(t, h, NewSealer(t))
	put(t, s,
		rec(model.KindAPI, "", "c", `{}`),
		rec(model.KindAPI, "", "B", `{}`),
		rec(model.KindAPI, "", "a", `{}`),
		rec(model.KindOperation, "api-1", "op-b", `{}`),
		rec(model.KindOperation, "api-1", "OP-A", `{}`),
		rec(model.KindOperation, "API-0", "op-z", `{}`),
		rec(model.KindProductAPI, "p2", "api-1", ""),
		rec(model.KindProductAPI, "p1", "API-1", ""),
		rec(model.KindProductAPI, "p2", "API-0", ""),
	)
	for _, c := range []struct {
		q    store.Query
		want []string
	}{
		{store.Query{Kind: model.KindAPI}, []string{"/a", "/B", "/c"}},
		{store.Query{Kind: model.KindOperation}, []string{"API-0/op-z", "api-1/OP-A", "api-1/op-b"}},
		{store.Query{Kind: model.KindOperation, Parent: "API-1"}, []string{"api-1/OP-A", "api-1/op-b"}},
		{store.Query{Kind: model.KindOperation, ID: "op-a"}, []string{"api-1/OP-A"}},
		{store.Query{Kind: model.KindProductAPI}, []string{"p1/API-1", "p2/API-0", "p2/api-1"}},
		{store.Query{Kind: model.KindProductAPI, ID: "api-1"}, []string{"p1/API-1", "p2/api-1"}},
		{store.Query{Kind: model.KindProductAPI, Parent: "P2", ID: "api-0"}, []string{"p2/API-0"}},
		{store.Query{Kind: model.KindProductAPI, Parent: "p3"}, []string{}},
		{store.Query{Kind: model.KindAPI, Parent: "a"}, []string{}},
		{store.Query{Kind: model.KindUser}, []string{}},
		{store.Query{Kind: model.KindOperation, Limit: 2}, []string{"API-0/op-z", "api-1/OP-A"}},
		{store.Query{Kind: model.KindOperation, Offset: 1, Limit: 1}, []string{"api-1/OP-A"}},
		{store.Query{Kind: model.KindOperation, Offset: 1}, []string{"api-1/OP-A", "api-1/op-b"}},
		{store.Query{Kind: model.KindOperation, Parent: "api-1", Offset: 1, Limit: 5}, []string{"api-1/op-b"}},
		{store.Query{Kind: model.KindOperation, Offset: 3, Limit: 5}, []string{}},
	} {
		recs := list(t, s, c.q)
		if got := names(recs); !slices.Equal(got, c.want) {
			t.Errorf("List %+v = %q, want %q", c.q, got, c.want)
		}
		for _, r := range recs {
			if r.Kind != c.q.Kind || r.Version <= 0 {
				t.Errorf("List %+v: record %s %s/%s version %d", c.q, r.Kind, r.Parent, r.ID, r.Version)
			}
		}
		c.q.Offset, c.q.Limit = 7, 1 // Count ignores them
		var n int
		err := s.View(testContext(t), func(r store.Reader) error {
			var err error
			n, err = r.Count(testContext(t), c.q)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if c.q.Offset, c.q.Limit = 0, 0; n != len(list(t, s, c.q)) {
			t.Errorf("Count %+v = %d, want %d", c.q, n, len(list(t, s, c.q)))
		}
	}
}

func testDelete(t *testing.T, h Harness) {
	ctx := testContext(t)
	s := open(t, h, NewSealer(t))
	v := put(t, s, rec(model.KindAPI, "", "Echo", `{}`), rec(model.KindOperation, "Echo", "get", `{}`))

	del := func(kind model.Kind, parent, id string) (bool, int64) {
		t.Helper()
		var deleted bool
		v, err := s.Update(ctx, func(tx store.Tx) error {
			var err error
			deleted, err = tx.Delete(ctx, kind, parent, id)
			return err
		})
		if err != nil {
			t.Fatalf("delete %s %s/%s: %v", kind, parent, id, err)
		}
		return deleted, v
	}
	if ok, got := del(model.KindOperation, "other", "get"); ok || got != v {
		t.Errorf("Delete under another parent = %v at version %d; want false at %d", ok, got, v)
	}
	if ok, got := del(model.KindAPI, "", "ECHO"); !ok || got != v+1 {
		t.Errorf("Delete existing = %v at version %d; want true at %d", ok, got, v+1)
	}
	if _, err := get(t, s, model.KindAPI, "", "echo"); !errNotFound(err) {
		t.Errorf("Get after Delete: %v, want not found", err)
	}
	if ok, got := del(model.KindAPI, "", "echo"); ok || got != v+1 {
		t.Errorf("Delete missing = %v at version %d; want false at %d (no bump)", ok, got, v+1)
	}
	if ok, _ := del(model.KindOperation, "echo", "GET"); !ok {
		t.Error("Delete operation = false, want true")
	}
}

func testTxReadsOwnWrites(t *testing.T, h Harness) {
	ctx := testContext(t)
	s := open(t, h, NewSealer(t))
	base := put(t, s, rec(model.KindAPI, "", "old", `{}`))

	v, err := s.Update(ctx, func(tx store.Tx) error {
		r := rec(model.KindAPI, "", "new", `{"x":1}`)
		r.Secret = []byte("k")
		if _, err := tx.Put(ctx, r); err != nil {
			return err
		}
		got, err := tx.Get(ctx, model.KindAPI, "", "NEW")
		if err != nil {
			t.Errorf("Get own write: %v", err)
		} else if d := sameRecord(got, r); d != "" {
			t.Errorf("Get own write: %s differs", d)
		}
		if _, err := tx.Delete(ctx, model.KindAPI, "", "old"); err != nil {
			return err
		}
		if _, err := tx.Get(ctx, model.KindAPI, "", "old"); !errNotFound(err) {
			t.Errorf("Get own delete: %v, want not found", err)
		}
		recs, err := tx.List(ctx, store.Query{Kind: model.KindAPI})
		if err != nil {
			return err
		}
		if n := names(recs); !slices.Equal(n, []string{"/new"}) {
			t.Errorf("List in tx = %q, want [/new]", n)
		}
		// A transaction's view is the version it started from; its writes
		// carry the next one.
		if tv, err := tx.Version(ctx); err != nil || tv != base {
			t.Errorf("Tx.Version = %d, %v; want %d", tv, err, base)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if v != base+1 {
		t.Errorf("Update = %d, want %d", v, base+1)
	}
}
