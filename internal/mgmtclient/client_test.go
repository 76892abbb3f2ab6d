package mgmtclient

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/control"
	"github.com/gatehouse/gatehouse/internal/mgmt"
	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

// newClient returns a client of a real management API over SQLite.
func newClient(t *testing.T) *Client {
	t.Helper()
	sealer, err := secret.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "db"), sealer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := control.Bootstrap(t.Context(), st); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mgmt.NewServer(mgmt.Options{Store: st, AdminToken: "tok"}))
	t.Cleanup(srv.Close)
	c, err := New(Options{Endpoint: srv.URL + "/mgmt/", Token: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClient(t *testing.T) {
	c := newClient(t)
	ctx := t.Context()

	groups, err := c.List(ctx, "/groups?$top=1")
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 3 {
		t.Errorf("List followed nextLink to %d groups, want the 3 built-in ones", len(groups))
	}

	res, err := c.Put(ctx, "/apis/echo", map[string]any{"path": "echo"})
	if err != nil {
		t.Fatal(err)
	}
	var props struct{ Path string }
	if err := json.Unmarshal(res.Properties, &props); err != nil || res.Name != "echo" || props.Path != "echo" {
		t.Errorf("Put = %s %s, %v", res.Name, res.Properties, err)
	}
	if _, err := c.Get(ctx, "/apis/nope"); !IsNotFound(err) {
		t.Errorf("Get of a missing API: %v, want a 404", err)
	}
	_, err = c.Put(ctx, "/apis/bad", map[string]any{"path": "a b"})
	var e *Error
	if !errors.As(err, &e) || e.Status != 400 || len(e.Details) == 0 || e.Details[0].Target != "properties.path" {
		t.Errorf("Put of an invalid API: %#v", err)
	}
	if err == nil || !strings.Contains(err.Error(), "PUT /mgmt/apis/bad: 400 ValidationError") || !strings.Contains(err.Error(), "properties.path:") {
		t.Errorf("error text %q", err)
	}
	if err := c.Delete(ctx, "/apis/echo"); err != nil {
		t.Error(err)
	}
	if err := c.Delete(ctx, "/apis/echo"); err != nil {
		t.Errorf("deleting a missing API: %v", err)
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	for _, o := range []Options{{Token: "t"}, {Endpoint: "http://x"}, {Endpoint: "ftp://x", Token: "t"}} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) succeeded", o)
		}
	}
}
