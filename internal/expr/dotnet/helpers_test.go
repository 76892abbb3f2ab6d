package dotnet

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// Inline and Block are the kinds of expression, short for the test tables.
const (
	Inline = expr.Inline
	Block  = expr.Block
)

// testLib is the library the tests compile against.
var testLib = NewLibrary()

// compile compiles src against testLib.
func compile(src string, kind expr.Kind) (*expr.Program, error) {
	return expr.Compile(src, kind, testLib)
}

// testNow is the fixed clock of test contexts.
var testNow = time.Date(2024, 3, 5, 14, 7, 9, 0, time.UTC)

// testJWT returns an unsigned-for-our-purposes HS256 token with the given payload JSON.
func testJWT(payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(payload)) + "." + enc([]byte("signature"))
}

const jwtPayload = `{"iss":"https://login.example.com/","sub":"user-42","aud":["api://orders","api://other"],"exp":1709650800,"iat":1709647200,"jti":"abc","roles":["reader","writer"],"tid":"tenant-1","email":"ann@example.com"}`

func newTestContext() *expr.Context {
	h := http.Header{}
	h.Set("X-Env", "prod")
	h.Set("Authorization", "Bearer "+testJWT(jwtPayload))
	h.Set("Content-Type", "application/json")
	h.Add("Accept", "application/json")
	h.Add("Accept", "text/plain")
	h.Set("X-Basic", "Basic "+base64.StdEncoding.EncodeToString([]byte("ann:s3cret:x")))
	u := &expr.URL{Scheme: "https", Host: "api.example.com", Port: 443, Path: "/orders/42", Query: url.Values{"page": {"2"}, "tag": {"a", "b"}}}
	orig := *u
	ts := testNow.Add(-1500 * time.Millisecond)
	return &expr.Context{
		Request: &expr.Request{
			Method: "POST", URL: u, OriginalURL: &orig, Headers: h, IPAddress: "10.0.0.7",
			Body:              expr.BodyOf([]byte(`{"name":"widget","qty":3,"price":9.5,"tags":["a","b"],"customer":{"id":"c1","vip":true}}`)),
			MatchedParameters: map[string]string{"id": "42"},
		},
		Response:     &expr.Response{StatusCode: 404, StatusReason: "Not Found", Headers: http.Header{"Content-Type": {"text/plain"}}, Body: expr.BodyOf([]byte("missing"))},
		Variables:    map[string]any{"count": 5, "name": "ann", "big": int64(1) << 40, "ratio": 0.25, "flag": true, "obj": mustJSON(`{"a":{"b":[1,2,3]}}`), "resp": &expr.Response{StatusCode: 201, Body: expr.BodyOf([]byte(`{"token":"t1"}`))}, "nil": nil},
		Subscription: &expr.Subscription{ID: "sub-1", Name: "Gold", Key: "k1", PrimaryKey: "pk", SecondaryKey: "sk", CreatedDate: time.Date(2023, 1, 2, 3, 4, 5, 0, time.UTC)},
		User:         &expr.User{ID: "u1", Email: "ann@example.com", FirstName: "Ann", LastName: "Lee", Groups: []expr.Group{{ID: "admins", Name: "Administrators"}, {ID: "devs", Name: "Developers"}}},
		Product:      &expr.Product{ID: "starter", Name: "Starter", State: "published", SubscriptionRequired: true},
		API:          &expr.API{ID: "orders", Name: "Orders API", Path: "orders", Version: "v2", ServiceURL: &expr.URL{Scheme: "https", Host: "backend.internal", Port: 8443, Path: "/api"}},
		Operation:    &expr.Operation{ID: "get-order", Name: "Get order", Method: "GET", URLTemplate: "/orders/{id}"},
		Deployment:   &expr.Deployment{GatewayID: "managed", Region: "West Europe", ServiceName: "contoso"},
		RequestID:    "8a3c6b1e-2f4d-4c5b-9a7e-0d1f2e3c4b5a",
		Timestamp:    ts,
		LastError:    &expr.LastError{Source: "validate-jwt", Reason: "TokenExpired", Message: "token expired", Scope: "api", Section: "inbound", PolicyID: "p1"},
		Now:          func() time.Time { return testNow },
	}
}

func mustJSON(s string) JToken {
	t, err := ParseJSON([]byte(s))
	if err != nil {
		return nil // the test that uses it fails on the missing value
	}
	return t
}

// show renders a value with its C# type, e.g. "int:3" or "string:a".
func show(v any) string { return expr.TypeName(v) + ":" + expr.ToString(v) }

type evalCase struct {
	name, src string
	want      string // show(result)
}

func runCases(t *testing.T, kind expr.Kind, cases []evalCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := compile(tt.src, kind)
			if err != nil {
				t.Fatalf("Compile(%q): %v", tt.src, err)
			}
			v, err := p.Eval(newTestContext())
			if err != nil {
				t.Fatalf("Eval(%q): %v", tt.src, err)
			}
			if got := show(v); got != tt.want {
				t.Errorf("Eval(%q) = %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}

// errCase expects Compile or Eval to fail with exactly this error text.
type errCase struct {
	name, src string
	kind      expr.Kind
	want      string
}

func runErrCases(t *testing.T, atCompile bool, cases []errCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := compile(tt.src, tt.kind)
			if !atCompile {
				if err != nil {
					t.Fatalf("Compile(%q): %v", tt.src, err)
				}
				_, err = p.Eval(newTestContext())
			}
			if err == nil {
				t.Fatalf("%q: no error, want %q", tt.src, tt.want)
			}
			if _, ok := err.(*expr.Error); !ok {
				t.Errorf("%q: error is %T, want *Error", tt.src, err)
			}
			if err.Error() != tt.want {
				t.Errorf("%q: error %q, want %q", tt.src, err.Error(), tt.want)
			}
		})
	}
}
