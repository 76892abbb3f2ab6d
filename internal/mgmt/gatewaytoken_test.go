package mgmt

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/control"
	"github.com/gatehouse/gatehouse/internal/gatewaykey"
	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

// newTestAPIAt is newTestAPI with a clock that reads *now.
func newTestAPIAt(t *testing.T, now *atomic.Pointer[time.Time]) *testAPI {
	t.Helper()
	sealer, err := secret.NewSealer(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "gatehouse.db"), sealer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := control.Bootstrap(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewServer(Options{Store: st, AdminToken: "admin-token", Now: func() time.Time { return *now.Load() }}))
	t.Cleanup(srv.Close)
	return &testAPI{t: t, url: srv.URL + "/mgmt", store: st}
}

// TestGenerateTokenExpiryEdges: the expiry is checked as the token keeps
// it (rounded down to the minute): at least a minute and at most 30 days
// ahead, else 400 naming expiry.
func TestGenerateTokenExpiryEdges(t *testing.T) {
	var clock atomic.Pointer[time.Time]
	on := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	a := newTestAPIAt(t, &clock)
	a.must("PUT", "/gateways/edge", `{"properties":{"description":"edge"}}`)
	tests := []struct {
		name        string
		now, expiry time.Time
		want        string // the token's yyyyMMddHHmm; empty: 400
	}{
		{"exactly a minute ahead", on, on.Add(time.Minute), "202611251201"},
		{"59 seconds ahead", on, on.Add(59 * time.Second), ""},
		{"a minute ahead of a clock one second past the minute", on.Add(time.Second), on.Add(61 * time.Second), ""},
		{"15 seconds ahead, already expired once rounded", on.Add(30 * time.Second), on.Add(45 * time.Second), ""},
		{"in the past", on, on.Add(-time.Minute), ""},
		{"exactly 30 days ahead", on, on.Add(gatewaykey.MaxLifetime), "202612251200"},
		{"30 days and 59 seconds ahead, 30 days once rounded", on, on.Add(gatewaykey.MaxLifetime + 59*time.Second), "202612251200"},
		{"30 days and a minute ahead", on, on.Add(gatewaykey.MaxLifetime + time.Minute), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock.Store(&tt.now)
			r := a.do("POST", "/gateways/edge/generateToken", `{"keyType":"primary","expiry":"`+tt.expiry.Format(time.RFC3339Nano)+`"}`)
			if tt.want == "" {
				if code, target, _ := errorOf(t, r); r.status != 400 || code != "ValidationError" || target != "expiry" {
					t.Errorf("expiry %v at %v: %d %s, want 400 naming expiry", tt.expiry, tt.now, r.status, r.raw)
				}
				return
			}
			value, _ := r.body["value"].(string)
			if r.status != 200 || !strings.HasPrefix(value, "GatewayKey edge&"+tt.want+"&") {
				t.Errorf("expiry %v at %v: %d %s, want a token expiring at %s", tt.expiry, tt.now, r.status, r.raw, tt.want)
			}
		})
	}
}
