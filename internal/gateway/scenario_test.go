package gateway

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/gatehouse/gatehouse/internal/oauthtest"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// TestScenarios runs every testdata/scenarios/*.txtar file: a policy
// (policy.xml, at the API scope), a request, what the backend must see
// (upstream-sees, optional) and the response the client must get. The
// request line and headers use HTTP's text form; headers listed are
// checked, others are ignored; a body, when given, must match exactly.
// {{backend}} is a named value holding the backend's URL; a
// named-values.json part adds more. The API "Orders API" (id orders) is
// in the product "Starter plan" (id starter), to which the subscription
// "Ann on Starter" (id ann-starter) has the key scenario-key-0001.
// Optional parts: operations (the API's operations, one "id METHOD
// /template" a line) or operations.json (as snapshot.Operation JSON),
// schemas.json (global schemas by id, as snapshot.Schema JSON),
// fragment-ID.xml (the policy fragment ID), backend-response (what the
// backend answers, in text form), and a request header
// "Transfer-Encoding: chunked" sends the body without a length. A
// proxy-sees part starts a forward proxy on loopback whose URL is the
// named value {{proxy}} (credentials gw and pw): its first line is the
// last request the proxy sent on, "METHOD /path" (the proxy got it in
// absolute form), and its headers those the proxy must have seen. An
// events-sent part starts a collector on loopback behind the http logger
// "events": the messages log-to-eventhub sends it, one a line, in order.
// A credential-manager part starts an OAuth token endpoint on loopback
// (oauthtest) behind the authorization provider "partner", whose
// authorization "svc" is a ClientCredentials connection and "user" an
// AuthorizationCode one; the part's text is ignored.
func TestScenarios(t *testing.T) {
	files, _ := filepath.Glob("testdata/scenarios/*.txtar")
	if len(files) < 5 {
		t.Fatalf("found %d scenarios", len(files))
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			parts := map[string]string{}
			for _, f := range ar.Files {
				parts[f.Name] = string(f.Data)
			}
			runScenario(t, parts)
		})
	}
}

// message is a request or response in text form.
type message struct {
	line    string
	header  http.Header
	body    string
	hasBody bool
}

func parseMessage(t *testing.T, s string) message {
	t.Helper()
	head, body, hasBody := strings.Cut(s, "\n\n")
	sc := bufio.NewScanner(strings.NewReader(head))
	m := message{header: http.Header{}, body: strings.TrimSuffix(body, "\n"), hasBody: hasBody}
	for i := 0; sc.Scan(); i++ {
		if i == 0 {
			m.line = strings.TrimSpace(sc.Text())
			continue
		}
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			t.Fatalf("bad header line %q", sc.Text())
		}
		m.header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return m
}

func runScenario(t *testing.T, parts map[string]string) {
	var seen *http.Request
	var seenBody string
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		seen, seenBody = r, string(b)
		if br, ok := parts["backend-response"]; ok {
			m := parseMessage(t, br)
			for k, v := range m.header {
				w.Header()[k] = v
			}
			code, _ := strconv.Atoi(m.line)
			w.WriteHeader(code)
			io.WriteString(w, m.body)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Backend", "orders")
		json.NewEncoder(w).Encode(map[string]any{"id": 42, "name": "Widget", "price": 9.5, "internal": "secret"})
	}))
	defer backend.Close()

	ops := []snapshot.Operation{{ID: "get-order", Name: "Get an order", Method: "GET", URLTemplate: "/{id}"}, {ID: "any", Method: "*", URLTemplate: "/*"}}
	if js, ok := parts["operations.json"]; ok {
		ops = nil
		if err := json.Unmarshal([]byte(js), &ops); err != nil {
			t.Fatalf("operations.json: %v", err)
		}
	}
	snap := &snapshot.Snapshot{Version: 1,
		APIs: []snapshot.API{{ID: "orders", Name: "Orders API", Path: "orders", ServiceURL: backend.URL + "/base", SubscriptionRequired: false,
			KeyHeader: "Ocp-Apim-Subscription-Key", KeyQuery: "subscription-key", Policy: parts["policy.xml"],
			Operations: ops}},
		Products: []snapshot.Product{{ID: "starter", Name: "Starter plan", Published: true, APIs: []string{"orders"}}},
		Subscriptions: []snapshot.Subscription{{ID: "ann-starter", Name: "Ann on Starter", Scope: "/products/starter", State: "active",
			Keys: []snapshot.KeyDigest{snapshot.DigestKey("scenario-key-0001")}}},
		Policy: snapshot.PolicyEnv{NamedValues: map[string]string{"backend": backend.URL, "env-name": "staging"}},
	}
	if ops, ok := parts["operations"]; ok {
		snap.APIs[0].Operations = nil
		for _, line := range strings.Split(strings.TrimSpace(ops), "\n") {
			f := strings.Fields(line)
			if len(f) != 3 {
				t.Fatalf("operations: %q is not \"id METHOD /template\"", line)
			}
			snap.APIs[0].Operations = append(snap.APIs[0].Operations, snapshot.Operation{ID: f[0], Method: f[1], URLTemplate: f[2]})
		}
	}
	for name, src := range parts {
		if id, ok := strings.CutPrefix(name, "fragment-"); ok {
			if snap.Policy.Fragments == nil {
				snap.Policy.Fragments = map[string]string{}
			}
			snap.Policy.Fragments[strings.ToLower(strings.TrimSuffix(id, ".xml"))] = src
		}
	}
	if nv, ok := parts["named-values.json"]; ok {
		var more map[string]string
		if err := json.Unmarshal([]byte(nv), &more); err != nil {
			t.Fatalf("named-values.json: %v", err)
		}
		for k, v := range more {
			snap.Policy.NamedValues[strings.ToLower(k)] = v
		}
	}
	if js, ok := parts["schemas.json"]; ok {
		if err := json.Unmarshal([]byte(js), &snap.Policy.Schemas); err != nil {
			t.Fatalf("schemas.json: %v", err)
		}
	}
	var fp *forwardProxy
	if _, ok := parts["proxy-sees"]; ok {
		fp = newForwardProxy(t, "gw", "pw", nil)
		snap.Policy.NamedValues["proxy"] = fp.URL
	}
	var collected chan eventLine
	if _, ok := parts["events-sent"]; ok {
		collected = make(chan eventLine, 100)
		c := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var lines []eventLine
			json.NewDecoder(r.Body).Decode(&lines)
			for _, l := range lines {
				collected <- l
			}
		}))
		defer c.Close()
		snap.Loggers = map[string]snapshot.Logger{"events": {Type: "http", URL: c.URL}}
		snap.Policy.Loggers = map[string]string{"events": "http"}
	}
	if _, ok := parts["credential-manager"]; ok {
		e := oauthtest.NewEndpoint(t)
		e.AddClient("gw-client", "gw-secret")
		snap.AuthorizationProviders = map[string]snapshot.AuthorizationProvider{"partner": {IdentityProvider: "oauth2", TokenURL: e.URL,
			ClientID: "gw-client", ClientSecret: "gw-secret", Scopes: "orders.read",
			Authorizations: map[string]snapshot.ProviderAuthorization{"svc": {GrantType: "ClientCredentials"}, "user": {GrantType: "AuthorizationCode"}}}}
	}
	s := NewServer(Options{})
	defer s.Close()
	rt, err := s.Compile(snap)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	s.Install(rt)
	if rt.apis["orders"] == nil {
		t.Fatal("the API was left out")
	}

	reqMsg := parseMessage(t, parts["request"])
	method, target, _ := strings.Cut(reqMsg.line, " ")
	req := httptest.NewRequest(method, target, strings.NewReader(reqMsg.body))
	req.Header = reqMsg.header
	if reqMsg.header.Get("Transfer-Encoding") == "chunked" { // a body of unknown length
		req.Header.Del("Transfer-Encoding")
		req.ContentLength, req.TransferEncoding = -1, []string{"chunked"}
		req.Body = io.NopCloser(io.MultiReader(strings.NewReader(reqMsg.body)))
	} else if reqMsg.body != "" {
		req.Header.Set("Content-Length", strconv.Itoa(len(reqMsg.body)))
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)

	if up, ok := parts["upstream-sees"]; ok {
		want := parseMessage(t, up)
		if seen == nil {
			t.Fatal("the backend was not called")
		}
		got := seen.Method + " " + seen.URL.RequestURI()
		if got != want.line {
			t.Errorf("backend saw %s, want %s", got, want.line)
		}
		checkHeaders(t, "backend", seen.Header, want.header)
		if want.hasBody && seenBody != want.body {
			t.Errorf("backend body = %q, want %q", seenBody, want.body)
		}
	} else if _, never := parts["upstream-not-called"]; never && seen != nil {
		t.Errorf("the backend was called: %s %s", seen.Method, seen.URL)
	}

	if fp != nil {
		checkProxySees(t, fp, parseMessage(t, parts["proxy-sees"]), backend.URL)
	}
	if collected != nil {
		for _, want := range strings.Split(strings.TrimSpace(parts["events-sent"]), "\n") {
			select {
			case got := <-collected:
				if got.Message != want {
					t.Errorf("the logger got %q, want %q", got.Message, want)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("the logger did not get %q", want)
			}
		}
	}

	want := parseMessage(t, parts["response"])
	if strconv.Itoa(w.Code) != want.line {
		t.Errorf("status %d, want %s (body %s)", w.Code, want.line, w.Body)
	}
	checkHeaders(t, "response", w.Result().Header, want.header)
	if want.hasBody && strings.TrimSpace(w.Body.String()) != strings.TrimSpace(want.body) {
		t.Errorf("response body = %s, want %s", w.Body, want.body)
	}
}

func checkHeaders(t *testing.T, what string, got, want http.Header) {
	t.Helper()
	names := make([]string, 0, len(want))
	for k := range want {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if g, w := strings.Join(got.Values(k), ", "), strings.Join(want.Values(k), ", "); g != w {
			t.Errorf("%s header %s = %q, want %q", what, k, g, w)
		}
	}
}

// checkProxySees checks the last request fp sent on, to backend.
func checkProxySees(t *testing.T, fp *forwardProxy, want message, backend string) {
	t.Helper()
	fp.mu.Lock()
	defer fp.mu.Unlock()
	if len(fp.lines) == 0 {
		t.Fatal("no request went through the proxy")
	}
	method, path, _ := strings.Cut(want.line, " ")
	if got := fp.lines[len(fp.lines)-1]; got != method+" "+backend+path {
		t.Errorf("the proxy got %s, want %s %s%s", got, method, backend, path)
	}
	if got, w := fp.auth[len(fp.auth)-1], want.header.Get("Proxy-Authorization"); got != w {
		t.Errorf("the proxy saw Proxy-Authorization %q, want %q", got, w)
	}
}
