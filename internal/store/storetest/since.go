package storetest

import (
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

// testListSince: a List with Since returns the records written after
// that version, in List's order, with their other filters; Count with
// Since counts them.
func testListSince(t *testing.T, h Harness) {
	s := open(t, h, NewSealer(t))
	v1 := put(t, s, rec(model.KindAPI, "", "b", `{"n":1}`), rec(model.KindAPI, "", "a", `{"n":1}`), rec(model.KindOperation, "a", "o", `{}`))
	v2 := put(t, s, rec(model.KindAPI, "", "c", `{"n":2}`))
	put(t, s, rec(model.KindAPI, "", "A", `{"n":3}`), rec(model.KindOperation, "a", "p", `{}`))
	tests := []struct {
		q    store.Query
		want []string
	}{
		{store.Query{Kind: model.KindAPI, Since: v1 - 1}, []string{"/a", "/b", "/c"}},
		{store.Query{Kind: model.KindAPI, Since: v1}, []string{"/a", "/c"}},
		{store.Query{Kind: model.KindAPI, Since: v2}, []string{"/a"}},
		{store.Query{Kind: model.KindOperation, Parent: "A", Since: v1}, []string{"a/p"}},
		{store.Query{Kind: model.KindAPI, ID: "b", Since: v1}, []string{}},
	}
	for _, tt := range tests {
		if got := names(list(t, s, tt.q)); !slices.Equal(got, tt.want) {
			t.Errorf("List(%+v) = %v, want %v", tt.q, got, tt.want)
		}
		ctx := testContext(t)
		err := s.View(ctx, func(r store.Reader) error {
			n, err := r.Count(ctx, tt.q)
			if err == nil && n != len(tt.want) {
				t.Errorf("Count(%+v) = %d, want %d", tt.q, n, len(tt.want))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
