package configsync

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gatehouse/gatehouse/internal/gateway"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testPlane is a configuration endpoint written for the test: it serves
// the snapshot it was last given and keeps the last heartbeat.
type testPlane struct {
	mu   sync.Mutex
	snap *snapshot.Snapshot
	hb   Heartbeat
	next chan struct{} // closed when snap changes
}

func newTestPlane(t *testing.T) (*testPlane, *httptest.Server) {
	p := &testPlane{next: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+SnapshotPattern, func(w http.ResponseWriter, r *http.Request) {
		after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
		for {
			p.mu.Lock()
			snap, next := p.snap, p.next
			p.mu.Unlock()
			if snap != nil && snap.Version > after {
				json.NewEncoder(w).Encode(snap)
				return
			}
			select {
			case <-next:
			case <-r.Context().Done():
				return
			case <-time.After(time.Second):
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
	})
	mux.HandleFunc("POST "+HeartbeatPattern, func(w http.ResponseWriter, r *http.Request) {
		var hb Heartbeat
		json.NewDecoder(r.Body).Decode(&hb)
		p.mu.Lock()
		p.hb = hb
		p.mu.Unlock()
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return p, srv
}

func (p *testPlane) publish(snap *snapshot.Snapshot) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.snap = snap
	close(p.next)
	p.next = make(chan struct{})
}

func (p *testPlane) heartbeat() Heartbeat {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hb
}

// waitFor checks cond every 2 ms until it holds, failing the test after
// 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(5 * time.Second)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("%s: not true within 5s", what)
		}
	}
}

func planeSnapshot(backend string, version int64, policy string) *snapshot.Snapshot {
	return &snapshot.Snapshot{Schema: snapshot.SchemaVersion, Version: version, Gateway: "edge",
		APIs: []snapshot.API{{ID: "orders", Path: "orders", ServiceURL: backend, KeyHeader: "k", KeyQuery: "k", Policy: policy,
			Operations: []snapshot.Operation{{ID: "any", Method: "*", URLTemplate: "/*"}}}}}
}

// TestClientFailStatic: a self-hosted gateway fed configuration it
// cannot compile keeps serving the last good version, reports the
// problem in its heartbeats, keeps the backup of the last configuration
// that compiled, and leaves a snapshot of an unknown schema alone.
func TestClientFailStatic(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Header.Get("X-Tag"))
	}))
	t.Cleanup(backend.Close)
	plane, srv := newTestPlane(t)
	gw := gateway.NewServer(gateway.Options{})
	t.Cleanup(func() { gw.Close() })
	dir := t.TempDir()
	key, err := BackupKey("", filepath.Join(dir, "backup.key"))
	if err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "backup")
	c := NewClient(ClientOptions{Endpoint: srv.URL, Gateway: "edge", Credentials: TokenCredentials("GatewayKey test"),
		Install: gw.Load, Rejected: gw.Rejected, BackupFile: backup, BackupKey: key,
		Node: Heartbeat{NodeID: "n1"}, HeartbeatInterval: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	serves := func(want string) func() bool {
		return func() bool {
			w := httptest.NewRecorder()
			gw.ServeHTTP(w, httptest.NewRequest("GET", "/orders/x", nil))
			return w.Code == 200 && w.Body.String() == want
		}
	}
	backupVersion := func() int64 {
		b, err := os.ReadFile(backup)
		if err != nil {
			return 0
		}
		plain, err := key.Open(b, []byte(backupAD))
		if err != nil {
			t.Fatalf("backup: %v", err)
		}
		var s snapshot.Snapshot
		json.Unmarshal(plain, &s)
		return s.Version
	}
	tag := func(v string) string {
		return `<policies><inbound><set-header name="X-Tag" exists-action="` + v + `"><value>v</value></set-header></inbound></policies>`
	}

	plane.publish(planeSnapshot(backend.URL, 1, tag("override")))
	waitFor(t, "version 1 served and backed up", func() bool { return serves("v")() && backupVersion() == 1 })

	plane.publish(planeSnapshot(backend.URL, 2, tag("sometimes")))
	waitFor(t, "version 2 installed in part", func() bool { return c.Version() == 2 })
	waitFor(t, "the heartbeat reports the rejected element", func() bool {
		hb := plane.heartbeat()
		return hb.ConfigVersion == 2 && len(hb.Rejected) == 1 && hb.Rejected[0].Resource == "/apis/orders/policy"
	})
	if !serves("v")() {
		t.Error("orders is not served at its last good version")
	}
	if v := backupVersion(); v != 1 {
		t.Errorf("backup holds version %d, want 1 (the last that compiled)", v)
	}

	future := planeSnapshot(backend.URL, 3, tag("override"))
	future.Schema = snapshot.SchemaVersion + 1
	plane.publish(future)
	waitFor(t, "version 3 received", func() bool { return c.seen.Load() == 3 })
	if c.Version() != 2 || !serves("v")() {
		t.Errorf("a snapshot of an unknown schema was installed: version %d", c.Version())
	}
	plane.publish(planeSnapshot(backend.URL, 4, "")) // the next one is installed: the client did not stall
	waitFor(t, "version 4 installed", func() bool { return c.Version() == 4 && serves("")() && backupVersion() == 4 })
}
