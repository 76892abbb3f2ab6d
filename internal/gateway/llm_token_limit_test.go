package gateway

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/limits/redistest"
)

// chatBody is a chat completion request asking for stream when stream.
func chatBody(stream bool) string {
	return `{"stream":` + strconv.FormatBool(stream) + `,"messages":[{"role":"user","content":"Hi"}]}`
}

// post sends a chat completion request to the gateway at base.
func post(t *testing.T, base, body string) (*http.Response, string) {
	t.Helper()
	res, err := http.Post(base+"/orders/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// usageJSON answers a chat completion that used total tokens.
func usageJSON(total int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":`+strconv.Itoa(total-1)+`,"total_tokens":`+strconv.Itoa(total)+`}}`)
	}
}

// TestTokenLimitAnswers checks APIM's answers: 429 with Retry-After
// within the minute and the same number of seconds in the message; 403
// for a quota, saying when it is replenished.
func TestTokenLimitAnswers(t *testing.T) {
	s := gatewayFor(t, Options{}, limitPolicy(`<llm-token-limit counter-key="a" tokens-per-minute="50" estimate-prompt-tokens="false" retry-after-variable-name="wait" />`), usageJSON(80))
	hs := httptest.NewServer(s)
	defer hs.Close()
	if res, body := post(t, hs.URL, chatBody(false)); res.StatusCode != 200 {
		t.Fatalf("first request: %d %s", res.StatusCode, body)
	}
	res, body := post(t, hs.URL, chatBody(false))
	m := regexp.MustCompile(`^\{"statusCode":429,"message":"Token limit is exceeded. Try again in (\d+) seconds."\}$`).FindStringSubmatch(body)
	if res.StatusCode != 429 || m == nil {
		t.Fatalf("after 80 of 50 tokens: %d %s", res.StatusCode, body)
	}
	secs, _ := strconv.Atoi(m[1])
	if res.Header.Get("Retry-After") != m[1] || secs < 1 || secs > 60 {
		t.Errorf("Retry-After %q, message says %s seconds: want the same, 1 to 60", res.Header.Get("Retry-After"), m[1])
	}

	q := gatewayFor(t, Options{}, limitPolicy(`<llm-token-limit counter-key="b" token-quota="10" token-quota-period="Hourly" estimate-prompt-tokens="false" />`), usageJSON(20))
	hq := httptest.NewServer(q)
	defer hq.Close()
	post(t, hq.URL, chatBody(false))
	res, body = post(t, hq.URL, chatBody(false))
	if res.StatusCode != 403 || !regexp.MustCompile(`^\{"statusCode":403,"message":"Token quota is exceeded. Quota will be replenished in 00:[0-5]\d:[0-5]\d."\}$`).MatchString(body) {
		t.Errorf("after 20 of 10 quota tokens: %d %s", res.StatusCode, body)
	}
	if s, _ := strconv.Atoi(res.Header.Get("Retry-After")); s < 1 || s > 3600 {
		t.Errorf("quota Retry-After %q, want 1 to 3600", res.Header.Get("Retry-After"))
	}
}

// TestTokenLimitStreamsUnbuffered: a server-sent event stream reaches
// the client event by event while the backend is still sending (the
// backend sends its usage chunk only after the client has read the
// first event), and its usage is counted once it ends.
func TestTokenLimitStreamsUnbuffered(t *testing.T) {
	firstRead := make(chan struct{})
	s := gatewayFor(t, Options{}, limitPolicy(`<llm-token-limit counter-key="s" tokens-per-minute="100" estimate-prompt-tokens="false" />`),
		func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, `data: {"choices":[{"delta":{"content":"Hel"}}]}`+"\n\n")
			http.NewResponseController(w).Flush()
			select {
			case <-firstRead:
			case <-time.After(10 * time.Second):
				return // the test fails below
			case <-r.Context().Done():
				return
			}
			io.WriteString(w, `data: {"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":85,"total_tokens":95}}`+"\n\ndata: [DONE]\n\n")
		})
	hs := httptest.NewServer(s)
	defer hs.Close()
	res, err := http.Post(hs.URL+"/orders/chat/completions", "application/json", strings.NewReader(chatBody(true)))
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(res.Body)
	line, err := br.ReadString('\n')
	if err != nil || !strings.Contains(line, `"Hel"`) {
		t.Fatalf("first event: %q, %v", line, err)
	}
	close(firstRead)
	rest, _ := io.ReadAll(br)
	res.Body.Close()
	if !strings.Contains(string(rest), `"total_tokens":95`) || !strings.HasSuffix(string(rest), "data: [DONE]\n\n") {
		t.Fatalf("rest of the stream: %q", rest)
	}
	// 95 counted: the next streamed request's estimate (9) does not fit.
	if res, body := post(t, hs.URL, chatBody(true)); res.StatusCode != 429 {
		t.Errorf("after a stream of 95 of 100 tokens: %d %s", res.StatusCode, body)
	}
}

// TestTokenLimitSharedThroughRedis: two gateway nodes with the same
// Redis limits store share one token counter.
func TestTokenLimitSharedThroughRedis(t *testing.T) {
	url := redistest.URL(t)
	token := redistest.Token()
	t.Cleanup(func() { redistest.Delete(url, "gatehouse:limits:*"+token+"*") })
	policy := limitPolicy(`<llm-token-limit counter-key="` + token + `" tokens-per-minute="100" estimate-prompt-tokens="false" />`)
	var calls atomic.Int64
	var nodes []string
	for range 2 {
		s := gatewayFor(t, withRedis(t, Options{}, url, true), policy, func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			usageJSON(60)(w, r)
		})
		hs := httptest.NewServer(s)
		t.Cleanup(hs.Close)
		nodes = append(nodes, hs.URL)
	}
	for i, want := range []int{200, 200, 429, 429} {
		if res, body := post(t, nodes[i%2], chatBody(false)); res.StatusCode != want {
			t.Fatalf("request %d (node %d): %d %s, want %d", i+1, i%2, res.StatusCode, body, want)
		}
	}
	if calls.Load() != 2 {
		t.Errorf("backends called %d times, want 2", calls.Load())
	}
}

// TestTokenLimitLargeJSONPassesUnbuffered: a JSON body of unknown length
// (an embeddings response sent in chunks) reaches the client whole, and
// the usage at its end is counted once it has gone.
func TestTokenLimitLargeJSONPassesUnbuffered(t *testing.T) {
	body := `{"object":"list","data":[` + strings.Repeat(`{"object":"embedding","embedding":[0.0023064255,-0.009327292,0.015797347]},`, 100000) +
		`{"object":"embedding","embedding":[]}],"usage":{"prompt_tokens":120,"total_tokens":120}}`
	s := gatewayFor(t, Options{}, limitPolicy(`<llm-token-limit counter-key="e" tokens-per-minute="100" estimate-prompt-tokens="false" tokens-consumed-header-name="X-Consumed" />`),
		func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			for i := 0; i < len(body); i += 1 << 20 {
				io.WriteString(w, body[i:min(i+1<<20, len(body))])
				http.NewResponseController(w).Flush()
			}
		})
	hs := httptest.NewServer(s)
	defer hs.Close()
	res, got := post(t, hs.URL, `{"input":["a"]}`)
	if res.StatusCode != 200 || got != body {
		t.Fatalf("status %d, %d bytes of %d", res.StatusCode, len(got), len(body))
	}
	if h := res.Header.Get("X-Consumed"); h != "" {
		t.Errorf("X-Consumed %q on a body whose usage comes after its headers", h)
	}
	if res, b := post(t, hs.URL, `{"input":["a"]}`); res.StatusCode != 429 {
		t.Errorf("after 120 of 100 tokens: %d %s", res.StatusCode, b)
	}
}
