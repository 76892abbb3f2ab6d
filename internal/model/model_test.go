package model

import (
	"errors"
	"strings"
	"testing"
)

func TestDecodeStrictErrors(t *testing.T) {
	tests := []struct {
		name, body, wantTarget, wantMsg string
	}{
		{"syntax", "{\n  \"path\": x}", "body", "line 2, column 11"},
		{"truncated", `{"path": "a"`, "body", "unexpected end"},
		{"unknown", `{"path": "a", "nope": 1}`, "properties.nope", `unknown property "nope"`},
		{"type", `{"path": ["a"]}`, "properties.path", "want a string"},
		{"nested type", `{"subscriptionKeyParameterNames": {"header": 1}}`, "properties.subscriptionKeyParameterNames.header", "want a string"},
		{"trailing", `{"path": "a"} {}`, "body", "after the JSON value"},
		{"empty", ``, "properties", "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := DecodeStrict([]byte(tt.body), "properties", new(API))
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) != 1 {
				t.Fatalf("DecodeStrict = %v, want one field error", err)
			}
			if f := ve.Fields[0]; f.Target != tt.wantTarget || !strings.Contains(f.Message, tt.wantMsg) {
				t.Errorf("got %s: %s; want %s containing %q", f.Target, f.Message, tt.wantTarget, tt.wantMsg)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	valid := []Properties{
		&API{Path: "orders/v1", ServiceURL: "https://orders.internal:8443/api"},
		&Operation{Method: "get", URLTemplate: "/orders/{id}"},
		&Product{DisplayName: "Starter"},
		&Subscription{DisplayName: "S", Scope: "/products/starter", OwnerID: "/users/ann"},
		&Subscription{DisplayName: "S", Scope: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim/apis/echo"},
		&User{Email: "ann@example.com", FirstName: "Ann", LastName: "Lee"},
		&Group{DisplayName: "Team"},
		&NamedValue{DisplayName: "backend-url", Value: "https://x"},
		&Backend{URL: "http://10.0.0.4:8080"},
		&Gateway{LocationData: &LocationData{Name: "edge"}},
	}
	for _, p := range valid {
		p.Normalize()
		if err := p.Validate(); err != nil {
			t.Errorf("%T %+v: %v", p, p, err)
		}
	}
	invalid := map[string]Properties{
		"properties.path":                 &API{Path: "a b"},
		"properties.serviceUrl":           &API{ServiceURL: "orders.internal"},
		"properties.protocols":            &API{Protocols: []string{"ftp"}},
		"properties.method":               &Operation{Method: "GE T", URLTemplate: "/"},
		"properties.urlTemplate":          &Operation{Method: "GET", URLTemplate: "orders"},
		"properties.state":                &Product{DisplayName: "P", State: "live"},
		"properties.scope":                &Subscription{DisplayName: "S", Scope: "/groups/g"},
		"properties.ownerId":              &Subscription{DisplayName: "S", Scope: "/apis", OwnerID: "ann"},
		"properties.primaryKey":           &Subscription{DisplayName: "S", Scope: "/apis", PrimaryKey: "short"},
		"properties.email":                &User{Email: "Ann <ann@example.com>", FirstName: "A", LastName: "L"},
		"properties.displayName":          &NamedValue{DisplayName: "has space", Value: "v"},
		"properties.type":                 &Backend{URL: "http://x", Type: "Cluster"},
		"properties.circuitBreaker.rules": &Backend{URL: "http://x", CircuitBreaker: &CircuitBreaker{}},
		"properties.pool":                 &Backend{URL: "http://x", Pool: &BackendPool{Services: []PoolMember{{ID: "a"}}}},
		"properties.pool.services":        &Backend{Type: "Pool"},
	}
	for target, p := range invalid {
		p.Normalize()
		err := p.Validate()
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Fields[0].Target != target {
			t.Errorf("%T %+v: Validate = %v, want an error at %s", p, p, err, target)
		}
	}
}

func TestValidateID(t *testing.T) {
	for _, id := range []string{"a", "echo-api_v1.2", strings.Repeat("x", MaxIDLength)} {
		if err := ValidateID(id); err != nil {
			t.Errorf("ValidateID(%q) = %v", id, err)
		}
	}
	for _, id := range []string{"", "a b", "a/b", "ü", strings.Repeat("x", MaxIDLength+1)} {
		if ValidateID(id) == nil {
			t.Errorf("ValidateID(%q) accepted", id)
		}
	}
}

func FuzzDecodeStrict(f *testing.F) {
	for _, s := range []string{`{"path":"a"}`, `{"path":1}`, `{"x":1}`, `{`, ``, `{"subscriptionKeyParameterNames":{"header":"h"}}`, "\n\n{]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var a API
		err := DecodeStrict(data, "properties", &a)
		if err == nil {
			return
		}
		var ve *ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) == 0 || ve.Fields[0].Target == "" {
			t.Fatalf("DecodeStrict(%q) = %v, want a ValidationError with a target", data, err)
		}
	})
}
