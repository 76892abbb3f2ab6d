package model

import "testing"

func TestExpandNamedValues(t *testing.T) {
	nv := map[string]string{"key": "k1", "b": "2"}
	for in, want := range map[string]string{
		"{{key}}":                "k1",
		"Bearer {{ KEY }}-{{b}}": "Bearer k1-2",
		"{{missing}} {{key":      "{{missing}} {{key",
		"plain":                  "plain",
	} {
		if got := ExpandNamedValues(in, nv); got != want {
			t.Errorf("ExpandNamedValues(%q) = %q, want %q", in, got, want)
		}
	}
}
