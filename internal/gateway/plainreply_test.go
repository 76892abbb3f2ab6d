package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"reflect"
	"strconv"
	"testing"
)

// TestPlainReplyAsReverseProxy: on the policy path, a plain backend
// response reaches the client as the relay's reply proxy writes it:
// the same status, fields and body, whether outbound read the body or
// not, with the fields its Connection field names and the hop-by-hop
// fields removed (h1 removes the backend's; outbound may set more).
func TestPlainReplyAsReverseProxy(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		switch r.URL.Path {
		case "/tokens":
			h["Connection"] = []string{"X-Secret, keep-alive", " X-Other "}
			h.Set("X-Secret", "s")
			h.Set("X-Other", "o")
			h.Set("Keep-Alive", "timeout=5")
			h.Set("Proxy-Authenticate", "Basic")
		case "/multi":
			h["X-Many"] = []string{"1", "2"}
			h.Set("Content-Type", "text/plain; charset=utf-8")
		case "/empty":
			w.WriteHeader(http.StatusNoContent)
			return
		case "/created":
			h.Set("Location", "/orders/7")
			w.WriteHeader(http.StatusCreated)
		}
		body := "body of " + r.URL.Path
		h.Set("Content-Length", strconv.Itoa(len(body)))
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	backend := srv.URL
	const readBody = `<outbound><set-header name="X-Len" exists-action="override">
	  <value>@(context.Response.Body.As<string>(preserveContent: true).Length.ToString())</value></set-header></outbound>`
	const setHopByHop = `<outbound><set-header name="Connection" exists-action="override"><value>X-Policy-Secret</value></set-header>
	  <set-header name="X-Policy-Secret" exists-action="override"><value>s</value></set-header>
	  <set-header name="Proxy-Authenticate" exists-action="override"><value>Basic</value></set-header></outbound>`
	for _, outbound := range []string{"", readBody, setHopByHop} {
		policy := `<policies><inbound><set-header name="X-Policy" exists-action="override"><value>in</value></set-header></inbound>
		  <backend><forward-request /></backend>` + outbound + `</policies>`
		plain := startGatewayWith(t, backend, policy, Options{})
		reply := startGatewayWith(t, backend, policy, Options{}, withProxyOnly)
		for _, path := range []string{"/tokens", "/multi", "/empty", "/created"} {
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				got, want := exchange(t, method, plain+path), exchange(t, method, reply+path)
				if got != want {
					t.Errorf("%s %s with %s:\nwritePlain:\n%s\nreply:\n%s", method, path, policy, got, want)
				}
			}
		}
	}
}

// exchange sends a request and returns the response without its Date.
func exchange(t *testing.T, method, url string) string {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	resp.Header.Del("Date")
	dump, err := httputil.DumpResponse(resp, true)
	if err != nil {
		t.Fatal(err)
	}
	return string(dump)
}

func TestRemoveHopByHop(t *testing.T) {
	h := http.Header{"Connection": {"X-A, keep-alive", " x-b "}, "X-A": {"1"}, "X-B": {"2"}, "Keep-Alive": {"5"},
		"Te": {"trailers"}, "Trailer": {"X-T"}, "Transfer-Encoding": {"chunked"}, "Upgrade": {"ws"},
		"Proxy-Connection": {"k"}, "Proxy-Authenticate": {"B"}, "Proxy-Authorization": {"B"}, "X-Kept": {"3"}}
	removeHopByHop(h)
	if want := (http.Header{"X-Kept": {"3"}}); !reflect.DeepEqual(h, want) {
		t.Errorf("removeHopByHop left %v, want %v", h, want)
	}
}

func TestContainsFold(t *testing.T) {
	for _, tt := range []struct {
		s    string
		want bool
	}{{"text/event-stream", true}, {" Text/Event-Stream; charset=utf-8", true}, {"application/json", false}, {"event-strea", false}, {"", false}} {
		if got := containsFold(tt.s, "event-stream"); got != tt.want {
			t.Errorf("containsFold(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

// TestCopyFields: copyFields adds src's fields to dst as Header.Add
// does, and an append to a copied field does not reach src.
func TestCopyFields(t *testing.T) {
	src := http.Header{"A": {"1", "2"}, "B": {"3"}, "x-lower": {"4"}, "Empty": {}}
	dst := http.Header{"B": {"0"}}
	want := dst.Clone()
	for k, vv := range src {
		for _, v := range vv {
			want.Add(k, v)
		}
	}
	copyFields(dst, src)
	if !reflect.DeepEqual(dst, want) {
		t.Fatalf("copyFields gives %v, want %v", dst, want)
	}
	dst["A"] = append(dst["A"], "x")
	if got := src["A"]; len(got) != 2 {
		t.Errorf("an append to the copy changed the source: %v", got)
	}
}
