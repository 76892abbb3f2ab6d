package storetest

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

func testReopen(t *testing.T, h Harness) {
	ctx := testContext(t)
	sealer := NewSealer(t)

	s1 := open(t, h, sealer)
	api := rec(model.KindAPI, "", "Echo", `{"path":"echo"}`)
	sub := rec(model.KindSubscription, "", "sub1", `{"state":"active"}`)
	sub.Secret = []byte("primary-key")
	op := rec(model.KindOperation, "Echo", "get", `{}`)
	put(t, s1, api, sub, op)
	v, err := s1.Update(ctx, func(tx store.Tx) error {
		_, err := tx.Delete(ctx, model.KindOperation, "echo", "get")
		return err
	})
	if err != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := s1.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	s2 := open(t, h, sealer)
	if got := version(t, s2); got != v {
		t.Errorf("version after reopening = %d, want %d", got, v)
	}
	if got, err := s2.Wait(ctx, v-1); err != nil || got != v {
		t.Errorf("Wait(%d) after reopening = %d, %v; want %d at once", v-1, got, err, v)
	}
	for _, want := range []*store.Record{api, sub} {
		if d := sameRecord(mustGet(t, s2, want.Kind, want.Parent, want.ID), want); d != "" {
			t.Errorf("%s %s after reopening: %s differs", want.Kind, want.ID, d)
		}
	}
	if _, err := get(t, s2, model.KindOperation, "Echo", "get"); !errNotFound(err) {
		t.Errorf("deleted record after reopening: %v, want not found", err)
	}
	v2 := put(t, s2, rec(model.KindAPI, "", "more", `{}`))
	if v2 != v+1 {
		t.Errorf("first Update after reopening = %d, want %d", v2, v+1)
	}
	if err := s2.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	// Opening again applies no migration twice and keeps everything.
	s3 := open(t, h, sealer)
	if got := version(t, s3); got != v2 {
		t.Errorf("version after the second reopening = %d, want %d", got, v2)
	}
	if n := len(list(t, s3, store.Query{Kind: model.KindAPI})); n != 2 {
		t.Errorf("%d apis after the second reopening, want 2", n)
	}
}

func testSecretsAtRest(t *testing.T, h Harness) {
	s := open(t, h, NewSealer(t))

	plain := []byte("sk_live_" + strings.Repeat("Zq9", 8))
	a := rec(model.KindSubscription, "", "Sub-A", `{"state":"active"}`)
	a.Secret = plain
	b := rec(model.KindSubscription, "", "sub-b", `{"state":"active"}`)
	b.Secret = bytes.Clone(plain)
	none := rec(model.KindSubscription, "", "sub-c", `{"state":"active"}`)
	put(t, s, a, b, none)

	rawA := h.RawSecret(t, model.KindSubscription, "", "sub-a")
	rawB := h.RawSecret(t, model.KindSubscription, "", "SUB-B")
	for name, raw := range map[string][]byte{"Sub-A": rawA, "sub-b": rawB} {
		if len(raw) == 0 {
			t.Errorf("%s: no secret stored", name)
		}
		if bytes.Contains(raw, plain) || bytes.Contains(raw, plain[:12]) {
			t.Errorf("%s: stored secret contains the plaintext: %q", name, raw)
		}
	}
	if bytes.Equal(rawA, rawB) {
		t.Error("equal secrets are stored as equal bytes; want distinct ciphertexts")
	}
	if raw := h.RawSecret(t, model.KindSubscription, "", "sub-c"); raw != nil {
		t.Errorf("record without a secret stores %q, want NULL", raw)
	}

	if got := mustGet(t, s, model.KindSubscription, "", "SUB-A"); !bytes.Equal(got.Secret, plain) {
		t.Errorf("Get decrypted %q, want %q", got.Secret, plain)
	}
	recs := list(t, s, store.Query{Kind: model.KindSubscription})
	if len(recs) != 3 || !bytes.Equal(recs[0].Secret, plain) || !bytes.Equal(recs[1].Secret, plain) || recs[2].Secret != nil {
		t.Errorf("List secrets wrong: %d records", len(recs))
	}

	// The Record given to Put is the caller's: Put must not seal it in place.
	if !bytes.Equal(a.Secret, plain) {
		t.Errorf("Put changed the caller's secret to %q", a.Secret)
	}
}

func testWrongKey(t *testing.T, h Harness) {
	ctx := testContext(t)
	right := NewSealer(t)
	s1 := open(t, h, right)
	sub := rec(model.KindSubscription, "", "sub-secret", `{"state":"active"}`)
	sub.Secret = []byte("primary-key")
	plainRec := rec(model.KindSubscription, "", "sub-plain", `{"state":"active"}`)
	put(t, s1, sub, plainRec)
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := open(t, h, NewSealer(t))
	r, err := get(t, s2, model.KindSubscription, "", "sub-secret")
	switch {
	case err == nil:
		t.Errorf("Get with the wrong master key returned secret %q, want an error", r.Secret)
	case errNotFound(err) || errors.Is(err, context.Canceled):
		t.Errorf("Get with the wrong master key = %v, want a decryption error", err)
	case !strings.Contains(err.Error(), "sub-secret"):
		t.Errorf("Get with the wrong master key = %q, want the error to name the record", err)
	}
	if recs, err := listErr(ctx, s2, store.Query{Kind: model.KindSubscription}); err == nil {
		t.Errorf("List with the wrong master key returned %d records, want an error", len(recs))
	}
	if got := mustGet(t, s2, model.KindSubscription, "", "sub-plain"); got.Secret != nil {
		t.Errorf("record without a secret: %q", got.Secret)
	}
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}

	s3 := open(t, h, right)
	if got := mustGet(t, s3, model.KindSubscription, "", "sub-secret"); string(got.Secret) != "primary-key" {
		t.Errorf("secret with the right key after a wrong-key open = %q", got.Secret)
	}
}

// listErr runs a List in a View and returns its error.
func listErr(ctx context.Context, s store.Store, q store.Query) ([]*store.Record, error) {
	var out []*store.Record
	err := s.View(ctx, func(rd store.Reader) error {
		var err error
		out, err = rd.List(ctx, q)
		return err
	})
	return out, err
}
