package main

import (
	"strings"
	"testing"
)

// TestPolicyCheckTypedNamedValues: a {{name}} in a typed attribute is a
// warning while its value is not known, and is checked with its value
// when --named-values or --named-value gives it, at the line and column
// of the reference as written.
func TestPolicyCheckTypedNamedValues(t *testing.T) {
	bin := buildGatehouse(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"typed.xml": "<policies>\n  <inbound>\n    <rate-limit calls=\"{{calls}}\" renewal-period=\"{{period}}\" />\n" +
			"    <set-header name=\"X-Base\" exists-action=\"override\"><value>@(\"{{base}}\" + context.Request.Url.Path)</value></set-header>\n  </inbound>\n</policies>",
		"bad.json":  `{"calls": "many", "period": "60", "base": "https://orders.internal"}`,
		"good.json": `{"calls": "10", "period": "60", "base": "https://orders.internal"}`,
	})
	tests := []struct {
		name   string
		args   []string
		exit   int
		stderr []string
	}{
		{name: "opaque", args: []string{"typed.xml"}, exit: 0, stderr: []string{
			"typed.xml:3:24: warning: <rate-limit>: named value {{calls}} is opaque",
			"typed.xml:3:51: warning: <rate-limit>: named value {{period}} is opaque",
			"typed.xml:4:66: warning: <value>: named value {{base}} is opaque",
		}},
		{name: "a value that does not fit", args: []string{"--named-values", "bad.json", "typed.xml"}, exit: 1, stderr: []string{
			`typed.xml:3:24: <rate-limit> calls: "many": want a whole number from 1 to 2^53`,
		}},
		{name: "values that fit", args: []string{"--named-values", "good.json", "typed.xml"}, exit: 0},
		{name: "one value given", args: []string{"--named-value", "calls=0", "typed.xml"}, exit: 1, stderr: []string{
			`typed.xml:3:24: <rate-limit> calls: "0": want a whole number from 1 to 2^53`,
			"typed.xml:3:51: warning: <rate-limit>: named value {{period}} is opaque",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			run := runCheck(t, bin, dir, nil, tt.args...)
			if run.exit != tt.exit {
				t.Errorf("exit %d, want %d\n%s", run.exit, tt.exit, run.stderr)
			}
			for _, want := range tt.stderr {
				if !strings.Contains(run.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, run.stderr)
				}
			}
		})
	}
}
