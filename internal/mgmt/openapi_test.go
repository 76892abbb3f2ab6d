package mgmt

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/gatehouse/gatehouse/internal/control"
	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

// newOpenAPITestServer returns a Server over a real SQLite store, and the
// store.
func newOpenAPITestServer(t *testing.T) (*Server, store.Store) {
	t.Helper()
	sealer, err := secret.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "db"), sealer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return NewServer(Options{Store: st, AdminToken: "t"}), st
}

// loadOpenAPIDocument parses data with kin-openapi and validates it,
// failing the test on any error.
func loadOpenAPIDocument(t *testing.T, data []byte) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		t.Fatalf("load the OpenAPI document: %v", err)
	}
	err = doc.Validate(context.Background(),
		openapi3.EnableMultiError(),
		openapi3.EnableSchemaDefaultsValidation(),
		openapi3.EnableSchemaPatternValidation(),
		openapi3.EnableExamplesValidation(),
	)
	if err != nil {
		t.Fatalf("the OpenAPI document is invalid:\n%v", err)
	}
	return doc
}

// muxPatternToOpenAPIPath converts a ServeMux pattern's path to an
// OpenAPI path template: {name...} becomes {name}, and a trailing {$}
// is dropped.
func muxPatternToOpenAPIPath(pattern string) string {
	return muxRestWildcard.ReplaceAllString(strings.TrimSuffix(pattern, "{$}"), "{$1}")
}

var (
	muxRestWildcard   = regexp.MustCompile(`\{([^{}]+)\.\.\.\}`)
	pathTemplateParam = regexp.MustCompile(`\{([^{}]+)\}`)
)

func TestOpenAPIDocumentIsValid(t *testing.T) {
	raw, err := OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	doc := loadOpenAPIDocument(t, raw)
	if !doc.IsOpenAPI31OrLater() {
		t.Errorf("openapi is %q, want 3.1.x", doc.OpenAPI)
	}
}

func TestOpenAPIDocumentMatchesRoutes(t *testing.T) {
	s, _ := newOpenAPITestServer(t)
	raw, err := OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	doc := loadOpenAPIDocument(t, raw)

	type key struct{ method, path string }
	registered := map[key]bool{}
	for _, r := range s.Routes() {
		k := key{r.Method, muxPatternToOpenAPIPath(r.Pattern)}
		if registered[k] {
			t.Errorf("route %s %s is registered twice", r.Method, r.Pattern)
		}
		registered[k] = true
	}
	if len(registered) == 0 {
		t.Fatal("the server registered no routes")
	}

	documented := map[key]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			k := key{method, path}
			documented[k] = true
			if !registered[k] {
				t.Errorf("the document has %s %s, which the server does not register", method, path)
			}
			checkOpenAPIOperation(t, method, path, item, op)
		}
	}
	for k := range registered {
		if !documented[k] {
			t.Errorf("route %s %s is not in the document", k.method, k.path)
		}
	}
}

// checkOpenAPIOperation checks one operation's parameters, responses and
// security against what every handler does.
func checkOpenAPIOperation(t *testing.T, method, path string, item *openapi3.PathItem, op *openapi3.Operation) {
	t.Helper()
	where := method + " " + path
	if op.Summary == "" {
		t.Errorf("%s has no summary", where)
	}

	// The path parameters must be exactly the path's {names}.
	var want []string
	for _, m := range pathTemplateParam.FindAllStringSubmatch(path, -1) {
		want = append(want, m[1])
	}
	var got []string
	query := map[string]bool{}
	seen := map[string]bool{}
	for _, ref := range slices.Concat(item.Parameters, op.Parameters) {
		p := ref.Value
		if p == nil {
			t.Errorf("%s: unresolved parameter %s", where, ref.Ref)
			continue
		}
		if seen[p.In+" "+p.Name] {
			t.Errorf("%s: parameter %s in %s is declared twice", where, p.Name, p.In)
		}
		seen[p.In+" "+p.Name] = true
		switch p.In {
		case openapi3.ParameterInPath:
			got = append(got, p.Name)
			if !p.Required {
				t.Errorf("%s: path parameter %s is not required", where, p.Name)
			}
		case openapi3.ParameterInQuery:
			query[p.Name] = true
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("%s: path parameters %v, want %v", where, got, want)
	}

	if !query["api-version"] {
		t.Errorf("%s does not accept api-version", where)
	}
	if path == "/mgmt/openapi.json" {
		if op.Security == nil || len(*op.Security) != 0 {
			t.Errorf("%s must override security with an empty list: it needs no token", where)
		}
		return
	}
	if op.Security != nil {
		t.Errorf("%s overrides the bearer token security", where)
	}
	if op.Responses.Status(http.StatusUnauthorized) == nil {
		t.Errorf("%s does not document 401", where)
	}
	isList := method == http.MethodGet && pathIsCollection(path)
	for _, q := range []string{"$top", "$skip", "$filter"} {
		if query[q] != isList {
			t.Errorf("%s: query parameter %s documented: %v, want %v", where, q, query[q], isList)
		}
	}
	if method == http.MethodPut || method == http.MethodPatch {
		if (op.RequestBody != nil) == pathIsLink(path) {
			t.Errorf("%s: request body documented: %v; PUT/PATCH of resources take one, PUT of links none", where, op.RequestBody != nil)
		}
	}
}

// pathIsCollection reports whether path lists resources or links, such as
// /mgmt/apis or /mgmt/products/{productId}/apis.
func pathIsCollection(path string) bool {
	for _, rt := range resourceTypes {
		if path == muxPatternToOpenAPIPath(rt.collectionPattern()) {
			return true
		}
	}
	for _, lt := range linkTypes {
		if path == muxPatternToOpenAPIPath(lt.collectionPattern()) {
			return true
		}
	}
	return false
}

// pathIsLink reports whether path is a link's item path, such as
// /mgmt/products/{productId}/apis/{apiId}.
func pathIsLink(path string) bool {
	for _, lt := range linkTypes {
		if path == muxPatternToOpenAPIPath(lt.itemPattern()) {
			return true
		}
	}
	return false
}

func TestOpenAPIDocumentServedWithoutToken(t *testing.T) {
	s, _ := newOpenAPITestServer(t)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)

	resp, err := http.Get(ts.URL + "/mgmt/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /mgmt/openapi.json without a token: %d %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var doc struct {
		OpenAPI string                     `json:"openapi"`
		Paths   map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("the served document is not JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi = %q", doc.OpenAPI)
	}
	if len(doc.Paths) == 0 {
		t.Error("the served document has no paths")
	}
	if _, ok := doc.Paths["/mgmt/apis/{apiId}"]; !ok {
		t.Error("the served document lacks /mgmt/apis/{apiId}")
	}
	loadOpenAPIDocument(t, body)

	// Everything else needs the token.
	resp, err = http.Get(ts.URL + "/mgmt/apis")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /mgmt/apis without a token: %d, want 401", resp.StatusCode)
	}
}

// openAPIStep is one request of TestOpenAPIDocumentDescribesResponses.
type openAPIStep struct {
	method, target string // target: path and query
	body           string
	header         []string // name, value, ...
	noToken        bool
	invalid        bool // the request breaks the document on purpose
	want           int
	wantBody       []string // substrings the response body must contain
}

// TestOpenAPIDocumentDescribesResponses sends requests to every route and
// checks, with kin-openapi's request and response validators, that the
// document accepts the valid requests and describes every answer: its
// status code, headers and body.
func TestOpenAPIDocumentDescribesResponses(t *testing.T) {
	s, st := newOpenAPITestServer(t)
	if err := control.Bootstrap(t.Context(), st); err != nil {
		t.Fatal(err)
	}
	raw, err := OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	doc := loadOpenAPIDocument(t, raw)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}

	steps := openAPISteps(t)

	type key struct{ method, path string }
	covered := map[key]bool{}
	for _, st := range steps {
		where := st.method + " " + st.target
		newRequest := func() *http.Request {
			r := httptest.NewRequest(st.method, st.target, strings.NewReader(st.body))
			if st.body != "" {
				r.Header.Set("Content-Type", "application/json")
			}
			if !st.noToken {
				r.Header.Set("Authorization", "Bearer t")
			}
			for i := 0; i+1 < len(st.header); i += 2 {
				r.Header.Set(st.header[i], st.header[i+1])
			}
			return r
		}
		req := newRequest()
		route, pathParams, err := router.FindRoute(req)
		if err != nil {
			t.Errorf("%s: the document has no route for it: %v", where, err)
			continue
		}
		covered[key{route.Method, route.Path}] = true
		reqInput := &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: pathParams,
			Route:      route,
			Options: &openapi3filter.Options{
				AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
				MultiError:         true,
			},
		}
		if !st.invalid && !st.noToken {
			if err := openapi3filter.ValidateRequest(t.Context(), reqInput); err != nil {
				t.Errorf("%s: the document rejects the request: %v", where, err)
			}
		}

		w := httptest.NewRecorder()
		s.ServeHTTP(w, newRequest())
		if w.Code != st.want {
			t.Errorf("%s: status %d, want %d; body %s", where, w.Code, st.want, w.Body)
		}
		for _, sub := range st.wantBody {
			if !strings.Contains(w.Body.String(), sub) {
				t.Errorf("%s: the body lacks %q: %s", where, sub, w.Body)
			}
		}
		err = openapi3filter.ValidateResponse(t.Context(), &openapi3filter.ResponseValidationInput{
			RequestValidationInput: reqInput,
			Status:                 w.Code,
			Header:                 w.Header(),
			Body:                   io.NopCloser(bytes.NewReader(w.Body.Bytes())),
			Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
		})
		if err != nil {
			t.Errorf("%s: the document does not describe the %d answer: %v\nbody: %.2000s", where, w.Code, err, w.Body)
		}
	}

	for _, r := range s.Routes() {
		if !covered[key{r.Method, muxPatternToOpenAPIPath(r.Pattern)}] {
			t.Errorf("no step exercises %s %s: add one to this test", r.Method, r.Pattern)
		}
	}
}
