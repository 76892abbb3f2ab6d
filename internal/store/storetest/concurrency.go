package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

func testViewConsistent(t *testing.T, h Harness) {
	ctx := testContext(t)
	s := open(t, h, NewSealer(t))
	v1 := put(t, s, rec(model.KindAPI, "", "a", `{"n":1}`), rec(model.KindAPI, "", "b", `{}`))

	done := make(chan error, 1)
	err := s.View(ctx, func(rd store.Reader) error {
		v, err := rd.Version(ctx)
		if err != nil {
			return err
		}
		if v != v1 {
			t.Errorf("View's version = %d, want %d", v, v1)
		}
		before, err := rd.List(ctx, store.Query{Kind: model.KindAPI})
		if err != nil {
			return err
		}
		// Commit a change while the view is open. A store that serialises
		// readers and writers (SQLite on one connection) holds the Update
		// back until the view ends; others let it commit now.
		go func() {
			_, err := s.Update(ctx, func(tx store.Tx) error {
				if _, err := tx.Put(ctx, rec(model.KindAPI, "", "a", `{"n":2}`)); err != nil {
					return err
				}
				_, err := tx.Put(ctx, rec(model.KindAPI, "", "c", `{}`))
				return err
			})
			done <- err
		}()
		select {
		case err := <-done:
			done <- err // keep it for after the view
		case <-time.After(200 * time.Millisecond):
		}
		if v, err := rd.Version(ctx); err != nil || v != v1 {
			t.Errorf("View's version after a concurrent commit = %d, %v; want %d", v, err, v1)
		}
		after, err := rd.List(ctx, store.Query{Kind: model.KindAPI})
		if err != nil {
			return err
		}
		if !slices.Equal(names(after), names(before)) {
			t.Errorf("View's List changed from %q to %q", names(before), names(after))
		}
		a, err := rd.Get(ctx, model.KindAPI, "", "a")
		if err != nil {
			return err
		}
		if string(a.Props) != `{"n":1}` {
			t.Errorf("View sees a = %s after a concurrent commit, want {\"n\":1}", a.Props)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("view: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("concurrent update: %v", err)
	}
	if v := version(t, s); v != v1+1 {
		t.Errorf("version after the view = %d, want %d", v, v1+1)
	}
	if n := names(list(t, s, store.Query{Kind: model.KindAPI})); !slices.Equal(n, []string{"/a", "/b", "/c"}) {
		t.Errorf("apis after the view = %q", n)
	}
}

// counter is the props of the record the concurrency test increments.
type counter struct {
	N int64 `json:"n"`
}

func testConcurrentUpdates(t *testing.T, h Harness) {
	ctx := testContext(t)
	s := open(t, h, NewSealer(t))
	start := put(t, s, rec(model.KindSystemSetting, "", "counter", `{"n":0}`))

	const workers, perWorker = 8, 10
	var (
		mu       sync.Mutex
		versions []int64
		wg       sync.WaitGroup
	)
	// Each Update increments the counter read in the same transaction, so
	// a lost update shows as a short count, and adds a record of its own.
	increment := func(worker, i int) (int64, error) {
		return s.Update(ctx, func(tx store.Tx) error {
			r, err := tx.Get(ctx, model.KindSystemSetting, "", "counter")
			if err != nil {
				return err
			}
			var c counter
			if err := json.Unmarshal(r.Props, &c); err != nil {
				return err
			}
			c.N++
			r.Props, _ = json.Marshal(c)
			if _, err := tx.Put(ctx, r); err != nil {
				return err
			}
			_, err = tx.Put(ctx, rec(model.KindAPI, "", fmt.Sprintf("w%d-%d", worker, i), `{}`))
			return err
		})
	}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				v, err := increment(w, i)
				if err != nil {
					t.Errorf("worker %d update %d: %v", w, i, err)
					return
				}
				mu.Lock()
				versions = append(versions, v)
				mu.Unlock()
			}
		}()
	}

	// Readers check, while the writers run, that every view is a single
	// state: the counter equals the number of increments committed.
	stopReaders := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stopReaders:
					return
				default:
				}
				if err := checkCounter(ctx, s, start); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stopReaders)
	readers.Wait()

	slices.Sort(versions)
	for i, v := range versions {
		if v != start+int64(i)+1 {
			t.Fatalf("versions of the concurrent updates = %v, want %d..%d, each once", versions, start+1, start+workers*perWorker)
		}
	}
	if len(versions) != workers*perWorker {
		t.Fatalf("%d updates succeeded, want %d", len(versions), workers*perWorker)
	}
	if err := checkCounter(ctx, s, start); err != nil {
		t.Error(err)
	}
	if v := version(t, s); v != start+workers*perWorker {
		t.Errorf("final version = %d, want %d", v, start+workers*perWorker)
	}
	if n := len(list(t, s, store.Query{Kind: model.KindAPI})); n != workers*perWorker {
		t.Errorf("%d worker records, want %d", n, workers*perWorker)
	}
}

// checkCounter checks, in one View, that the counter equals the number of
// versions since start.
func checkCounter(ctx context.Context, s store.Store, start int64) error {
	return s.View(ctx, func(rd store.Reader) error {
		v, err := rd.Version(ctx)
		if err != nil {
			return err
		}
		r, err := rd.Get(ctx, model.KindSystemSetting, "", "counter")
		if err != nil {
			return err
		}
		var c counter
		if err := json.Unmarshal(r.Props, &c); err != nil {
			return err
		}
		if c.N != v-start || r.Version != v {
			return fmt.Errorf("view at version %d: counter %d written at %d; want %d written at %d", v, c.N, r.Version, v-start, v)
		}
		return nil
	})
}
