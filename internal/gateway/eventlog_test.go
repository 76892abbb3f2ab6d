package gateway

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatehouse/gatehouse/internal/policy/builtin"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// hubMessageSeen is a message the Event Hubs stand-in accepted.
type hubMessageSeen struct {
	path, body, partitionKey string
}

// eventHubStandIn is an HTTPS server on loopback that accepts Event Hubs
// REST sends ("send event", "send partition event", "send batch events")
// whose SharedAccessSignature verifies with key.
type eventHubStandIn struct {
	*httptest.Server
	key      string
	mu       sync.Mutex
	messages []hubMessageSeen
	refused  int
	arrived  chan struct{}
}

func newEventHubStandIn(t *testing.T, p *pki, key string) *eventHubStandIn {
	t.Helper()
	h := &eventHubStandIn{key: key, arrived: make(chan struct{}, 100)}
	h.Server = httptest.NewUnstartedServer(http.HandlerFunc(h.serve))
	h.TLS = &tls.Config{Certificates: []tls.Certificate{p.server.TLS()}, MinVersion: tls.VersionTLS12}
	h.StartTLS()
	t.Cleanup(h.Close)
	return h
}

func (h *eventHubStandIn) serve(w http.ResponseWriter, r *http.Request) {
	if err := h.verify(r); err != "" {
		h.mu.Lock()
		h.refused++
		h.mu.Unlock()
		http.Error(w, err, http.StatusUnauthorized)
		h.arrived <- struct{}{}
		return
	}
	if r.URL.Query().Get("api-version") != "2014-01" {
		http.Error(w, "api-version", http.StatusBadRequest)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var got []hubMessageSeen
	switch ct := r.Header.Get("Content-Type"); ct {
	case "application/vnd.microsoft.servicebus.json":
		var batch []struct {
			Body             string
			BrokerProperties map[string]string
		}
		if err := json.Unmarshal(body, &batch); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for _, m := range batch {
			got = append(got, hubMessageSeen{path: r.URL.Path, body: m.Body, partitionKey: m.BrokerProperties["PartitionKey"]})
		}
	case "application/atom+xml;type=entry;charset=utf-8":
		var props map[string]string
		if bp := r.Header.Get("BrokerProperties"); bp != "" {
			if err := json.Unmarshal([]byte(bp), &props); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
		got = append(got, hubMessageSeen{path: r.URL.Path, body: string(body), partitionKey: props["PartitionKey"]})
	default:
		http.Error(w, "content type "+ct, http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	h.messages = append(h.messages, got...)
	h.mu.Unlock()
	w.WriteHeader(http.StatusCreated)
	h.arrived <- struct{}{}
}

// verify checks the SharedAccessSignature as Event Hubs does: the HMAC-
// SHA256 of "sr\nse" with the key, an expiry in the future, the key's
// name; it returns what is wrong, or "".
func (h *eventHubStandIn) verify(r *http.Request) string {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "SharedAccessSignature ")
	if !ok {
		return "no SharedAccessSignature"
	}
	f := map[string]string{}
	for _, kv := range strings.Split(tok, "&") {
		k, v, _ := strings.Cut(kv, "=")
		f[k] = v
	}
	se, err := strconv.ParseInt(f["se"], 10, 64)
	if err != nil || time.Unix(se, 0).Before(time.Now()) {
		return "expired"
	}
	sr, _ := url.QueryUnescape(f["sr"])
	if want := "https://" + r.Host + "/" + strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")[0]; sr != want {
		return "sr " + sr + " is not " + want
	}
	sig, _ := url.QueryUnescape(f["sig"])
	mac := hmac.New(sha256.New, []byte(h.key))
	mac.Write([]byte(f["sr"] + "\n" + f["se"]))
	if subtle.ConstantTimeCompare([]byte(sig), []byte(base64.StdEncoding.EncodeToString(mac.Sum(nil)))) != 1 || f["skn"] != "send" {
		return "signature"
	}
	return ""
}

func (h *eventHubStandIn) seen() ([]hubMessageSeen, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hubMessageSeen(nil), h.messages...), h.refused
}

// waitFor polls cond until it holds or 10 seconds have passed.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			t.Fatalf("gave up waiting: %s", what)
		case <-tick.C:
		}
	}
}

// eventSnapshot serves API orders whose inbound is policy, with logger
// "hub" l.
func eventSnapshot(t *testing.T, backend string, inbound string, l snapshot.Logger, p *pki) *snapshot.Snapshot {
	return &snapshot.Snapshot{Version: 1,
		APIs: []snapshot.API{{ID: "orders", Path: "orders", ServiceURL: backend, KeyHeader: "k", KeyQuery: "k",
			Policy:     `<policies><inbound>` + inbound + `</inbound><backend><forward-request /></backend></policies>`,
			Operations: []snapshot.Operation{{ID: "get", Method: "GET", URLTemplate: "/{id}"}}}},
		Policy:                 snapshot.PolicyEnv{Loggers: map[string]string{"hub": l.Type}},
		Loggers:                map[string]snapshot.Logger{"hub": l},
		Certificates:           p.certs(t),
		CertificateAuthorities: []snapshot.CertificateAuthority{{CertificateID: "backend-ca", Trusted: true}},
	}
}

func okBackend(t *testing.T) string {
	b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	t.Cleanup(b.Close)
	return b.URL
}

func serveWith(t *testing.T, opts Options, snap *snapshot.Snapshot) (*Server, string) {
	t.Helper()
	s := NewServer(opts)
	rt, err := s.Compile(snap)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	s.Install(rt)
	gw := httptest.NewServer(s)
	t.Cleanup(func() { gw.Close(); s.Close() })
	return s, gw.URL
}

func mustGet(t *testing.T, u string) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d", u, res.StatusCode)
	}
}

// TestLogToEventHubSendsToEventHubs: messages reach a stand-in for Event
// Hubs over TLS (its CA trusted as the gateway's certificate authority),
// signed with a SAS token that verifies with the connection string's
// key; the partition key arrives as BrokerProperties.
func TestLogToEventHubSendsToEventHubs(t *testing.T) {
	p := newPKI(t)
	const key = "c2VjcmV0LWtleS1mb3ItdGVzdHM="
	hub := newEventHubStandIn(t, p, key)
	host := strings.TrimPrefix(hub.URL, "https://")
	conn := "Endpoint=sb://" + host + "/;SharedAccessKeyName=send;SharedAccessKey=" + key + ";EntityPath=orders-hub"
	policy := `<log-to-eventhub logger-id="hub" partition-key="@(context.Request.Method)">@("order " + context.Request.MatchedParameters["id"])</log-to-eventhub>`
	_, gw := serveWith(t, Options{}, eventSnapshot(t, okBackend(t), policy, snapshot.Logger{Type: "azureEventHub", ConnectionString: conn}, p))
	mustGet(t, gw+"/orders/42")
	waitFor(t, "the first message", func() bool { m, _ := hub.seen(); return len(m) == 1 })
	m, refused := hub.seen()
	if want := (hubMessageSeen{path: "/orders-hub/messages", body: "order 42", partitionKey: "GET"}); m[0] != want || refused != 0 {
		t.Fatalf("hub got %+v (%d refused), want %+v", m, refused, want)
	}
	for i := 1; i <= 20; i++ {
		mustGet(t, gw+"/orders/"+strconv.Itoa(i))
	}
	waitFor(t, "20 more messages", func() bool { m, _ := hub.seen(); return len(m) == 21 })
	m, _ = hub.seen()
	seen := map[string]bool{}
	for _, x := range m[1:] {
		seen[x.body] = x.partitionKey == "GET"
	}
	for i := 1; i <= 20; i++ {
		if !seen["order "+strconv.Itoa(i)] {
			t.Errorf("message %d missing or without its partition key: %+v", i, m)
		}
	}
}

func TestLogToEventHubPartitionAndWrongKey(t *testing.T) {
	p := newPKI(t)
	hub := newEventHubStandIn(t, p, "right-key")
	host := strings.TrimPrefix(hub.URL, "https://")
	t.Run("partition-id", func(t *testing.T) {
		conn := "Endpoint=sb://" + host + "/;SharedAccessKeyName=send;SharedAccessKey=right-key"
		_, gw := serveWith(t, Options{}, eventSnapshot(t, okBackend(t), `<log-to-eventhub logger-id="hub" partition-id="1">to one</log-to-eventhub>`,
			snapshot.Logger{Type: "azureEventHub", ConnectionString: conn, EventHub: "audit"}, p))
		mustGet(t, gw+"/orders/1")
		waitFor(t, "the message", func() bool { m, _ := hub.seen(); return len(m) == 1 })
		if m, _ := hub.seen(); m[0] != (hubMessageSeen{path: "/audit/partitions/1/messages", body: "to one"}) {
			t.Errorf("hub got %+v", m)
		}
	})
	t.Run("wrong key", func(t *testing.T) {
		conn := "Endpoint=sb://" + host + "/;SharedAccessKeyName=send;SharedAccessKey=wrong-key;EntityPath=audit"
		s, gw := serveWith(t, Options{}, eventSnapshot(t, okBackend(t), `<log-to-eventhub logger-id="hub">refused</log-to-eventhub>`,
			snapshot.Logger{Type: "azureEventHub", ConnectionString: conn}, p))
		mustGet(t, gw+"/orders/1")
		waitFor(t, "the drop to be counted", func() bool {
			return counterValue(s.sinks.dropped.WithLabelValues("log-to-eventhub:hub")) == 1
		})
		if _, refused := hub.seen(); refused == 0 {
			t.Error("the stand-in refused nothing")
		}
	})
}

// TestLogToEventHubFileAndHTTPLoggers: a file logger gets JSON lines; an
// http logger gets JSON arrays with its headers.
func TestLogToEventHubFileAndHTTPLoggers(t *testing.T) {
	p := newPKI(t)
	policy := `<log-to-eventhub logger-id="hub">@(context.Request.Method + " " + context.Request.MatchedParameters["id"])</log-to-eventhub>`
	t.Run("file", func(t *testing.T) {
		dir := t.TempDir()
		_, gw := serveWith(t, Options{LoggerDir: dir}, eventSnapshot(t, okBackend(t), policy, snapshot.Logger{Type: "file", Path: "events/orders.jsonl"}, p))
		mustGet(t, gw+"/orders/7")
		var line eventLine
		waitFor(t, "the file's line", func() bool {
			b, _ := os.ReadFile(filepath.Join(dir, "events", "orders.jsonl"))
			return json.Unmarshal(b, &line) == nil
		})
		if line.Message != "GET 7" || line.Logger != "hub" || line.Time == "" {
			t.Errorf("file line %+v", line)
		}
	})
	t.Run("http", func(t *testing.T) {
		got := make(chan []eventLine, 10)
		collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer collector-token" || r.Header.Get("Content-Type") != "application/json" {
				http.Error(w, "who?", http.StatusUnauthorized)
				return
			}
			var lines []eventLine
			if err := json.NewDecoder(r.Body).Decode(&lines); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			got <- lines
		}))
		defer collector.Close()
		_, gw := serveWith(t, Options{}, eventSnapshot(t, okBackend(t), policy,
			snapshot.Logger{Type: "http", URL: collector.URL + "/ingest", Headers: map[string]string{"Authorization": "Bearer collector-token"}}, p))
		mustGet(t, gw+"/orders/8")
		select {
		case lines := <-got:
			if len(lines) != 1 || lines[0].Message != "GET 8" {
				t.Errorf("collector got %+v", lines)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the collector got nothing")
		}
	})
}

// TestEventQueueDropsWhenFull: with the destination stuck, put never
// blocks; what does not fit in the queue is dropped and counted.
func TestEventQueueDropsWhenFull(t *testing.T) {
	ss := newSinks("", io.Discard, slog.New(slog.DiscardHandler))
	release := make(chan struct{})
	es := &eventSender{name: "log-to-eventhub:stuck", queue: make(chan queuedEvent, eventQueue), stop: make(chan struct{}), done: make(chan struct{}),
		log: slog.New(slog.DiscardHandler), dropped: ss.dropped.WithLabelValues("x"), written: ss.written.WithLabelValues("x")}
	delivered := 0
	es.deliver = func(_ context.Context, batch []queuedEvent) error { <-release; delivered += len(batch); return nil }
	go es.run()
	const extra = 100
	for i := 0; i < eventQueue+eventMaxBatch+extra; i++ {
		es.put(builtin.Event{Logger: "stuck", Message: "m"})
	}
	if d := counterValue(es.dropped); d < extra {
		t.Errorf("dropped %v, want at least %d", d, extra)
	}
	close(release)
	close(es.stop)
	<-es.done
	if total := float64(delivered) + counterValue(es.dropped); total != eventQueue+eventMaxBatch+extra {
		t.Errorf("delivered %d + dropped %v, want %d in all", delivered, counterValue(es.dropped), eventQueue+eventMaxBatch+extra)
	}
}

// counterValue reads c through a registry of its own.
func counterValue(c prometheus.Counter) float64 {
	reg := prometheus.NewRegistry()
	if err := reg.Register(c); err != nil {
		return -1
	}
	mfs, err := reg.Gather()
	if err != nil || len(mfs) != 1 || len(mfs[0].GetMetric()) != 1 {
		return -1
	}
	return mfs[0].GetMetric()[0].GetCounter().GetValue()
}
