package model

import (
	"errors"
	"testing"
)

func TestRefID(t *testing.T) {
	for _, c := range []struct{ collection, in, want string }{
		{"backends", "orders", "orders"},
		{"backends", "/backends/orders", "orders"},
		{"backends", "/Backends/orders", "orders"},
		{"backends", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim/backends/orders", "orders"},
		{"certificates", "/certificates/client", "client"},
		{"products", "/products/starter", "starter"},
		{"loggers", "/loggers/ai", "ai"},
		{"apiVersionSets", "/apiVersionSets/v", "v"},
		{"backends", "/certificates/orders", "/certificates/orders"},
		{"backends", "/backends/a/b", "/backends/a/b"},
		{"backends", "/backends/", "/backends/"},
		{"backends", "/subscriptions/s/service/apim", "/subscriptions/s/service/apim"},
	} {
		if got := RefID(c.collection, c.in); got != c.want {
			t.Errorf("RefID(%q, %q) = %q, want %q", c.collection, c.in, got, c.want)
		}
	}
}

func TestBackendPoolAndBreaker(t *testing.T) {
	b := &Backend{Type: "Pool", Pool: &BackendPool{Services: []PoolMember{{ID: "/backends/a", Priority: 1, Weight: 3}, {ID: "b"}}}}
	b.Normalize()
	if err := b.Validate(); err != nil || b.Pool.Services[0].ID != "a" {
		t.Fatalf("pool: %v, ids %+v", err, b.Pool.Services)
	}
	rule := CircuitBreakerRule{Name: "r", TripDuration: "PT1M", FailureCondition: FailureCondition{Count: 3, Interval: "PT1H",
		StatusCodeRanges: []StatusCodeRange{{Min: 500, Max: 599}}}}
	ok := &Backend{URL: "http://x", CircuitBreaker: &CircuitBreaker{Rules: []CircuitBreakerRule{rule}},
		Credentials: &BackendCredentials{CertificateIDs: []string{"/certificates/c"}}}
	ok.Normalize()
	if err := ok.Validate(); err != nil || ok.Credentials.CertificateIDs[0] != "c" {
		t.Fatalf("breaker: %v, %v", err, ok.Credentials.CertificateIDs)
	}
	for target, change := range map[string]func(r *CircuitBreakerRule){
		"properties.circuitBreaker.rules[0].name":                                 func(r *CircuitBreakerRule) { r.Name = "" },
		"properties.circuitBreaker.rules[0].tripDuration":                         func(r *CircuitBreakerRule) { r.TripDuration = "1 minute" },
		"properties.circuitBreaker.rules[0].failureCondition.interval":            func(r *CircuitBreakerRule) { r.FailureCondition.Interval = "" },
		"properties.circuitBreaker.rules[0].failureCondition.count":               func(r *CircuitBreakerRule) { r.FailureCondition.Count = 0 },
		"properties.circuitBreaker.rules[0].failureCondition.percentage":          func(r *CircuitBreakerRule) { r.FailureCondition.Percentage = 101 },
		"properties.circuitBreaker.rules[0].failureCondition.statusCodeRanges[0]": func(r *CircuitBreakerRule) { r.FailureCondition.StatusCodeRanges[0].Min = 600 },
	} {
		r := rule
		r.FailureCondition.StatusCodeRanges = []StatusCodeRange{{Min: 500, Max: 599}}
		change(&r)
		b := &Backend{URL: "http://x", CircuitBreaker: &CircuitBreaker{Rules: []CircuitBreakerRule{r}}}
		b.Normalize()
		var ve *ValidationError
		if err := b.Validate(); !errors.As(err, &ve) || ve.Fields[0].Target != target {
			t.Errorf("%s: Validate = %v", target, err)
		}
	}
	for target, m := range map[string]PoolMember{
		"properties.pool.services[0].id":       {ID: "a/b"},
		"properties.pool.services[0].priority": {ID: "a", Priority: 101},
		"properties.pool.services[0].weight":   {ID: "a", Weight: -1},
	} {
		b := &Backend{Type: "Pool", Pool: &BackendPool{Services: []PoolMember{m}}}
		b.Normalize()
		var ve *ValidationError
		if err := b.Validate(); !errors.As(err, &ve) || ve.Fields[0].Target != target {
			t.Errorf("%s: Validate = %v", target, err)
		}
	}
}
