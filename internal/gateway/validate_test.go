package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// TestValidateContentStopsReadingAtMaxSize sends a chunked body over a
// real connection that goes on past max-size and never ends: the gateway
// answers 413 after reading max-size + 1 bytes, without waiting for the
// rest, and the backend is not called.
func TestValidateContentStopsReadingAtMaxSize(t *testing.T) {
	called := make(chan struct{}, 1)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called <- struct{}{} }))
	defer backend.Close()
	s := NewServer(Options{})
	rt, err := s.Compile(&snapshot.Snapshot{Version: 1, APIs: []snapshot.API{{ID: "up", Path: "up", ServiceURL: backend.URL,
		Policy: `<policies><inbound><validate-content unspecified-content-type-action="ignore" max-size="10" size-exceeded-action="prevent" /></inbound>` +
			`<backend><forward-request /></backend></policies>`,
		Operations: []snapshot.Operation{{ID: "post", Method: "POST", URLTemplate: "/"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	s.Install(rt)
	gw := httptest.NewServer(s)
	defer gw.Close()

	pr, pw := io.Pipe()
	defer pw.Close()
	go func() {
		// 11 bytes, then the body stays open: only a reader that stops at
		// max-size + 1 lets the request finish.
		pw.Write([]byte(`{"a":"bcde"`))
	}()
	req, _ := http.NewRequest(http.MethodPost, gw.URL+"/up/", pr)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "Request's body is more than 10 bytes long and it exceeds the limit of 10 bytes.") {
		t.Errorf("answer %d %s", res.StatusCode, body)
	}
	select {
	case <-called:
		t.Error("the backend was called")
	default:
	}
}
