package wadl

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestImport(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("testdata/orders.wadl")
	if err != nil {
		t.Fatal(err)
	}
	api, err := Import(src)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if api.Title != "Orders" || api.Description != "Order management." || api.ServiceURL != "http://orders.example.com/api" {
		t.Errorf("API %q %q %q", api.Title, api.Description, api.ServiceURL)
	}
	var got []string
	for _, op := range api.Operations {
		b, err := json.Marshal(op.Properties)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, op.ID+" "+string(b))
	}
	want := []string{
		`listOrders {"displayName":"List orders","method":"GET","urlTemplate":"/orders","description":"Lists the orders.",` +
			`"request":{"queryParameters":[{"name":"limit","type":"integer","defaultValue":"20"},{"name":"state","type":"string","values":["open","closed"]}],` +
			`"headers":[{"name":"X-Tenant","type":"string","required":true}]},` +
			`"responses":[{"statusCode":200,"representations":[{"contentType":"application/json"},{"contentType":"application/xml"}]}],"importedFrom":"wadl"}`,
		`post-orders {"displayName":"POST /orders","method":"POST","urlTemplate":"/orders",` +
			`"request":{"headers":[{"name":"X-Tenant","type":"string","required":true}],"representations":[{"contentType":"application/json"}]},` +
			`"responses":[{"statusCode":201,"representations":[{"contentType":"application/json"}]},{"statusCode":202,"representations":[{"contentType":"application/json"}]},` +
			`{"statusCode":400,"description":"Invalid order."}],"importedFrom":"wadl"}`,
		`getOrder {"displayName":"getOrder","method":"GET","urlTemplate":"/orders/{id}","templateParameters":[{"name":"id","type":"integer","required":true}],` +
			`"request":{"headers":[{"name":"X-Tenant","type":"string","required":true}]},"importedFrom":"wadl"}`,
		`delete-orders-id {"displayName":"DELETE /orders/{id}","method":"DELETE","urlTemplate":"/orders/{id}","templateParameters":[{"name":"id","type":"integer","required":true}],` +
			`"request":{"headers":[{"name":"X-Tenant","type":"string","required":true}]},"importedFrom":"wadl"}`,
		`get-orders-id-lines-line {"displayName":"GET /orders/{id}/lines/{line}","method":"GET","urlTemplate":"/orders/{id}/lines/{line}",` +
			`"templateParameters":[{"name":"id","type":"integer","required":true},{"name":"line","type":"string","required":true}],` +
			`"request":{"headers":[{"name":"X-Tenant","type":"string","required":true}]},"importedFrom":"wadl"}`,
	}
	if len(got) != len(want) {
		t.Fatalf("%d operations, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("operation %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}

func TestImportIDs(t *testing.T) {
	t.Parallel()
	const head = `<application xmlns="http://research.sun.com/wadl/2006/10"><resources base="http://x/">`
	api, err := Import([]byte(head + `<resource path="a"><method name="GET" id="get-a"/></resource>` +
		`<resource path="/a/"><method name="GET"/></resource></resources></application>`))
	if err != nil {
		t.Fatal(err)
	}
	if api.Operations[0].ID != "get-a" || api.Operations[1].ID != "get-a-2" {
		t.Errorf("ids %s, %s: want get-a, get-a-2", api.Operations[0].ID, api.Operations[1].ID)
	}
	_, err = Import([]byte(head + `<resource path="a"><method name="GET" id="x.y"/><method name="PUT" id="x y"/></resource></resources></application>`))
	if err == nil || !strings.Contains(err.Error(), `methods "x.y" and "x y" have the same id "x-y"`) {
		t.Errorf("two methods with one id: %v", err)
	}
}

func TestReadRefuses(t *testing.T) {
	t.Parallel()
	const ns = `xmlns="http://wadl.dev.java.net/2009/02"`
	tests := []struct{ name, src, want string }{
		{"not XML", `{"openapi": "3.0.1"}`, "invalid WADL"},
		{"WSDL", `<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"/>`, "expected element type <application>"},
		{"no method", `<application ` + ns + `><resources base="http://x"><resource path="a"/></resources></application>`, "no resource with a method"},
		{"resource type", `<application ` + ns + `><resources><resource path="a" type="#t"/></resources></application>`, `resource "/a": type`},
		{"method href", `<application ` + ns + `><resources><resource path="a"><method href="#m"/></resource></resources></application>`, `resource "/a" method href "#m"`},
		{"bad method", `<application ` + ns + `><resources><resource path="a"><method name="GE T"/></resource></resources></application>`, `"GE T": name must be an HTTP method`},
		{"bad status", `<application ` + ns + `><resources><resource path="a"><method name="GET"><response status="2xx"/></method></resource></resources></application>`, `response status "2xx"`},
		{"bad style", `<application ` + ns + `><resources><resource path="a"><param name="p" style="cookie"/><method name="GET"/></resource></resources></application>`, `param "p": style "cookie"`},
		{"twice", `<application ` + ns + `><resources><resource path="{a}/{a}"><method name="GET"/></resource></resources></application>`, `the parameter {a} appears twice`},
		{"deep", `<application ` + ns + `><resources>` + strings.Repeat(`<resource path="a">`, MaxDepth+1) + `<method name="GET"/>` +
			strings.Repeat(`</resource>`, MaxDepth+1) + `</resources></application>`, "nest deeper"},
	}
	for _, tc := range tests {
		_, err := Import([]byte(tc.src))
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want ErrInvalid with %q", tc.name, err, tc.want)
		}
	}
}
