package mgmt

import (
	"encoding/json"
	"testing"
)

func TestFilter(t *testing.T) {
	res := resource{Name: "Echo", Properties: json.RawMessage(`{"displayName":"Echo API","path":"echo","subscriptionRequired":true}`)}
	tests := []struct {
		expr string
		want bool
	}{
		{"name eq 'echo'", true},
		{"name eq 'other'", false},
		{"name ne 'other'", true},
		{"properties/path eq 'echo'", true},
		{"displayName eq 'Echo API' and path eq 'echo'", true},
		{"displayName eq 'Echo API' and path eq 'x'", false},
		{"contains(displayName,'api')", true},
		{"startswith(name, 'ec') and endswith(name, 'ho')", true},
		{"subscriptionRequired eq true", true},
		{"subscriptionRequired eq false", false},
		{"missing eq 'x'", false},
		{"name eq 'it''s'", false},
	}
	for _, tt := range tests {
		f, err := parseFilter(tt.expr)
		if err != nil {
			t.Errorf("parseFilter(%q): %v", tt.expr, err)
			continue
		}
		if got := f.match(res); got != tt.want {
			t.Errorf("%q matched %v, want %v", tt.expr, got, tt.want)
		}
	}
	for _, bad := range []string{"", "name", "name eq", "name gt 'a'", "name eq 'x", "contains(name)", "name eq 'a' or name eq 'b'", "(name) eq 'a'", "name eq x"} {
		if _, err := parseFilter(bad); err == nil {
			t.Errorf("parseFilter(%q) accepted", bad)
		}
	}
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"name eq 'a'", "contains(name,'x') and path ne 'y'", "a eq true", "b eq 1.5", "'", "name eq 'it''s'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := parseFilter(s)
		if err != nil {
			if flt != nil {
				t.Fatal("parseFilter returned a filter and an error")
			}
			return
		}
		if len(flt) == 0 {
			t.Fatal("parseFilter accepted an expression without conditions")
		}
		flt.match(resource{Name: "n", Properties: json.RawMessage(`{}`)})
	})
}
