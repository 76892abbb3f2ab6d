package mgmt

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
)

// batchOf returns a batch body of requests given as method, URL and body
// (a JSON text; empty for none).
func batchOf(t *testing.T, reqs ...[3]string) string {
	t.Helper()
	var out []map[string]any
	for i, r := range reqs {
		sub := map[string]any{"id": fmt.Sprint(i + 1), "method": r[0], "url": r[1]}
		if r[2] != "" {
			sub["body"] = json.RawMessage(r[2])
		}
		out = append(out, sub)
	}
	b, err := json.Marshal(map[string]any{"requests": out})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const (
	batchNamedValue = `{"properties":{"displayName":"greeting","value":"hello"}}`
	batchAPI        = `{"properties":{"displayName":"Echo","path":"echo","serviceUrl":"http://127.0.0.1:9"}}`
	batchOperation  = `{"properties":{"method":"GET","urlTemplate":"/items"}}`
	batchPolicy     = `{"properties":{"format":"xml","value":"<policies><inbound><base /><set-header name=\"x-greeting\" exists-action=\"override\"><value>{{greeting}}</value></set-header></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>"}}`
)

func TestBatchStoresEveryRequestInOneTransaction(t *testing.T) {
	a := newTestAPI(t)
	before := a.version()
	// Requests run in order, each seeing the ones before it.
	r := a.do("POST", "/batch", batchOf(t,
		[3]string{"PUT", "/namedValues/greeting", batchNamedValue},
		[3]string{"PUT", "/apis/echo", batchAPI},
		[3]string{"PUT", "/mgmt/apis/echo/operations/get", batchOperation},
		[3]string{"PUT", "/apis/echo/policy", batchPolicy},
		[3]string{"GET", "/apis/echo/operations", ""},
	))
	if r.status != 200 {
		t.Fatalf("batch: %d %s", r.status, r.raw)
	}
	answers := r.body["responses"].([]any)
	var statuses []string
	for _, x := range answers {
		m := x.(map[string]any)
		statuses = append(statuses, fmt.Sprintf("%v:%v", m["id"], m["status"]))
	}
	if got, want := strings.Join(statuses, " "), "1:201 2:201 3:201 4:201 5:200"; got != want {
		t.Errorf("answers %s, want %s", got, want)
	}
	if list := answers[4].(map[string]any)["body"].(map[string]any)["value"].([]any); len(list) != 1 {
		t.Errorf("a GET inside the batch sees the batch's writes: %d operations", len(list))
	}
	if got := a.version(); got != before+1 {
		t.Errorf("store version %d after the batch, want %d: one transaction", got, before+1)
	}
	a.must("GET", "/apis/echo/operations/get", "")
	a.must("GET", "/namedValues/greeting", "")
}

func TestFailedBatchChangesNothingAndNamesEveryProblem(t *testing.T) {
	a := newTestAPI(t)
	a.must("PUT", "/apis/kept", `{"properties":{"displayName":"Kept","path":"kept","serviceUrl":"http://127.0.0.1:9"}}`)
	before := a.version()
	r := a.do("POST", "/batch", batchOf(t,
		[3]string{"PUT", "/namedValues/greeting", batchNamedValue},
		[3]string{"PUT", "/apis/bad", `{"properties":{"displayName":"Bad","path":"../x"}}`},
		[3]string{"DELETE", "/apis/kept", ""},
		[3]string{"PUT", "/apis/worse", `{"properties":{"path":"worse","colour":"red"}}`},
	))
	if r.status != 400 {
		t.Fatalf("batch with bad requests: %d %s, want 400", r.status, r.raw)
	}
	code, target, msg := errorOf(t, r)
	if code != "BatchFailed" {
		t.Errorf("code %s, want BatchFailed", code)
	}
	if target != "requests[1].properties.path" || !strings.Contains(msg, "PUT /apis/bad: ") {
		t.Errorf("first detail %s: %s; want requests[1].properties.path naming the request", target, msg)
	}
	if !strings.Contains(r.raw, `"requests[3].properties.colour"`) {
		t.Errorf("the second problem is not named: %s", r.raw)
	}
	if !strings.Contains(r.raw, "2 of 4 requests failed; nothing was changed.") {
		t.Errorf("message: %s", r.raw)
	}
	if got := a.version(); got != before {
		t.Errorf("store version moved from %d to %d: the batch was not rolled back", before, got)
	}
	a.must("GET", "/apis/kept", "")
	if r := a.do("GET", "/namedValues/greeting", ""); r.status != 404 {
		t.Errorf("named value of a failed batch: %d, want 404", r.status)
	}
}

func TestBatchThatBreaksAnAPIIsRefused(t *testing.T) {
	a := newTestAPI(t)
	a.must("POST", "/batch", batchOf(t,
		[3]string{"PUT", "/namedValues/greeting", batchNamedValue},
		[3]string{"PUT", "/apis/echo", batchAPI},
		[3]string{"PUT", "/apis/echo/policy", batchPolicy},
	))
	before := a.version()
	r := a.do("POST", "/batch", batchOf(t,
		[3]string{"PUT", "/apis/other", `{"properties":{"displayName":"Other","path":"other","serviceUrl":"http://127.0.0.1:9"}}`},
		[3]string{"DELETE", "/namedValues/greeting", ""},
	))
	if r.status != 409 || !strings.Contains(r.raw, "API echo") {
		t.Fatalf("batch deleting a used named value: %d %s, want 409 naming API echo", r.status, r.raw)
	}
	if got := a.version(); got != before {
		t.Errorf("store version moved from %d to %d", before, got)
	}
	if r := a.do("GET", "/apis/other", ""); r.status != 404 {
		t.Errorf("API of a refused batch: %d, want 404", r.status)
	}
}

func TestBatchDryRunChecksAndKeepsNothing(t *testing.T) {
	a := newTestAPI(t)
	before := a.version()
	ok := batchOf(t, [3]string{"PUT", "/apis/echo", batchAPI}, [3]string{"PUT", "/apis/echo/operations/get", batchOperation})
	r := a.do("POST", "/batch?dryRun=true", ok)
	if r.status != 200 || r.body["dryRun"] != true {
		t.Fatalf("dry run: %d %s", r.status, r.raw)
	}
	// A policy that uses a missing named value fails the dry run, as it
	// would fail the batch.
	r = a.do("POST", "/batch?dryRun=true", batchOf(t,
		[3]string{"PUT", "/apis/echo", batchAPI},
		[3]string{"PUT", "/apis/echo/policy", batchPolicy}))
	if r.status != 400 || !strings.Contains(r.raw, "named value {{greeting}} does not exist") {
		t.Errorf("dry run of a batch that does not compile: %d %s", r.status, r.raw)
	}
	if got := a.version(); got != before {
		t.Errorf("store version moved from %d to %d after dry runs", before, got)
	}
	if r := a.do("GET", "/apis/echo", ""); r.status != 404 {
		t.Errorf("API after a dry run: %d, want 404", r.status)
	}
	a.must("POST", "/batch", ok)
	a.must("GET", "/apis/echo/operations/get", "")
}

func TestBadBatchesAreRefused(t *testing.T) {
	a := newTestAPI(t)
	tests := []struct{ name, query, body, target string }{
		{"no requests", "", `{"requests":[]}`, "requests"},
		{"nested batch", "", `{"requests":[{"method":"POST","url":"/batch","body":{"requests":[]}}]}`, "requests[0].url"},
		{"absolute URL", "", `{"requests":[{"method":"GET","url":"http://example.com/mgmt/apis"}]}`, "requests[0].url"},
		{"unknown method", "", `{"requests":[{"method":"TRACE","url":"/apis"}]}`, "requests[0].method"},
		{"duplicate ids", "", `{"requests":[{"id":"a","method":"GET","url":"/apis"},{"id":"a","method":"GET","url":"/apis"}]}`, "requests[1].id"},
		{"unknown field", "", `{"requests":[{"method":"GET","url":"/apis","verb":"x"}]}`, "requests[0].verb"},
		{"misspelt dry run", "?dryRun=yes", `{"requests":[{"method":"GET","url":"/apis"}]}`, "dryRun"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.do("POST", "/batch"+tt.query, tt.body)
			if _, target, _ := errorOf(t, r); r.status != 400 || target != tt.target {
				t.Errorf("%d %s, want 400 naming %s", r.status, r.raw, tt.target)
			}
		})
	}
}

func TestBatchBodyLimits(t *testing.T) {
	a := newTestAPI(t)
	srv := httptest.NewServer(NewServer(Options{Store: a.store, AdminToken: "admin-token", MaxBodyBytes: 4 << 10, MaxBatchBytes: 64 << 10}))
	t.Cleanup(srv.Close)
	a.url = srv.URL + "/mgmt"
	desc := strings.Repeat("d", 3000)
	var reqs [][3]string
	for i := range 4 {
		reqs = append(reqs, [3]string{"PUT", fmt.Sprintf("/apis/a%d", i),
			fmt.Sprintf(`{"properties":{"displayName":"A","path":"a%d","serviceUrl":"http://127.0.0.1:9","description":%q}}`, i, desc)})
	}
	if r := a.do("POST", "/batch", batchOf(t, reqs...)); r.status != 200 {
		t.Errorf("a batch over the request limit but under the batch limit: %d %s", r.status, r.raw)
	}
	big := fmt.Sprintf(`{"properties":{"displayName":"A","path":"big","description":%q}}`, strings.Repeat("d", 5000))
	if r := a.do("POST", "/batch", batchOf(t, [3]string{"PUT", "/apis/big", big})); r.status != 413 {
		t.Errorf("a request of a batch over the request limit: %d %s, want 413", r.status, r.raw)
	}
	if r := a.do("POST", "/batch", strings.Repeat(" ", 65<<10)); r.status != 413 {
		t.Errorf("a batch over the batch limit: %d, want 413", r.status)
	}
}
