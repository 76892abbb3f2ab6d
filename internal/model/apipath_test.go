package model

import (
	"errors"
	"strings"
	"testing"
)

func TestAPIPathCannotLeaveTheRoot(t *testing.T) {
	tests := []struct {
		path string
		ok   bool
	}{
		{"orders", true},
		{"shop/orders/v1", true},
		{"a.b/..c/.d/...", true},
		{"caf%C3%A9", true},
		{"", true},
		{"..", false},
		{"../../x", false},
		{"a/../b", false},
		{"a/./b", false},
		{".", false},
		{"a/%2e%2e/b", false},
		{"%2E%2E/x", false},
		{"a/.%2E/b", false},
		{"%2e", false},
		{"a%2fb", false},
		{"..%2F..%2Fadmin", false},
		{"a%5cb", false},
		{`a\b`, false},
		{"a%00", false},
		{"a%0Ab", false},
		{"a%1f", false},
		{"a%7F", false},
		{"a\x00b", false},
		{"a\tb", false},
		{"a\x7fb", false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			a := &API{Path: tt.path}
			a.Normalize()
			err := a.Validate()
			var ve *ValidationError
			if tt.ok {
				if err != nil {
					t.Errorf("path %q: %v", tt.path, err)
				}
				return
			}
			if !errors.As(err, &ve) || ve.Fields[0].Target != "properties.path" || !strings.Contains(ve.Fields[0].Message, "not a valid URL suffix") {
				t.Errorf("path %q: Validate = %v, want an error at properties.path", tt.path, err)
			}
		})
	}
}
