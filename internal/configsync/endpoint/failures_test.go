package endpoint

import (
	"net/http"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/configsync"
	"github.com/gatehouse/gatehouse/internal/gatewaykey"
	"github.com/gatehouse/gatehouse/internal/model"
)

// request fetches gateway's snapshot with the given Authorization header
// and returns the response, its body closed.
func (f *fixture) request(gateway, auth string) *http.Response {
	f.t.Helper()
	req, _ := http.NewRequest("GET", configsync.SnapshotURL(f.url, gateway, -1), nil)
	req.Header.Set("Authorization", auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestRepeatedFailuresAreSlowedDown: after 10 failures within a minute
// from one address for one gateway, further failures for it are answered
// 429; a valid token is still accepted, and failures for one gateway slow
// nobody down who authenticates as another from the same address.
func TestRepeatedFailuresAreSlowedDown(t *testing.T) {
	f := newFixture(t)
	keys, neighbour := gatewaykey.NewKeys(), gatewaykey.NewKeys()
	f.put(model.KindGateway, "", "edge", &model.Gateway{}, keys)
	f.put(model.KindGateway, "", "next-door", &model.Gateway{}, neighbour)
	const bad = "GatewayKey edge&202601010000&bad"
	for range 10 {
		if got := f.get("edge", bad); got != 401 {
			t.Fatalf("status %d, want 401", got)
		}
	}
	resp := f.request("edge", bad)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "60" {
		t.Fatalf("failure 11: %d, Retry-After %q; want 429 and 60", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	valid := gatewaykey.Mint("edge", f.now().Add(time.Hour), keys.Primary)
	if got := f.get("edge", valid); got != 200 {
		t.Errorf("a valid token while its address is throttled: %d, want 200", got)
	}
	if got := f.get("EDGE", bad); got != http.StatusTooManyRequests {
		t.Errorf("the same gateway in another case: %d, want 429", got)
	}
	if got := f.get("next-door", "GatewayKey next-door&202601010000&bad"); got != 401 {
		t.Errorf("a failure for another gateway from the same address: %d, want 401", got)
	}
	if got := f.get("next-door", gatewaykey.Mint("next-door", f.now().Add(time.Hour), neighbour.Primary)); got != 200 {
		t.Errorf("another gateway from the same address: %d, want 200", got)
	}
	f.advance(61 * time.Second)
	if got := f.get("edge", bad); got != 401 {
		t.Errorf("after the window: %d, want 401", got)
	}
}
