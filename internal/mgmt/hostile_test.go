package mgmt

import (
	"net/url"
	"strings"
	"testing"
)

// hostileValues are the strings every property and id is tried with:
// empty, too long, unicode, and what injection attempts look like.
var hostileValues = map[string]string{
	"empty":           "",
	"too long":        strings.Repeat("x", 70_000),
	"unicode":         "名前 ü 🚀 Ω",
	"sql":             "'; DROP TABLE records; --",
	"html":            `<script>alert("x")</script>`,
	"path climb":      "../../etc/passwd",
	"nul":             "a\x00b",
	"escaped nul":     "a%00b",
	"named value ref": "{{admin-token}}",
	"control":         "a\r\nX-Injected: 1",
}

// hostileResource is a resource with a valid body and the string
// properties the test replaces one at a time.
type hostileResource struct {
	path  string // the collection under which ids are tried
	props map[string]any
	try   []string
}

// TestHostileValuesAreRefusedOrKept tries every hostile value in every
// string property of every resource, and as every resource id: the answer
// is a 2xx that stored the value as sent, or a 400 naming the property or
// id and changing nothing; never a 5xx.
func TestHostileValuesAreRefusedOrKept(t *testing.T) {
	a := newTestAPI(t)
	a.must("PUT", "/apis/base", envelopeOf(t, map[string]any{"displayName": "Base", "path": "base", "serviceUrl": "http://backend"}))
	a.must("PUT", "/loggers/l0", envelopeOf(t, map[string]any{"loggerType": "stdout"}))
	a.must("PUT", "/users/u1", envelopeOf(t, map[string]any{"email": "u1@example.com", "firstName": "U", "lastName": "One"}))
	resources := []hostileResource{
		{"/apis", map[string]any{"displayName": "A", "path": "p", "serviceUrl": "http://backend"}, []string{"displayName", "description", "path", "serviceUrl"}},
		{"/apis/base/operations", map[string]any{"displayName": "O", "method": "GET", "urlTemplate": "/x"}, []string{"displayName", "description", "urlTemplate", "method"}},
		{"/products", map[string]any{"displayName": "P"}, []string{"displayName", "description", "terms"}},
		{"/users", map[string]any{"email": "x@example.com", "firstName": "F", "lastName": "L"}, []string{"email", "firstName", "lastName", "note"}},
		{"/groups", map[string]any{"displayName": "G"}, []string{"displayName", "description"}},
		{"/tags", map[string]any{"displayName": "T"}, []string{"displayName"}},
		{"/namedValues", map[string]any{"displayName": "nv", "value": "v"}, []string{"displayName", "value"}},
		{"/backends", map[string]any{"url": "http://backend"}, []string{"url", "description", "title"}},
		{"/gateways", map[string]any{"description": "g"}, []string{"description"}},
		{"/subscriptions", map[string]any{"displayName": "S", "scope": "/apis/base", "ownerId": "/users/u1"}, []string{"displayName", "scope", "ownerId"}},
		{"/apiVersionSets", map[string]any{"displayName": "V", "versioningScheme": "Query", "versionQueryName": "api-version"},
			[]string{"displayName", "description", "versionQueryName"}},
		{"/apiVersionSets", map[string]any{"displayName": "V", "versioningScheme": "Header", "versionHeaderName": "Api-Version"},
			[]string{"versionHeaderName"}},
		{"/apis/base/releases", map[string]any{"apiId": "/apis/base"}, []string{"apiId", "notes"}},
		{"/loggers", map[string]any{"loggerType": "stdout"}, []string{"loggerType", "description", "resourceId"}},
		{"/diagnostics", map[string]any{"loggerId": "l0"}, []string{"loggerId", "alwaysLog", "verbosity"}},
		{"/apis/base/diagnostics", map[string]any{"loggerId": "/loggers/l0"}, []string{"loggerId", "operationNameFormat"}},
	}
	n := 0
	for _, res := range resources {
		for _, prop := range res.try {
			for name, value := range hostileValues {
				n++
				id := "h" + strings.NewReplacer(" ", "-").Replace(name) + "-" + prop
				props := map[string]any{}
				for k, v := range res.props {
					props[k] = v
				}
				if res.path == "/namedValues" && prop != "displayName" {
					props["displayName"] = id // names are unique
				}
				if res.path == "/apis" && prop != "path" {
					props["path"] = id // paths are unique
				}
				if res.path == "/users" && prop != "email" {
					props["email"] = id + "@example.com" // emails are unique
				}
				if strings.HasSuffix(res.path, "/operations") && prop != "urlTemplate" {
					props["urlTemplate"] = "/" + id // method and template are unique
				}
				props[prop] = value
				checkHostile(t, a, res.path+"/"+id, "properties."+prop, props, prop, value)
			}
		}
		// The value as the resource's id.
		for name, value := range hostileValues {
			if value == "" {
				continue // the collection itself
			}
			n++
			v := a.version()
			r := a.do("PUT", res.path+"/"+url.PathEscape(value), envelopeOf(t, res.props))
			if r.status >= 500 || r.status/100 == 2 {
				t.Errorf("%s as the id of %s: %d %s, want a 4xx", name, res.path, r.status, r.raw)
			}
			if a.version() != v {
				t.Errorf("%s as the id of %s: a refused request changed the configuration", name, res.path)
			}
		}
	}
	t.Logf("%d hostile requests", n)
}

// checkHostile sends one body and checks the answer.
func checkHostile(t *testing.T, a *testAPI, path, target string, props map[string]any, prop, value string) {
	t.Helper()
	v := a.version()
	r := a.do("PUT", path, envelopeOf(t, props))
	switch {
	case r.status >= 500:
		t.Errorf("PUT %s with %s=%.40q: %d %s", path, prop, value, r.status, r.raw)
	case r.status/100 == 4:
		if _, got, _ := errorOf(t, r); got != target && !strings.HasPrefix(got, target) && got != "properties" {
			t.Errorf("PUT %s with %s=%.40q: %d names %q, want %s", path, prop, value, r.status, got, target)
		}
		if a.version() != v {
			t.Errorf("PUT %s with %s=%.40q: refused, yet the configuration changed", path, prop, value)
		}
	default:
		// Kept as sent; an empty value may take its default, a method is
		// upper case, a scope or owner is written as a resource id.
		stored, _ := r.body["properties"].(map[string]any)
		got, ok := stored[prop].(string)
		kept := !ok || got == value || value == "" || prop == "scope" || prop == "ownerId" || (prop == "method" && strings.EqualFold(got, value))
		if !kept {
			t.Errorf("PUT %s with %s=%.40q stored %.40q", path, prop, value, got)
		}
	}
}
