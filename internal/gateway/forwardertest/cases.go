package forwardertest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"strings"
	"sync"
	"testing"
)

// testEarlyHints: a 103 Early Hints reaches the client before the final
// response. The backend writes the final response only once the client
// has seen the 103, so a forwarder that holds it back fails.
func testEarlyHints(t *testing.T, h *harness) {
	seen := make(chan struct{})
	var once sync.Once
	front := h.serve(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</app.css>; rel=preload; as=style")
		w.WriteHeader(http.StatusEarlyHints)
		ctx, cancel := context.WithTimeout(r.Context(), patience)
		defer cancel()
		w.Header().Del("Link")
		if !await(ctx, seen) {
			io.WriteString(w, "the client did not see the 103 before the final response")
			return
		}
		io.WriteString(w, "final")
	})
	var mu sync.Mutex
	var hints []string
	trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, header textproto.MIMEHeader) error {
		if code == http.StatusEarlyHints {
			mu.Lock()
			hints = append(hints, header.Get("Link"))
			mu.Unlock()
			once.Do(func() { close(seen) })
		}
		return nil
	}}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(h.context(), trace), http.MethodGet, front+"/page", nil)
	resp, body := do(t, h.client, req)
	if resp.StatusCode != http.StatusOK || body != "final" {
		t.Errorf("final response %d %q, want 200 \"final\"", resp.StatusCode, body)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(hints) != 1 || hints[0] != "</app.css>; rel=preload; as=style" {
		t.Errorf("103 responses seen with Link %q, want one with </app.css>; rel=preload; as=style", hints)
	}
}

// testTrailers: trailers the backend announced, and one it did not, reach
// the client after the body.
func testTrailers(t *testing.T, h *harness) {
	front := h.serve(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Checksum")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "body with trailers")
		w.Header().Set("X-Checksum", "c0ffee")
		w.Header().Set(http.TrailerPrefix+"X-Unannounced", "late")
	})
	req, _ := http.NewRequestWithContext(h.context(), http.MethodGet, front+"/with-trailers", nil)
	resp, body := do(t, h.client, req)
	if resp.StatusCode != http.StatusOK || body != "body with trailers" {
		t.Errorf("got %d %q", resp.StatusCode, body)
	}
	if got := resp.Trailer.Get("X-Checksum"); got != "c0ffee" {
		t.Errorf("announced trailer X-Checksum %q, want c0ffee (trailers %v)", got, resp.Trailer)
	}
	if got := resp.Trailer.Get("X-Unannounced"); got != "late" {
		t.Errorf("unannounced trailer X-Unannounced %q, want late (trailers %v)", got, resp.Trailer)
	}
}

// testServerSentEvents: each event of a text/event-stream reaches the
// client before the backend writes the next; the backend waits for the
// client to acknowledge each one.
func testServerSentEvents(t *testing.T, h *harness) {
	const events = 3
	ack := make(chan struct{}, events)
	front := h.serve(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		rc := http.NewResponseController(w)
		ctx, cancel := context.WithTimeout(r.Context(), patience)
		defer cancel()
		for i := 1; i <= events; i++ {
			fmt.Fprintf(w, "id: %d\ndata: event %d\n\n", i, i)
			rc.Flush()
			if !await(ctx, ack) {
				io.WriteString(w, "data: timeout: the client did not get the event before the next\n\n")
				return
			}
		}
	})
	req, _ := http.NewRequestWithContext(h.context(), http.MethodGet, front+"/events", nil)
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("got %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	br := bufio.NewReader(resp.Body)
	for i := 1; i <= events; i++ {
		ev, err := readEvent(br)
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if want := fmt.Sprintf("id: %d\ndata: event %d", i, i); ev != want {
			t.Fatalf("event %d is %q, want %q", i, ev, want)
		}
		ack <- struct{}{}
	}
	if rest, _ := io.ReadAll(br); len(rest) != 0 {
		t.Errorf("after the events: %q", rest)
	}
}

// readEvent reads one server-sent event: lines up to a blank line.
func readEvent(br *bufio.Reader) (string, error) {
	var lines []string
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return strings.Join(lines, "\n"), fmt.Errorf("stream ended after %q: %w", lines, err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return strings.Join(lines, "\n"), nil
		}
		lines = append(lines, line)
	}
}

// testConnectionTokens: a header that Connection names is for the next hop
// only, in both directions.
func testConnectionTokens(t *testing.T, h *harness) {
	requests := make(chan http.Header, 1)
	front := h.serve(func(w http.ResponseWriter, r *http.Request) {
		record(requests, r.Header.Clone())
		w.Header().Set("Connection", "X-Internal")
		w.Header().Set("X-Internal", "backend only")
		w.Header().Set("X-Public", "for the client")
	})
	req, _ := http.NewRequestWithContext(h.context(), http.MethodGet, front+"/tokens", nil)
	req.Header.Set("Connection", "x-secret")
	req.Header.Set("X-Secret", "for the forwarder only")
	req.Header.Set("X-Kept", "for the backend")
	resp, _ := do(t, h.client, req)
	seen := received(t, requests, resp)
	if seen.Get("X-Secret") != "" || seen.Get("X-Kept") != "for the backend" {
		t.Errorf("the backend saw X-Secret %q, X-Kept %q; want none and \"for the backend\"", seen.Get("X-Secret"), seen.Get("X-Kept"))
	}
	if resp.Header.Get("X-Internal") != "" || resp.Header.Get("X-Public") != "for the client" {
		t.Errorf("the client got X-Internal %q, X-Public %q; want none and \"for the client\"", resp.Header.Get("X-Internal"), resp.Header.Get("X-Public"))
	}
}

// hopHeaders are the hop-by-hop headers of RFC 9110 7.6.1 and their
// older relatives, which no forwarder passes on.
var hopHeaders = []string{"Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Connection", "Te", "Upgrade"}

// testHopByHop: hop-by-hop headers go no further than the forwarder, in
// both directions.
func testHopByHop(t *testing.T, h *harness) {
	requests := make(chan http.Header, 1)
	front := h.serve(func(w http.ResponseWriter, r *http.Request) {
		record(requests, r.Header.Clone())
		for _, name := range hopHeaders {
			w.Header().Set(name, "hop")
		}
		w.Header().Set("X-End-To-End", "kept")
	})
	req, _ := http.NewRequestWithContext(h.context(), http.MethodGet, front+"/hops", nil)
	for _, name := range hopHeaders {
		req.Header.Set(name, "hop")
	}
	req.Header.Set("X-End-To-End", "kept")
	resp, _ := do(t, h.client, req)
	seen := received(t, requests, resp)
	for _, name := range hopHeaders {
		if v := seen.Values(name); len(v) > 0 {
			t.Errorf("the backend got %s: %q", name, v)
		}
		if v := resp.Header.Values(name); len(v) > 0 {
			t.Errorf("the client got %s: %q", name, v)
		}
	}
	if seen.Get("X-End-To-End") != "kept" || resp.Header.Get("X-End-To-End") != "kept" {
		t.Errorf("X-End-To-End: the backend got %q, the client %q; want kept", seen.Get("X-End-To-End"), resp.Header.Get("X-End-To-End"))
	}
}

// testRawPathAndQuery: escaped characters in the path and a query with
// repeated, unsorted, escaped and valueless parameters reach the backend
// byte for byte. (An escaped slash is refused before any forwarder sees
// it: it could let a path leave its API.)
func testRawPathAndQuery(t *testing.T, h *harness) {
	const target = "/files/a%3Ab%20c/d?b=2&a=1&a=%2F&c&d=%7E+x&e="
	requests := make(chan string, 1)
	front := h.serve(func(w http.ResponseWriter, r *http.Request) {
		record(requests, r.RequestURI)
	})
	req, _ := http.NewRequestWithContext(h.context(), http.MethodGet, front+target, nil)
	resp, _ := do(t, h.client, req)
	if seen := received(t, requests, resp); seen != target {
		t.Errorf("the backend got %q (status %d), want %q", seen, resp.StatusCode, target)
	}
}

// testRequestBodyStreams: the request body reaches the backend as it
// comes; the client sends its second part only once the backend has read
// the first.
func testRequestBodyStreams(t *testing.T, h *harness) {
	first, second := "first part;", "second part"
	gotFirst := make(chan struct{})
	front := h.serve(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, len(first))
		if _, err := io.ReadFull(r.Body, buf); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		close(gotFirst)
		rest, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		io.WriteString(w, string(buf)+string(rest))
	})
	pr, pw := io.Pipe()
	ctx := h.context()
	sent := make(chan struct{})
	defer func() {
		pr.Close() // the writer below stops if the request failed early
		<-sent
	}()
	go func() {
		defer close(sent)
		io.WriteString(pw, first)
		if !await(ctx, gotFirst) {
			pw.CloseWithError(fmt.Errorf("the backend did not get the first part before the rest was sent"))
			return
		}
		io.WriteString(pw, second)
		pw.Close()
	}()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, front+"/upload", pr)
	req.Header.Set("Content-Type", "text/plain")
	resp, body := do(t, h.client, req)
	if resp.StatusCode != http.StatusOK || body != first+second {
		t.Errorf("got %d %q, want 200 %q", resp.StatusCode, body, first+second)
	}
}

// record keeps v, what the backend saw of the first request.
func record[T any](requests chan<- T, v T) {
	select {
	case requests <- v:
	default:
	}
}

// received returns what the backend recorded of the one request it
// should have had.
func received[T any](t *testing.T, requests <-chan T, resp *http.Response) T {
	t.Helper()
	select {
	case v := <-requests:
		return v
	default:
		t.Fatalf("the backend was not called; the client got %d", resp.StatusCode)
		var zero T
		return zero
	}
}

// do sends req and returns the response with its body read.
func do(t *testing.T, client *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	return resp, string(body)
}
