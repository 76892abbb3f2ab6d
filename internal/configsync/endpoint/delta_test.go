package endpoint

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/configsync"
	"github.com/gatehouse/gatehouse/internal/gatewaykey"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/snapshot"
	"github.com/gatehouse/gatehouse/internal/store"
)

// deltaCounter counts the deltas its client receives.
type deltaCounter struct {
	next   http.RoundTripper
	deltas atomic.Int64
}

func (d *deltaCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.next.RoundTrip(r)
	if err == nil && resp.Header.Get("Content-Type") == configsync.DeltaContentType {
		d.deltas.Add(1)
	}
	return resp, err
}

// follower is a sync client and the snapshots it installed.
type follower struct {
	mu    sync.Mutex
	cond  *sync.Cond
	snaps map[int64]*snapshot.Snapshot
	count *deltaCounter
}

func follow(t *testing.T, ctx context.Context, wg *sync.WaitGroup, url, token string, full bool) *follower {
	f := &follower{snaps: map[int64]*snapshot.Snapshot{}, count: &deltaCounter{next: http.DefaultTransport}}
	f.cond = sync.NewCond(&f.mu)
	c := configsync.NewClient(configsync.ClientOptions{Endpoint: url, Gateway: "edge", FullSnapshots: full,
		Credentials: configsync.TokenCredentials(token), HTTPClient: &http.Client{Transport: f.count, Timeout: time.Minute},
		HeartbeatInterval: time.Hour,
		Install: func(s *snapshot.Snapshot) error {
			f.mu.Lock()
			f.snaps[s.Version] = s
			f.cond.Broadcast()
			f.mu.Unlock()
			return nil
		}})
	wg.Go(func() { c.Run(ctx) })
	return f
}

// wait returns the snapshot of version v once installed.
func (f *follower) wait(t *testing.T, v int64) *snapshot.Snapshot {
	t.Helper()
	deadline := time.AfterFunc(30*time.Second, func() { f.mu.Lock(); f.cond.Broadcast(); f.mu.Unlock() })
	defer deadline.Stop()
	start := time.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	for f.snaps[v] == nil {
		if time.Since(start) > 30*time.Second {
			t.Fatalf("version %d not installed", v)
		}
		f.cond.Wait()
	}
	return f.snaps[v]
}

// TestDeltasMakeTheFullSnapshot makes random changes (APIs, their
// links to the gateway, policies, named values, subscriptions) and
// checks that a gateway taking deltas installs, at every version, byte
// for byte the snapshot of a gateway taking full snapshots (as gateways
// before deltas do), and that it did take deltas.
func TestDeltasMakeTheFullSnapshot(t *testing.T) {
	f := newFixture(t)
	f.srv.maxWait = 5 * time.Second
	keys := gatewaykey.NewKeys()
	f.put(model.KindGateway, "", "edge", &model.Gateway{}, keys)
	token := gatewaykey.Mint("edge", f.now().Add(time.Hour), keys.Primary)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	delta := follow(t, ctx, &wg, f.url, token, false)
	full := follow(t, ctx, &wg, f.url, token, true)
	rnd := rand.New(rand.NewPCG(5, 6))
	for round := range 40 {
		v, err := f.st.Update(context.Background(), func(tx store.Tx) error {
			for range 1 + rnd.IntN(3) {
				if err := randomChange(tx, rnd); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(full.wait(t, v))
		got, _ := json.Marshal(delta.wait(t, v))
		if !bytes.Equal(got, want) {
			t.Fatalf("round %d: the gateway taking deltas holds\n%s\nwant\n%s", round, got, want)
		}
	}
	if delta.count.deltas.Load() == 0 || full.count.deltas.Load() != 0 {
		t.Errorf("deltas received: %d by the delta gateway, %d by the full one; want some, none",
			delta.count.deltas.Load(), full.count.deltas.Load())
	}
}

// randomChange makes one random write among a few APIs, links,
// policies, named values and subscriptions.
func randomChange(tx store.Tx, rnd *rand.Rand) error {
	ctx := context.Background()
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
	api, nv, n := fmt.Sprintf("api-%d", rnd.IntN(5)), fmt.Sprintf("nv-%d", rnd.IntN(3)), rnd.IntN(1000)
	switch rnd.IntN(8) {
	case 0:
		if err := put(model.KindAPI, "", api, &model.API{DisplayName: fmt.Sprint(n), Path: api, ServiceURL: "http://b/" + api}, nil); err != nil {
			return err
		}
		return put(model.KindGatewayAPI, "edge", api, struct{}{}, nil)
	case 1:
		return del(model.KindGatewayAPI, "edge", api)
	case 2:
		return put(model.KindPolicy, "apis/"+api, model.PolicyID, &model.Policy{Format: "rawxml", Value: `<policies><inbound><base />` +
			`<set-header name="x" exists-action="override"><value>{{` + nv + `}}</value></set-header></inbound></policies>`}, nil)
	case 3:
		return put(model.KindNamedValue, "", nv, &model.NamedValue{DisplayName: nv, Value: fmt.Sprint(n)}, nil)
	case 4:
		return del(model.KindSubscription, "", fmt.Sprintf("sub-%d", rnd.IntN(20)))
	default:
		return put(model.KindSubscription, "", fmt.Sprintf("sub-%d", rnd.IntN(20)),
			&model.Subscription{Scope: "/apis/" + api, State: "active", DisplayName: fmt.Sprint(n)},
			&model.SubscriptionKeys{PrimaryKey: fmt.Sprintf("k-%d", n)})
	}
}

// TestDeltaBytes measures, with GATEHOUSE_DELTA_SUBSCRIPTIONS
// subscriptions (default 2,000), the bytes on the wire (gzipped) of the
// full snapshot and of the delta a node one version behind receives
// after one subscription changed, and checks the delta is the smaller
// by far, and that a node further behind than the endpoint remembers
// gets the full snapshot.
//
//	GATEHOUSE_DELTA_SUBSCRIPTIONS=100000 go test ./internal/configsync/endpoint -run TestDeltaBytes -v
func TestDeltaBytes(t *testing.T) {
	n := 2_000
	if v, err := strconv.Atoi(os.Getenv("GATEHOUSE_DELTA_SUBSCRIPTIONS")); err == nil && v > 0 {
		n = v
	}
	measureDeltaBytes(t, n)
}

func measureDeltaBytes(t *testing.T, subscriptions int) (full, delta int) {
	f := newFixture(t)
	keys := gatewaykey.NewKeys()
	f.put(model.KindGateway, "", "edge", &model.Gateway{}, keys)
	token := gatewaykey.Mint("edge", f.now().Add(time.Hour), keys.Primary)
	_, err := f.st.Update(context.Background(), func(tx store.Tx) error {
		for _, rec := range []*store.Record{{Kind: model.KindAPI, ID: "a", Props: json.RawMessage(`{"displayName":"a","path":"a","serviceUrl":"http://b"}`)},
			{Kind: model.KindGatewayAPI, Parent: "edge", ID: "a", Props: json.RawMessage(`{}`)}} {
			if _, err := tx.Put(context.Background(), rec); err != nil {
				return err
			}
		}
		for i := range subscriptions {
			rec := &store.Record{Kind: model.KindSubscription, ID: fmt.Sprintf("sub-%d", i)}
			rec.Props, _ = json.Marshal(&model.Subscription{Scope: "/apis/a", State: "active", DisplayName: fmt.Sprintf("Subscription %d", i)})
			rec.Secret, _ = json.Marshal(&model.SubscriptionKeys{PrimaryKey: fmt.Sprintf("primary-%024d", i), SecondaryKey: fmt.Sprintf("secondary-%024d", i)})
			if _, err := tx.Put(context.Background(), rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	get := func(query string) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", f.url+"/configuration/gateways/edge/snapshot?"+query, nil)
		req.Header.Set("Authorization", token)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		n, _ := io.Copy(io.Discard, resp.Body)
		return int(n), resp.Header.Get("X-Gatehouse-Config-Version"), resp.Header.Get("Content-Type")
	}
	_, base, _ := get("after=-1")
	f.put(model.KindSubscription, "", "sub-7", &model.Subscription{Scope: "/apis/a", State: "suspended"}, &model.SubscriptionKeys{PrimaryKey: "new"})
	full, _, _ = get("after=" + base)
	delta, _, kind := get("after=" + base + "&delta=1")
	if kind != configsync.DeltaContentType {
		t.Fatalf("a node one version behind got %s, want a delta", kind)
	}
	t.Logf("%d subscriptions, one changed: full snapshot %d bytes gzipped, delta %d bytes", subscriptions, full, delta)
	if delta*20 > full {
		t.Errorf("the delta (%d bytes) is not much smaller than the full snapshot (%d bytes)", delta, full)
	}
	// Further behind than the versions the endpoint keeps: the full
	// snapshot.
	for i := range historyDepth {
		f.put(model.KindSubscription, "", "sub-8", &model.Subscription{Scope: "/apis/a", State: "active", DisplayName: fmt.Sprint(i)}, &model.SubscriptionKeys{PrimaryKey: "k"})
		get("after=-1")
	}
	if _, _, kind := get("after=" + base + "&delta=1"); kind != "application/json" {
		t.Errorf("a node %d versions behind got %s, want the full snapshot", historyDepth+1, kind)
	}
	return full, delta
}
