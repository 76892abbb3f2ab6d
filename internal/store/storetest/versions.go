package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

// testError is the error the suite's failing Updates return; the suite
// checks that Update returns it unchanged.
type testError struct{ msg string }

func (e *testError) Error() string { return e.msg }

func testVersionBumps(t *testing.T, h Harness) {
	ctx := testContext(t)
	s := open(t, h, NewSealer(t))
	if v := version(t, s); v != 0 {
		t.Fatalf("version of a new store = %d, want 0", v)
	}

	a, b := rec(model.KindAPI, "", "a", `{}`), rec(model.KindAPI, "", "b", `{}`)
	v1 := put(t, s, a, b, rec(model.KindOperation, "a", "get", `{}`))
	if v1 != 1 || a.Version != 1 || b.Version != 1 {
		t.Fatalf("first writing Update = %d (records %d, %d), want 1", v1, a.Version, b.Version)
	}
	for _, r := range list(t, s, store.Query{Kind: model.KindAPI}) {
		if r.Version != v1 {
			t.Errorf("%s version %d, want %d", r.ID, r.Version, v1)
		}
	}

	noWrite := map[string]func(tx store.Tx) error{
		"nothing": func(store.Tx) error { return nil },
		"reads": func(tx store.Tx) error {
			_, err := tx.List(ctx, store.Query{Kind: model.KindAPI})
			return err
		},
		"delete missing": func(tx store.Tx) error {
			_, err := tx.Delete(ctx, model.KindAPI, "", "missing")
			return err
		},
	}
	for name, fn := range noWrite {
		if v, err := s.Update(ctx, fn); err != nil || v != v1 {
			t.Errorf("Update writing %s = %d, %v; want %d, nil", name, v, err, v1)
		}
	}

	want := &testError{"boom"}
	failing := map[string]func(tx store.Tx) error{
		"fails at once": func(store.Tx) error { return want },
		"fails after a put": func(tx store.Tx) error {
			if _, err := tx.Put(ctx, rec(model.KindAPI, "", "c", `{}`)); err != nil {
				return err
			}
			return want
		},
		"fails with a wrapped error": func(tx store.Tx) error { return fmt.Errorf("wrapped: %w", want) },
	}
	for name, fn := range failing {
		_, err := s.Update(ctx, fn)
		var te *testError
		if !errors.As(err, &te) || te != want {
			t.Errorf("Update that %s returned %v; want the function's error", name, err)
		}
		if name != "fails with a wrapped error" && err != error(want) {
			t.Errorf("Update that %s returned %#v; want the very error returned by fn", name, err)
		}
	}
	if v := version(t, s); v != v1 {
		t.Errorf("version after read-only and failing updates = %d, want %d", v, v1)
	}
	if v := put(t, s, rec(model.KindAPI, "", "d", `{}`)); v != v1+1 {
		t.Errorf("next writing Update = %d, want %d", v, v1+1)
	}
}

func testFailingUpdate(t *testing.T, h Harness) {
	ctx := testContext(t)
	s := open(t, h, NewSealer(t))
	v := put(t, s, rec(model.KindAPI, "", "keep", `{"n":1}`), rec(model.KindAPI, "", "doomed", `{}`))

	change := func(tx store.Tx) error {
		r := rec(model.KindAPI, "", "keep", `{"n":2}`)
		r.Secret = []byte("s")
		if _, err := tx.Put(ctx, r); err != nil {
			return err
		}
		if _, err := tx.Put(ctx, rec(model.KindAPI, "", "new", `{}`)); err != nil {
			return err
		}
		if _, err := tx.Delete(ctx, model.KindAPI, "", "doomed"); err != nil {
			return err
		}
		return nil
	}
	check := func(how string) {
		t.Helper()
		if got := names(list(t, s, store.Query{Kind: model.KindAPI})); fmt.Sprint(got) != "[/doomed /keep]" {
			t.Errorf("after an Update that %s: apis %q, want [/doomed /keep]", how, got)
		}
		if r := mustGet(t, s, model.KindAPI, "", "keep"); string(r.Props) != `{"n":1}` || r.Secret != nil || r.Version != v {
			t.Errorf("after an Update that %s: keep = %s secret %q version %d, want {\"n\":1} without secret at %d", how, r.Props, r.Secret, r.Version, v)
		}
		if got := version(t, s); got != v {
			t.Errorf("after an Update that %s: version %d, want %d", how, got, v)
		}
	}

	want := errors.New("validation failed")
	if _, err := s.Update(ctx, func(tx store.Tx) error {
		if err := change(tx); err != nil {
			return err
		}
		return want
	}); err != want {
		t.Fatalf("Update = %v, want %v", err, want)
	}
	check("failed")

	func() {
		defer func() {
			if recover() == nil {
				t.Error("Update swallowed fn's panic")
			}
		}()
		s.Update(ctx, func(tx store.Tx) error {
			if err := change(tx); err != nil {
				return err
			}
			panic("in the middle of an update")
		})
	}()
	check("panicked")

	if got := put(t, s, rec(model.KindAPI, "", "after", `{}`)); got != v+1 {
		t.Errorf("Update after the failures = %d, want %d", got, v+1)
	}
}

func testUpdateContext(t *testing.T, h Harness) {
	s := open(t, h, NewSealer(t))
	v := put(t, s, rec(model.KindAPI, "", "a", `{}`))

	ctx, cancel := context.WithCancel(testContext(t))
	cancel()
	called := false
	if _, err := s.Update(ctx, func(tx store.Tx) error {
		called = true
		_, err := tx.Put(ctx, rec(model.KindAPI, "", "b", `{}`))
		return err
	}); !errors.Is(err, context.Canceled) {
		t.Errorf("Update with a cancelled context = %v, want context.Canceled", err)
	}
	if called {
		t.Error("Update with a cancelled context called fn")
	}
	if err := s.View(ctx, func(store.Reader) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("View with a cancelled context = %v, want context.Canceled", err)
	}
	if got := version(t, s); got != v {
		t.Errorf("version = %d, want %d", got, v)
	}
}

func testWait(t *testing.T, h Harness) {
	ctx := testContext(t)
	s := open(t, h, NewSealer(t))
	v0 := put(t, s, rec(model.KindAPI, "", "a", `{}`))

	if v, err := s.Wait(ctx, v0-1); err != nil || v != v0 {
		t.Errorf("Wait(%d) = %d, %v; want %d at once", v0-1, v, err, v0)
	}

	type result struct {
		v   int64
		err error
	}
	const waiters = 3
	results := make(chan result, waiters)
	for range waiters {
		go func() {
			v, err := s.Wait(ctx, v0)
			results <- result{v, err}
		}()
	}
	select {
	case r := <-results:
		t.Fatalf("Wait(%d) returned %d, %v before any commit", v0, r.v, r.err)
	case <-time.After(50 * time.Millisecond):
	}
	// An Update that writes nothing wakes nobody.
	if _, err := s.Update(ctx, func(store.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-results:
		t.Fatalf("Wait(%d) returned %d, %v after a read-only Update", v0, r.v, r.err)
	case <-time.After(50 * time.Millisecond):
	}

	// Commit from another goroutine.
	committed := make(chan int64, 1)
	go func() {
		v, err := s.Update(ctx, func(tx store.Tx) error {
			_, err := tx.Put(ctx, rec(model.KindAPI, "", "b", `{}`))
			return err
		})
		if err != nil {
			t.Errorf("update: %v", err)
		}
		committed <- v
	}()
	v1 := <-committed
	for range waiters {
		select {
		case r := <-results:
			if r.err != nil || r.v != v1 {
				t.Errorf("Wait(%d) = %d, %v; want %d", v0, r.v, r.err, v1)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Wait did not return after a commit")
		}
	}
}

func testWaitContext(t *testing.T, h Harness) {
	s := open(t, h, NewSealer(t))
	v0 := put(t, s, rec(model.KindAPI, "", "a", `{}`))

	ctx, cancel := context.WithTimeout(testContext(t), 50*time.Millisecond)
	defer cancel()
	v, err := s.Wait(ctx, v0)
	if !errors.Is(err, context.DeadlineExceeded) || v != v0 {
		t.Errorf("Wait past its deadline = %d, %v; want %d, context.DeadlineExceeded", v, err, v0)
	}

	ctx, cancel = context.WithCancel(testContext(t))
	time.AfterFunc(20*time.Millisecond, cancel)
	v, err = s.Wait(ctx, v0)
	if !errors.Is(err, context.Canceled) || v != v0 {
		t.Errorf("cancelled Wait = %d, %v; want %d, context.Canceled", v, err, v0)
	}
}
