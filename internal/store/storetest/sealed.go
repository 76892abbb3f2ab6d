package storetest

import (
	"bytes"
	"testing"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

// testSealedSecrets checks Query.SealedSecrets: List returns each secret
// as stored, not opened, with the record's props and version; a rewrite
// of the same secret changes it; a plain List still opens it, and one
// with AlsoSealed returns both.
func testSealedSecrets(t *testing.T, h Harness) {
	s := open(t, h, NewSealer(t))
	plain := []byte(`{"primaryKey":"pk-1"}`)
	a := rec(model.KindSubscription, "", "Sub-A", `{"state":"active"}`)
	a.Secret = plain
	none := rec(model.KindSubscription, "", "sub-b", `{"state":"active"}`)
	put(t, s, a, none)

	sealed := list(t, s, store.Query{Kind: model.KindSubscription, SealedSecrets: true})
	if len(sealed) != 2 {
		t.Fatalf("List sealed: %d records, want 2", len(sealed))
	}
	raw := h.RawSecret(t, model.KindSubscription, "", "sub-a")
	if got := sealed[0]; got.ID != "Sub-A" || !bytes.Equal(got.Secret, raw) || bytes.Contains(got.Secret, plain) ||
		string(got.Props) != `{"state":"active"}` || got.Version != a.Version {
		t.Errorf("List sealed: %s %s secret %q version %d; want Sub-A, its props, the stored secret, version %d",
			got.ID, got.Props, got.Secret, got.Version, a.Version)
	}
	if sealed[1].Secret != nil {
		t.Errorf("List sealed: sub-b secret %q, want nil", sealed[1].Secret)
	}

	again := rec(model.KindSubscription, "", "sub-a", `{"state":"active"}`)
	again.Secret = plain
	put(t, s, again)
	resealed := list(t, s, store.Query{Kind: model.KindSubscription, ID: "sub-a", SealedSecrets: true})
	if len(resealed) != 1 || bytes.Equal(resealed[0].Secret, sealed[0].Secret) {
		t.Errorf("rewriting the same secret left its sealed form unchanged")
	}
	if opened := list(t, s, store.Query{Kind: model.KindSubscription, ID: "sub-a"}); len(opened) != 1 || !bytes.Equal(opened[0].Secret, plain) || opened[0].Sealed != nil {
		t.Errorf("List without SealedSecrets: %v, want the opened secret %q and no sealed one", opened, plain)
	}
	both := list(t, s, store.Query{Kind: model.KindSubscription, AlsoSealed: true})
	if len(both) != 2 || !bytes.Equal(both[0].Secret, plain) || !bytes.Equal(both[0].Sealed, resealed[0].Secret) || both[1].Sealed != nil {
		t.Errorf("List with AlsoSealed: %v, want the opened secret %q and the sealed one %q", both, plain, resealed[0].Secret)
	}
}
