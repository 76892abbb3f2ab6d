package gateway

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse/gatehouse/internal/certificate/certtest"
	"github.com/gatehouse/gatehouse/internal/limits/redistest"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// statusOf sends one request to s and returns the answer.
func statusOf(s http.Handler, path string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
	return w
}

// TestIncrementConditionOnResponse: a condition on context.Response is
// evaluated once the response is known, so failed calls do not use up
// the limit; an exhausted counter still refuses every request.
func TestIncrementConditionOnResponse(t *testing.T) {
	var calls atomic.Int64
	s := gatewayFor(t, Options{}, limitPolicy(`<rate-limit-by-key calls="2" renewal-period="60" counter-key="k" increment-condition="@(context.Response.StatusCode &lt; 400)" />`),
		func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			if strings.HasSuffix(r.URL.Path, "/fail") {
				w.WriteHeader(http.StatusInternalServerError)
			}
		})
	for i := range 5 {
		if w := statusOf(s, "/orders/fail"); w.Code != 500 {
			t.Fatalf("failing call %d: %d, want the backend's 500", i, w.Code)
		}
	}
	for i := range 2 {
		if w := statusOf(s, "/orders/ok"); w.Code != 200 {
			t.Fatalf("call %d: %d after 5 uncounted failures", i, w.Code)
		}
	}
	for _, path := range []string{"/orders/ok", "/orders/fail"} {
		if w := statusOf(s, path); w.Code != 429 {
			t.Errorf("%s after 2 counted calls: %d, want 429", path, w.Code)
		}
	}
	if n := calls.Load(); n != 7 {
		t.Errorf("backend called %d times, want 7", n)
	}
}

// TestQuotaCountsResponseBandwidth: bandwidth quotas count the response
// body once it has gone; the request after the quota is used up gets 403.
func TestQuotaCountsResponseBandwidth(t *testing.T) {
	body := strings.Repeat("x", 1500)
	s := gatewayFor(t, Options{}, limitPolicy(`<quota-by-key bandwidth="2" renewal-period="3600" counter-key="k" />`),
		func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) })
	for i := range 2 { // 0, then 1500 of 2048 bytes used: admitted
		if w := statusOf(s, "/orders/1"); w.Code != 200 || w.Body.Len() != len(body) {
			t.Fatalf("call %d: %d, %d bytes", i, w.Code, w.Body.Len())
		}
	}
	w := statusOf(s, "/orders/1")
	if w.Code != 403 || !strings.Contains(w.Body.String(), "Out of bandwidth quota") {
		t.Fatalf("after 3000 bytes: %d %s, want 403 out of bandwidth", w.Code, w.Body)
	}
}

// TestRefusalRunsOnError: a refused request runs on-error with APIM's
// LastError and the refusal as context.Response; on-error may replace
// the answer.
func TestRefusalRunsOnError(t *testing.T) {
	var calls atomic.Int64
	policy := `<policies><inbound><base /><rate-limit-by-key calls="1" renewal-period="60" counter-key="k" /></inbound><backend><base /></backend>
<on-error><set-variable name="refused" value="@(context.Response.StatusCode)" /><return-response><set-status code="503" reason="Busy" />
<set-body>@(context.LastError.Source + "|" + context.LastError.Reason + "|" + context.LastError.Section + "|" + context.Variables["refused"])</set-body>
</return-response></on-error></policies>`
	s := limitedGateway(t, Options{}, policy, &calls)
	if w := statusOf(s, "/orders/1"); w.Code != 200 {
		t.Fatalf("first call: %d", w.Code)
	}
	w := statusOf(s, "/orders/1")
	if w.Code != 503 || w.Body.String() != "rate-limit-by-key|RateLimitExceeded|inbound|429" {
		t.Errorf("refused call: %d %q", w.Code, w.Body)
	}
}

// TestTwoGatewaysShareQuota: two gateways using one Redis admit a quota
// of N calls across both.
func TestTwoGatewaysShareQuota(t *testing.T) {
	url := redistest.URL(t)
	token := redistest.Token()
	t.Cleanup(func() { redistest.Delete(url, "gatehouse:limits:*"+token+"*") })
	const quota = 150
	start := time.Now().UTC().Add(-time.Second).Format(time.RFC3339)
	policy := limitPolicy(`<quota-by-key calls="150" renewal-period="3600" counter-key="` + token + `" first-period-start="` + start + `" />`)
	var calls atomic.Int64
	var urls []string
	for range 2 {
		hs := httptest.NewServer(limitedGateway(t, withRedis(t, Options{}, url, false), policy, &calls))
		t.Cleanup(hs.Close)
		urls = append(urls, hs.URL)
	}
	var okN, refused atomic.Int64
	sendAll(t, urls, 3*quota, 16, func(code int) {
		switch code {
		case 200:
			okN.Add(1)
		case 403:
			refused.Add(1)
		default:
			t.Errorf("status %d", code)
		}
	})
	if okN.Load() != quota || refused.Load() != 2*quota {
		t.Errorf("admitted %d, refused %d; want %d and %d", okN.Load(), refused.Load(), quota, 2*quota)
	}
	if calls.Load() != quota {
		t.Errorf("backend saw %d requests", calls.Load())
	}
}

// TestValidateJWTWithCertificate: a snapshot's certificate (no private
// key) verifies tokens for validate-jwt's <key certificate-id>.
func TestValidateJWTWithCertificate(t *testing.T) {
	signer := certtest.SelfSigned(t, "token-signer")
	policy := limitPolicy(`<validate-jwt><issuer-signing-keys><key certificate-id="signer" /></issuer-signing-keys></validate-jwt>`)
	s := NewServer(Options{})
	t.Cleanup(func() { s.Close() })
	rt, err := s.Compile(&snapshot.Snapshot{Version: 1,
		APIs: []snapshot.API{{ID: "orders", Path: "orders", ServiceURL: "http://127.0.0.1:1", KeyHeader: "k", KeyQuery: "k",
			Policy: policy, Operations: []snapshot.Operation{{ID: "any", Method: "*", URLTemplate: "/*"}}}},
		Certificates: map[string]snapshot.Certificate{"signer": {ID: "signer", PEM: signer.CertPEM()}},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Install(rt)
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: signer.Key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := jwt.Signed(sig).Claims(jwt.Claims{Expiry: jwt.NewNumericDate(time.Now().Add(time.Hour))}).Serialize()
	req := httptest.NewRequest("GET", "/orders/1", nil)
	req.Header.Set("Authorization", "Bearer "+raw)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	if w.Code != http.StatusBadGateway { // admitted, to a backend that is not there
		t.Fatalf("a token signed by the certificate's key: %d %s, want it forwarded (502)", w.Code, w.Body)
	}
	if w := statusOf(s, "/orders/1"); w.Code != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", w.Code)
	}
}

// TestUncountedRequestsUseNoBandwidth: a request whose increment-condition
// is false counts neither its call nor its response's bytes.
func TestUncountedRequestsUseNoBandwidth(t *testing.T) {
	body := strings.Repeat("x", 1500)
	s := gatewayFor(t, Options{}, limitPolicy(`<quota-by-key bandwidth="2" renewal-period="3600" counter-key="k" increment-condition="@(!context.Request.Url.Path.Contains(&quot;free&quot;))" />`),
		func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) })
	for range 3 {
		if w := statusOf(s, "/orders/free"); w.Code != 200 {
			t.Fatalf("uncounted call: %d", w.Code)
		}
	}
	for i := range 2 { // 0, then 1500 of 2048 bytes used
		if w := statusOf(s, "/orders/paid"); w.Code != 200 {
			t.Fatalf("counted call %d after uncounted ones: %d %s", i, w.Code, w.Body)
		}
	}
	if w := statusOf(s, "/orders/paid"); w.Code != 403 {
		t.Errorf("after 3000 counted bytes: %d, want 403", w.Code)
	}
}
