package endpoint

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse/gatehouse/internal/configsync"
	"github.com/gatehouse/gatehouse/internal/configsync/source"
	"github.com/gatehouse/gatehouse/internal/gatewaykey"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/oidctest"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

// fixture is a configuration endpoint over a real SQLite store, with a
// clock the test moves.
type fixture struct {
	t     *testing.T
	st    store.Store
	srv   *Server
	url   string
	mu    sync.Mutex
	clock time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	sealer, _ := secret.NewSealer(make([]byte, secret.KeySize))
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "db"), sealer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{t: t, st: st, clock: time.Now()}
	f.srv = NewServer(ServerOptions{Store: st, Now: f.now, MaxWait: 200 * time.Millisecond, HeartbeatInterval: time.Second,
		Snapshots: &source.Builder{Policies: builtin.NewRegistry()}})
	t.Cleanup(func() { f.srv.Close() })
	hs := httptest.NewServer(f.srv)
	t.Cleanup(hs.Close)
	f.url = hs.URL
	return f
}

func (f *fixture) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.clock
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	f.clock = f.clock.Add(d)
	f.mu.Unlock()
}

func (f *fixture) put(kind model.Kind, parent, id string, props any, secret any) {
	f.t.Helper()
	_, err := f.st.Update(context.Background(), func(tx store.Tx) error {
		rec := &store.Record{Kind: kind, Parent: parent, ID: id}
		rec.Props, _ = json.Marshal(props)
		if secret != nil {
			rec.Secret, _ = json.Marshal(secret)
		}
		_, err := tx.Put(context.Background(), rec)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// get fetches gateway's snapshot with the given Authorization header.
func (f *fixture) get(gateway, auth string) int {
	f.t.Helper()
	req, _ := http.NewRequest("GET", configsync.SnapshotURL(f.url, gateway, -1), nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestGatewayTokens(t *testing.T) {
	f := newFixture(t)
	keys, other := gatewaykey.NewKeys(), gatewaykey.NewKeys()
	f.put(model.KindGateway, "", "edge", &model.Gateway{}, keys)
	f.put(model.KindGateway, "", "far", &model.Gateway{}, other)
	valid := gatewaykey.Mint("edge", f.now().Add(time.Hour), keys.Primary)
	secondary := gatewaykey.Mint("edge", f.now().Add(time.Hour), keys.Secondary)

	tests := []struct {
		name, gateway, auth string
		want                int
	}{
		{"primary key", "edge", valid, 200},
		{"secondary key", "edge", secondary, 200},
		{"no credentials", "edge", "", 401},
		{"malformed", "edge", "GatewayKey edge&x&y", 401},
		{"wrong signature", "edge", gatewaykey.Mint("edge", f.now().Add(time.Hour), other.Primary), 401},
		{"token of another gateway", "edge", gatewaykey.Mint("far", f.now().Add(time.Hour), other.Primary), 401},
		{"token used for another gateway", "far", valid, 401},
		{"expired", "edge", gatewaykey.Mint("edge", f.now().Add(-time.Minute), keys.Primary), 401},
		{"unknown gateway", "nowhere", valid, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := f.get(tt.gateway, tt.auth); got != tt.want {
				t.Errorf("status %d, want %d", got, tt.want)
			}
		})
	}
	t.Run("expires while in use", func(t *testing.T) {
		f.advance(2 * time.Hour)
		defer f.advance(-2 * time.Hour)
		if got := f.get("edge", valid); got != 401 {
			t.Errorf("status %d after expiry, want 401", got)
		}
	})
	t.Run("regenerated key", func(t *testing.T) {
		f.put(model.KindGateway, "", "edge", &model.Gateway{}, gatewaykey.Keys{Primary: gatewaykey.NewKey(), Secondary: keys.Secondary})
		if got := f.get("edge", valid); got != 401 {
			t.Errorf("token of the old primary key: %d, want 401", got)
		}
		if got := f.get("edge", secondary); got != 200 {
			t.Errorf("token of the kept secondary key: %d, want 200", got)
		}
	})
}

func TestWorkloadIdentity(t *testing.T) {
	f := newFixture(t)
	is := oidctest.NewIssuer(t)
	stranger := oidctest.NewIssuer(t)
	const subject = "system:serviceaccount:apim-gateway-wi:apim-gateway-workload-identity"
	f.put(model.KindGateway, "", "edge", &model.Gateway{}, gatewaykey.NewKeys())
	f.put(model.KindFederatedCredential, "edge", "cluster", &model.FederatedCredential{
		Issuer: is.URL, Subject: subject, Audiences: []string{model.DefaultFederatedAudience}}, nil)
	claims := func(mod func(*jwt.Claims)) jwt.Claims {
		c := is.Claims(subject, model.DefaultFederatedAudience)
		if mod != nil {
			mod(&c)
		}
		return c
	}
	bearer := func(tok string) string { return "Bearer " + tok }

	tests := []struct {
		name string
		tok  string
		want int
	}{
		{"valid", is.Token(t, claims(nil)), 200},
		{"wrong subject", is.Token(t, claims(func(c *jwt.Claims) { c.Subject = "system:serviceaccount:default:other" })), 401},
		{"wrong audience", is.Token(t, claims(func(c *jwt.Claims) { c.Audience = jwt.Audience{"someone-else"} })), 401},
		{"expired", is.Token(t, claims(func(c *jwt.Claims) { c.Expiry = jwt.NewNumericDate(time.Now().Add(-time.Hour)) })), 401},
		{"not yet valid", is.Token(t, claims(func(c *jwt.Claims) { c.NotBefore = jwt.NewNumericDate(time.Now().Add(time.Hour)) })), 401},
		{"unknown issuer", stranger.Token(t, claims(func(c *jwt.Claims) { c.Issuer = stranger.URL })), 401},
		{"issuer claim forged", stranger.Token(t, claims(nil)), 401},
		{"not a JWT", "abc.def.ghi", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := f.get("edge", bearer(tt.tok)); got != tt.want {
				t.Errorf("status %d, want %d", got, tt.want)
			}
		})
	}
	t.Run("key rotation at the issuer", func(t *testing.T) {
		old := is.Token(t, claims(nil))
		is.Rotate(t)
		if got := f.get("edge", bearer(is.Token(t, claims(nil)))); got != 200 {
			t.Errorf("token signed with the new key: %d, want 200 (JWKS refetched on an unknown kid)", got)
		}
		// The verifier's key cache is replaced just after the refetch
		// answers, so a request right after may still see the old key.
		deadline := time.NewTimer(10 * time.Second)
		defer deadline.Stop()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for got := f.get("edge", bearer(old)); got != 401; got = f.get("edge", bearer(old)) {
			select {
			case <-deadline.C:
				t.Fatalf("token signed with the retired key: %d, want 401", got)
			case <-tick.C:
			}
		}
	})
	t.Run("credential of another gateway", func(t *testing.T) {
		f.put(model.KindGateway, "", "far", &model.Gateway{}, gatewaykey.NewKeys())
		if got := f.get("far", bearer(is.Token(t, claims(nil)))); got != 401 {
			t.Errorf("status %d, want 401", got)
		}
	})
}

func TestNodeStatus(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	nr := &nodeRegistry{interval: 10 * time.Second, nodes: map[string]map[string]model.GatewayNode{}}
	nr.record("edge", configsync.Heartbeat{NodeID: "a", ConfigVersion: 3}, now)
	nr.record("EDGE", configsync.Heartbeat{NodeID: "b"}, now.Add(20*time.Second))
	st := nr.status("edge", now.Add(35*time.Second))
	if st.NodeCount != 1 || len(st.Nodes) != 2 || st.Nodes[0].State != "disconnected" || st.Nodes[1].State != "connected" {
		t.Errorf("after a's three missed heartbeats: %+v", st)
	}
	nr.record("edge", configsync.Heartbeat{NodeID: "b", Leaving: true}, now.Add(36*time.Second))
	if st := nr.status("edge", now.Add(36*time.Second)); st.NodeCount != 0 || len(st.Nodes) != 1 {
		t.Errorf("after b left: %+v", st)
	}
	if st := nr.status("edge", now.Add(forgetAfter*10*time.Second+time.Minute)); len(st.Nodes) != 0 {
		t.Errorf("a long-silent node is still listed: %+v", st)
	}
}

// TestSnapshotBuiltOncePerVersion polls one gateway's snapshot from many
// nodes at once: one build per configuration version serves them all, and
// gzip and plain answers carry the same snapshot.
func TestSnapshotBuiltOncePerVersion(t *testing.T) {
	f := newFixture(t)
	keys := gatewaykey.NewKeys()
	f.put(model.KindGateway, "", "edge", &model.Gateway{}, keys)
	token := gatewaykey.Mint("edge", f.now().Add(time.Hour), keys.Primary)
	fetch := func(encoding string) (int, []byte, string) {
		req, _ := http.NewRequest("GET", configsync.SnapshotURL(f.url, "edge", -1), nil)
		req.Header.Set("Authorization", token)
		req.Header.Set("Accept-Encoding", encoding)
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Error(err)
			return 0, nil, ""
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Error(err)
		}
		return resp.StatusCode, body, resp.Header.Get("Content-Encoding")
	}
	poll := func(nodes int) {
		var wg sync.WaitGroup
		for range nodes {
			wg.Go(func() {
				if status, _, _ := fetch("gzip"); status != 200 {
					t.Errorf("status %d", status)
				}
			})
		}
		wg.Wait()
	}
	poll(100)
	if got := f.srv.snapshots.built(); got != 1 {
		t.Errorf("100 nodes polling one version: %d builds, want 1", got)
	}
	_, err := f.st.Update(context.Background(), func(tx store.Tx) error {
		api, _ := json.Marshal(&model.API{DisplayName: "Echo", Path: "echo", ServiceURL: "http://127.0.0.1:9"})
		if _, err := tx.Put(context.Background(), &store.Record{Kind: model.KindAPI, ID: "echo", Props: api}); err != nil {
			return err
		}
		_, err := tx.Put(context.Background(), &store.Record{Kind: model.KindGatewayAPI, Parent: "edge", ID: "echo", Props: []byte("{}")})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	poll(100)
	if got := f.srv.snapshots.built(); got != 2 {
		t.Errorf("after one change: %d builds, want 2", got)
	}

	_, plain, enc := fetch("identity")
	_, zipped, zenc := fetch("gzip")
	if enc != "" || zenc != "gzip" {
		t.Fatalf("Content-Encoding %q for identity, %q for gzip", enc, zenc)
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(plain, unzipped) || !bytes.Contains(plain, []byte(`"echo"`)) {
		t.Errorf("gzip and plain answers differ, or lack the API:\n%s\n%s", plain, unzipped)
	}
	t.Logf("snapshot: %d bytes, %d gzipped", len(plain), len(zipped))
}
