package gateway

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// diagSnapshot serves one API, "orders", whose key is "orders-key" (a
// subscription to product "gold"), with the given loggers and
// diagnostics.
func diagSnapshot(version int64, backend string, loggers map[string]snapshot.Logger, diags ...snapshot.Diagnostic) *snapshot.Snapshot {
	return &snapshot.Snapshot{
		Version: version,
		APIs: []snapshot.API{{ID: "orders", Path: "orders", ServiceURL: backend, SubscriptionRequired: true,
			KeyHeader: "Ocp-Apim-Subscription-Key", KeyQuery: "subscription-key",
			Operations: []snapshot.Operation{{ID: "get-order", Method: "GET", URLTemplate: "/{id}"}}},
			{ID: "open", Path: "open", ServiceURL: backend, KeyHeader: "k", KeyQuery: "k",
				Operations: []snapshot.Operation{{ID: "all", Method: "*", URLTemplate: "/*"}}}},
		Products: []snapshot.Product{{ID: "gold", Published: true, APIs: []string{"orders"}}},
		Subscriptions: []snapshot.Subscription{{ID: "alice-gold", Scope: "/products/gold", State: "active",
			Keys: []snapshot.KeyDigest{snapshot.DigestKey("orders-key")}}},
		Loggers:     loggers,
		Diagnostics: diags,
	}
}

// readRecords polls the file at p until it holds n records, and returns
// them; it fails the test when they do not come within 10 seconds.
func readRecords(t *testing.T, p string, n int) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		b, _ := os.ReadFile(p)
		var recs []map[string]any
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Fatalf("record %q: %v", sc.Text(), err)
			}
			recs = append(recs, m)
		}
		if len(recs) >= n {
			if bytes.Contains(b, []byte("orders-key")) {
				t.Errorf("a record holds the subscription key:\n%s", b)
			}
			return recs
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s holds %d records, want %d:\n%s", p, len(recs), n, b)
		}
		<-tick.C
	}
}

func TestDiagnosticsWriteRecordsToFileLoggers(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/fail") {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.Write([]byte(`{"id": 1}`))
	}))
	defer backend.Close()
	dir := t.TempDir()
	s := NewServer(Options{LoggerDir: dir})
	defer s.Close()
	reg := prometheus.NewRegistry()
	if err := s.RegisterMetrics(reg); err != nil {
		t.Fatal(err)
	}
	gw := httptest.NewServer(s)
	defer gw.Close()
	get := func(path, key string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", gw.URL+path, nil)
		if key != "" {
			req.Header.Set("Ocp-Apim-Subscription-Key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	// Sampling 100: one record per request, with what identifies it.
	all := map[string]snapshot.Logger{"requests": {Type: "file", Path: "gw/requests.jsonl"}}
	if err := s.Load(diagSnapshot(1, backend.URL, all,
		snapshot.Diagnostic{ID: "azuremonitor", Logger: "requests", Percentage: 100, LogClientIP: true,
			RequestHeaders: []string{"x-request-tag", "Ocp-Apim-Subscription-Key"}, ResponseHeaders: []string{"Content-Type", "X-Absent"}})); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if st := get("/orders/42?subscription-key=orders-key", ""); st != 200 {
			t.Fatalf("GET: %d", st)
		}
	}
	req, _ := http.NewRequest("GET", gw.URL+"/orders/43", nil)
	req.Header.Set("Ocp-Apim-Subscription-Key", "orders-key")
	req.Header.Add("X-Request-Tag", "a")
	req.Header.Add("X-Request-Tag", "b")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET with headers: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	recs := readRecords(t, filepath.Join(dir, "gw", "requests.jsonl"), 4)
	if len(recs) != 4 {
		t.Fatalf("%d records, want 4", len(recs))
	}
	// The named headers, never the key's.
	if h, _ := recs[3]["frontendRequestHeaders"].(map[string]any); len(h) != 1 || h["X-Request-Tag"] != "a, b" {
		t.Errorf("request headers of the record: %v, want X-Request-Tag only", recs[3]["frontendRequestHeaders"])
	}
	if h, _ := recs[3]["frontendResponseHeaders"].(map[string]any); len(h) != 1 || h["Content-Type"] == nil {
		t.Errorf("response headers of the record: %v, want Content-Type only", recs[3]["frontendResponseHeaders"])
	}
	if _, ok := recs[0]["frontendRequestHeaders"]; ok {
		t.Errorf("a request without the named headers: record %v", recs[0])
	}
	r := recs[0]
	for k, want := range map[string]any{"diagnostic": "azuremonitor", "method": "GET", "path": "/orders/42", "apiId": "orders",
		"operationId": "get-order", "productId": "gold", "subscriptionId": "alice-gold", "responseCode": 200.0, "clientIp": "127.0.0.1"} {
		if r[k] != want {
			t.Errorf("record %s = %v, want %v (record %v)", k, r[k], want, r)
		}
	}
	if _, err := time.Parse(time.RFC3339Nano, r["time"].(string)); err != nil {
		t.Errorf("record time: %v", err)
	}
	if d, _ := r["totalTimeMs"].(float64); d <= 0 {
		t.Errorf("record totalTimeMs = %v, want > 0", r["totalTimeMs"])
	}
	if _, ok := r["backendTimeMs"]; !ok {
		t.Errorf("record has no backendTimeMs: %v", r)
	}

	// Sampling 0 with alwaysLog allErrors: only the failed requests, with
	// why they failed; no client address unless asked.
	errs := map[string]snapshot.Logger{"errors": {Type: "file", Path: "errors.jsonl"}}
	if err := s.Load(diagSnapshot(2, backend.URL, errs,
		snapshot.Diagnostic{ID: "azuremonitor", Logger: "errors", Percentage: 0, AlwaysLogErrors: true})); err != nil {
		t.Fatal(err)
	}
	get("/orders/1", "orders-key")
	get("/open/x", "")
	get("/orders/fail", "orders-key")
	get("/orders/2", "wrong-key")
	get("/orders/3", "orders-key")
	get("/nowhere", "")
	recs = readRecords(t, filepath.Join(dir, "errors.jsonl"), 3)
	if len(recs) != 3 {
		t.Fatalf("%d records, want the 3 failed requests: %v", len(recs), recs)
	}
	if recs[0]["responseCode"] != 500.0 || recs[0]["path"] != "/orders/fail" {
		t.Errorf("first record %v, want the backend's 500", recs[0])
	}
	if recs[1]["responseCode"] != 401.0 || recs[1]["errorReason"] != "SubscriptionKeyInvalid" || recs[1]["subscriptionId"] != nil {
		t.Errorf("second record %v, want 401 SubscriptionKeyInvalid", recs[1])
	}
	if recs[2]["responseCode"] != 404.0 || recs[2]["errorReason"] != "OperationNotFound" {
		t.Errorf("third record %v, want 404 OperationNotFound", recs[2])
	}
	if _, ok := recs[0]["clientIp"]; ok {
		t.Errorf("record %v has the client's address, which was not asked for", recs[0])
	}

	// An API's diagnostic replaces the global one of the same id for it.
	both := map[string]snapshot.Logger{"errors": {Type: "file", Path: "errors.jsonl"}, "orders": {Type: "file", Path: "orders.jsonl"}}
	if err := s.Load(diagSnapshot(3, backend.URL, both,
		snapshot.Diagnostic{ID: "azuremonitor", Logger: "errors", Percentage: 0, AlwaysLogErrors: true},
		snapshot.Diagnostic{ID: "azuremonitor", API: "orders", Logger: "orders", Percentage: 100})); err != nil {
		t.Fatal(err)
	}
	get("/orders/7", "orders-key")
	get("/orders/fail", "orders-key")
	get("/open/fail", "")
	recs = readRecords(t, filepath.Join(dir, "orders.jsonl"), 2)
	if len(recs) != 2 || recs[0]["path"] != "/orders/7" || recs[1]["path"] != "/orders/fail" {
		t.Errorf("orders records %v, want both requests to orders", recs)
	}
	if recs = readRecords(t, filepath.Join(dir, "errors.jsonl"), 4); len(recs) != 4 || recs[3]["path"] != "/open/fail" {
		t.Errorf("error records %v, want the open API's failure added", recs)
	}

	// A file logger cannot leave the logger directory.
	bad := map[string]snapshot.Logger{"bad": {Type: "file", Path: "../out.jsonl"}}
	if err := s.Load(diagSnapshot(4, backend.URL, bad, snapshot.Diagnostic{ID: "d", Logger: "bad", Percentage: 100})); err == nil ||
		!strings.Contains(err.Error(), "logger bad") {
		t.Errorf("a path out of the logger directory: %v", err)
	}
}

func TestSinkDropsAndCountsWhenItsQueueIsFull(t *testing.T) {
	ss := newSinks("", &bytes.Buffer{}, nil)
	k := &sink{name: "stdout", queue: make(chan requestRecord, 1), dropped: ss.dropped.WithLabelValues("stdout")}
	rec := &requestRecord{Path: "/x"}
	k.put(rec)
	k.put(rec) // nobody writes: the queue is full
	reg := prometheus.NewRegistry()
	reg.MustRegister(ss.dropped)
	families, err := reg.Gather()
	if err != nil || len(families) != 1 || families[0].GetMetric()[0].GetCounter().GetValue() != 1 {
		t.Errorf("gatehouse_request_records_dropped_total: %v (%v), want 1", families, err)
	}
}
