package gateway

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"golang.org/x/tools/txtar"

	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// TestLLMScenarios runs every testdata/llm/*.txtar file through a
// gateway and an OpenAI-shaped backend, both on loopback:
//
//   - policy.xml: the API's policy;
//   - backend: the answer the backend gives every request (status line,
//     headers, blank line, body); a text/event-stream body is sent one
//     event at a time, each flushed; requests to .../embeddings (the
//     backend entity "embeddings") get an embedding of their input, and
//     /contentsafety/... (the backend entity "contentsafety") Azure AI
//     Content Safety's answers;
//   - "N request" and "N response" (N = 1, 2, ...): requests sent in
//     order and what each answer must be (headers listed are checked, a
//     body given must match exactly); a "N upstream-not-called" file
//     says the backend must not see request N;
//   - metrics (optional): lines the gateway's Prometheus registry must
//     hold after the requests, in the text format, each exactly.
func TestLLMScenarios(t *testing.T) {
	files, _ := filepath.Glob("testdata/llm/*.txtar")
	if len(files) == 0 {
		t.Fatal("no scenarios")
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
			runLLMScenario(t, parts)
		})
	}
}

// llmBackend answers every request with m, streaming an event stream
// event by event; calls counts the requests.
func llmBackend(m message, calls *int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/embeddings") {
			embeddings(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/contentsafety/") {
			contentSafety(w, r)
			return
		}
		io.Copy(io.Discard, r.Body)
		*calls++
		for k, v := range m.header {
			w.Header()[k] = v
		}
		code, _ := strconv.Atoi(m.line)
		w.WriteHeader(code)
		if m.header.Get("Content-Type") != "text/event-stream" {
			io.WriteString(w, m.body+"\n")
			return
		}
		for _, ev := range strings.SplitAfter(m.body+"\n", "\n\n") {
			io.WriteString(w, ev)
			http.NewResponseController(w).Flush()
		}
	}
}

// embeddings answers an embeddings request as an OpenAI-shaped backend
// would, with a vector of 26 letter counts of the input: texts with the
// same letters are close.
func embeddings(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Input string `json:"input"`
	}
	json.NewDecoder(r.Body).Decode(&in)
	vec := make([]float64, 26)
	for _, ch := range strings.ToLower(in.Input) {
		if ch >= 'a' && ch <= 'z' {
			vec[ch-'a']++
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": []any{map[string]any{"object": "embedding", "index": 0, "embedding": vec}},
		"usage": map[string]int{"prompt_tokens": 5, "total_tokens": 5}})
}

// contentSafety answers as Azure AI Content Safety would: text:analyze
// finds Hate of severity 4 in a text with "hate" in it (2 with "dislike")
// and blocklist "words" in one with "forbidden"; text:shieldPrompt
// detects an attack in one with "ignore previous instructions".
func contentSafety(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Text       string   `json:"text"`
		UserPrompt string   `json:"userPrompt"`
		Categories []string `json:"categories"`
		Blocklists []string `json:"blocklistNames"`
	}
	json.NewDecoder(r.Body).Decode(&in)
	w.Header().Set("Content-Type", "application/json")
	if strings.HasSuffix(r.URL.Path, "text:shieldPrompt") {
		json.NewEncoder(w).Encode(map[string]any{"userPromptAnalysis": map[string]bool{"attackDetected": strings.Contains(strings.ToLower(in.UserPrompt), "ignore previous instructions")}, "documentsAnalysis": []any{}})
		return
	}
	text := strings.ToLower(in.Text)
	var cats []map[string]any
	for _, c := range in.Categories {
		sev := 0
		if c == "Hate" && strings.Contains(text, "hate") {
			sev = 4
		} else if c == "Hate" && strings.Contains(text, "dislike") {
			sev = 2
		}
		cats = append(cats, map[string]any{"category": c, "severity": sev})
	}
	matches := []map[string]string{}
	if len(in.Blocklists) > 0 && strings.Contains(text, "forbidden") {
		matches = append(matches, map[string]string{"blocklistName": in.Blocklists[0], "blocklistItemId": "1", "blocklistItemText": "forbidden"})
	}
	json.NewEncoder(w).Encode(map[string]any{"blocklistsMatch": matches, "categoriesAnalysis": cats})
}

func runLLMScenario(t *testing.T, parts map[string]string) {
	calls := 0
	backend := httptest.NewServer(llmBackend(parseMessage(t, parts["backend"]), &calls))
	defer backend.Close()
	snap := &snapshot.Snapshot{Version: 1,
		APIs: []snapshot.API{{ID: "openai", Path: "openai", ServiceURL: backend.URL, KeyHeader: "Ocp-Apim-Subscription-Key", KeyQuery: "subscription-key",
			Policy: parts["policy.xml"], Operations: []snapshot.Operation{{ID: "chat", Method: "POST", URLTemplate: "/chat/completions"}, {ID: "any", Method: "*", URLTemplate: "/*"}}}},
		Backends: map[string]snapshot.Backend{"embeddings": {URL: backend.URL + "/openai/deployments/embed/embeddings"}, "contentsafety": {URL: backend.URL}},
		Policy:   snapshot.PolicyEnv{Backends: map[string]string{"embeddings": backend.URL + "/openai/deployments/embed/embeddings", "contentsafety": backend.URL}},
	}
	s := NewServer(Options{})
	defer s.Close()
	reg := prometheus.NewPedanticRegistry()
	if err := s.RegisterMetrics(reg); err != nil {
		t.Fatal(err)
	}
	rt, err := s.Compile(snap)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	s.Install(rt)
	gw := httptest.NewServer(s)
	defer gw.Close()

	for i := 1; ; i++ {
		reqText, ok := parts[fmt.Sprintf("%d request", i)]
		if !ok {
			if i == 1 {
				t.Fatal("no requests")
			}
			break
		}
		before := calls
		reqMsg := parseMessage(t, reqText)
		method, target, _ := strings.Cut(reqMsg.line, " ")
		req, _ := http.NewRequest(method, gw.URL+target, strings.NewReader(reqMsg.body))
		req.Header = reqMsg.header
		res, err := gw.Client().Do(req)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		want := parseMessage(t, parts[fmt.Sprintf("%d response", i)])
		if strconv.Itoa(res.StatusCode) != want.line {
			t.Errorf("request %d: status %d, want %s (body %s)", i, res.StatusCode, want.line, body)
		}
		checkHeaders(t, fmt.Sprintf("request %d: response", i), res.Header, want.header)
		if want.hasBody && strings.TrimSpace(string(body)) != strings.TrimSpace(want.body) {
			t.Errorf("request %d: body = %s, want %s", i, body, want.body)
		}
		if _, never := parts[fmt.Sprintf("%d upstream-not-called", i)]; never && calls != before {
			t.Errorf("request %d reached the backend", i)
		}
	}
	if want, ok := parts["metrics"]; ok {
		got := gatherText(t, reg)
		for _, line := range strings.Split(strings.TrimSpace(want), "\n") {
			if !strings.Contains(got, line+"\n") {
				t.Errorf("metrics lack %s; have:\n%s", line, got)
			}
		}
	}
}

// gatherText returns reg's metrics in Prometheus's text format.
func gatherText(t *testing.T, reg prometheus.Gatherer) string {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	var b strings.Builder
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}
