package gateway

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// versionedSnapshot adds to testSnapshot a Query version set on "q" (v1,
// v2, no original; v1 has a revision 2) and a Header set on "h" (an
// original and v2).
func versionedSnapshot(backend string) *snapshot.Snapshot {
	snap := testSnapshot(backend)
	snap.APIs = snap.APIs[:3] // without the clash
	op := []snapshot.Operation{{ID: "all", Method: "*", URLTemplate: "/*"}}
	for _, a := range []struct{ id, path, set, version string }{
		{"q1", "q", "qs", "v1"}, {"q2", "q", "qs", "v2"}, {"h0", "h", "hs", ""}, {"h2", "h", "hs", "v2"},
	} {
		snap.APIs = append(snap.APIs, snapshot.API{ID: a.id, Path: a.path, ServiceURL: backend, KeyHeader: "k", KeyQuery: "k",
			VersionSet: a.set, Version: a.version, Operations: op})
	}
	snap.APIs = append(snap.APIs, snapshot.API{ID: "q1;rev=2", Path: "q", ServiceURL: backend, KeyHeader: "k", KeyQuery: "k",
		VersionSet: "qs", Version: "v1", Revision: "2", NotCurrent: true, Operations: op})
	snap.VersionSets = map[string]snapshot.VersionSet{"qs": {Scheme: "Query", Name: "api-version"}, "hs": {Scheme: "Header", Name: "api-version"}}
	return snap
}

func TestMatchRequestPicksTheVersion(t *testing.T) {
	rt, err := NewServer(Options{}).Compile(versionedSnapshot("http://127.0.0.1:9"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		target, header, wantAPI string
	}{
		{"/q/x?api-version=v1", "", "q1"},
		{"/q/x?api-version=V2", "", "q2"},
		{"/q/x?api-version=v3", "", ""},
		{"/q/x", "", ""},
		{"/h/x", "", "h0"},
		{"/h/x", "v2", "h2"},
		{"/h/x", "v3", ""},
		{"/shop/orders/1", "", "orders"},
		{"/q;rev=2/x?api-version=v1", "", "q1;rev=2"},
		{"/q;rev=2/x?api-version=v2", "", ""},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", tt.target, nil)
		if tt.header != "" {
			r.Header.Set("Api-Version", tt.header)
		}
		api, op, _ := rt.matchRequest(r)
		got := ""
		if op != nil {
			got = api.id
		}
		if got != tt.wantAPI {
			t.Errorf("GET %s (Api-Version %q): API %q, want %q", tt.target, tt.header, got, tt.wantAPI)
		}
	}
	for _, id := range []string{"q1", "q2", "h0", "h2"} {
		if _, ok := rt.APIVersion(id); !ok {
			t.Errorf("the runtime does not serve %s", id)
		}
	}
}

// BenchmarkRouteVersioned measures routing to a version read from the
// query string and from a header.
func BenchmarkRouteVersioned(b *testing.B) {
	s := NewServer(Options{})
	s.Load(versionedSnapshot("http://127.0.0.1:9"))
	for _, bc := range []struct{ name, target, header, want string }{
		{"query", "/q/orders/42?api-version=v2", "", "q2"},
		{"header", "/h/orders/42", "v2", "h2"},
	} {
		req := httptest.NewRequest("GET", bc.target, nil)
		if bc.header != "" {
			req.Header.Set("Api-Version", bc.header)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if api, op, _ := s.rt.Load().matchRequest(req); op == nil || api.id != bc.want {
					b.Fatal("no match")
				}
			}
		})
	}
}

// FuzzMatchRequest routes arbitrary paths, version query parameters and
// headers through a runtime with versions and revisions: no panic, an
// operation only with the version route that holds it, rest a suffix of
// the path, and without a version the same answer as match.
func FuzzMatchRequest(f *testing.F) {
	rt, err := NewServer(Options{}).Compile(versionedSnapshot("http://127.0.0.1:9"))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []struct{ path, query, header string }{
		{"/q/x", "api-version=v1", ""}, {"/q;rev=2/x", "api-version=v1", ""}, {"/q;rev=2", "api-version=v2", ""},
		{"/h/x", "", "v2"}, {"/h", "", ""}, {"/shop/orders/1", "", ""}, {"/", "", ""}, {"", "", ""}, {"/q;rev=", "api-version=%zz", ""},
	} {
		f.Add(seed.path, seed.query, seed.header)
	}
	f.Fuzz(func(t *testing.T, path, query, header string) {
		r := &http.Request{Method: "GET", URL: &url.URL{Path: path, RawQuery: query}, Header: http.Header{}}
		if header != "" {
			r.Header["Api-Version"] = []string{header}
		}
		api, op, rest := rt.matchRequest(r)
		if op != nil && (api == nil || api.picker != nil) {
			t.Fatalf("%q: an operation without its version's route", path)
		}
		if api != nil && !strings.HasSuffix(path, rest) {
			t.Fatalf("%q: rest %q is not a suffix", path, rest)
		}
		if query == "" && header == "" {
			a2, op2, rest2 := rt.match("GET", path)
			if a2 != api || op2 != op || rest2 != rest {
				t.Fatalf("%q: match and matchRequest disagree", path)
			}
		}
	})
}
