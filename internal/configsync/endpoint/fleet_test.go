package endpoint

import (
	"context"
	"encoding/json"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/configsync"
	"github.com/gatehouse/gatehouse/internal/gatewaykey"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/snapshot"
	"github.com/gatehouse/gatehouse/internal/store"
)

// TestHundredNodesFollowOnePlane runs 100 gateway nodes (the real sync
// client, over real HTTP, each installing what it receives) against one
// configuration endpoint and makes ten changes: every node reaches every
// version, each version is built once per gateway, and the time from a
// commit to the last node's install is logged.
func TestHundredNodesFollowOnePlane(t *testing.T) {
	f := newFixture(t)
	f.srv.maxWait = 5 * time.Second
	keys := gatewaykey.NewKeys()
	f.put(model.KindGateway, "", "edge", &model.Gateway{}, keys)
	token := gatewaykey.Mint("edge", f.now().Add(time.Hour), keys.Primary)

	const nodes = 100
	var mu sync.Mutex
	installed := map[int64][]time.Time{} // version → install times
	cond := sync.NewCond(&mu)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	transport := &http.Transport{MaxIdleConnsPerHost: 2 * nodes}
	defer transport.CloseIdleConnections()
	for range nodes {
		c := configsync.NewClient(configsync.ClientOptions{Endpoint: f.url, Gateway: "edge",
			Credentials: configsync.TokenCredentials(token), HTTPClient: &http.Client{Transport: transport, Timeout: time.Minute},
			HeartbeatInterval: time.Hour,
			Install: func(s *snapshot.Snapshot) error {
				mu.Lock()
				installed[s.Version] = append(installed[s.Version], time.Now())
				cond.Broadcast()
				mu.Unlock()
				return nil
			}})
		wg.Go(func() { c.Run(ctx) })
	}
	defer func() { cancel(); wg.Wait() }()
	waitAll := func(v int64) {
		t.Helper()
		deadline := time.AfterFunc(30*time.Second, func() { mu.Lock(); cond.Broadcast(); mu.Unlock() })
		defer deadline.Stop()
		start := time.Now()
		mu.Lock()
		defer mu.Unlock()
		for len(installed[v]) < nodes && time.Since(start) < 30*time.Second {
			cond.Wait()
		}
		if n := len(installed[v]); n < nodes {
			t.Fatalf("version %d reached %d of %d nodes in 30 s", v, n, nodes)
		}
	}
	waitAll(f.version())

	var lags []time.Duration
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	builds := f.srv.snapshots.built()
	for i := range 10 {
		committed := time.Now()
		v := f.commitAPI(i)
		waitAll(v)
		mu.Lock()
		for _, at := range installed[v] {
			lags = append(lags, at.Sub(committed))
		}
		mu.Unlock()
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if got := f.srv.snapshots.built() - builds; got != 10 {
		t.Errorf("10 versions for 100 nodes: %d snapshot builds, want 10", got)
	}
	slices.Sort(lags)
	t.Logf("%d nodes, 10 changes: commit to install p50 %v, p99 %v, max %v; %d KiB allocated by the process meanwhile",
		nodes, lags[len(lags)/2], lags[len(lags)*99/100], lags[len(lags)-1], (after.TotalAlloc-before.TotalAlloc)>>10)
}

// version returns the store's configuration version.
func (f *fixture) version() int64 {
	f.t.Helper()
	var v int64
	err := f.st.View(context.Background(), func(r store.Reader) error {
		var err error
		v, err = r.Version(context.Background())
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return v
}

// commitAPI stores an API served by gateway edge and returns the new
// version.
func (f *fixture) commitAPI(i int) int64 {
	f.t.Helper()
	id := "api-" + string(rune('a'+i))
	v, err := f.st.Update(context.Background(), func(tx store.Tx) error {
		api, _ := json.Marshal(&model.API{DisplayName: id, Path: id, ServiceURL: "http://127.0.0.1:9"})
		if _, err := tx.Put(context.Background(), &store.Record{Kind: model.KindAPI, ID: id, Props: api}); err != nil {
			return err
		}
		_, err := tx.Put(context.Background(), &store.Record{Kind: model.KindGatewayAPI, Parent: "edge", ID: id, Props: []byte("{}")})
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return v
}
