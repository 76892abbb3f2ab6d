package builtin

import (
	"strings"
	"testing"
)

// TestSendRequestDiagnosticsNameWhatIsWrong: a <set-url> whose expression
// does not compile is reported as such, not as a missing <set-url>; the
// timeout may be an expression and has no bound APIM does not document.
func TestSendRequestDiagnosticsNameWhatIsWrong(t *testing.T) {
	tests := []struct {
		name, doc string
		want      string // the diagnostics; empty: compiles
	}{
		{name: "set-url with a bad expression",
			doc:  `<send-request response-variable-name="r"><set-url>@(context.Nope)</set-url></send-request>`,
			want: "1:80: <set-url>: member Nope of IContext is not supported"},
		{name: "no set-url", doc: `<send-request response-variable-name="r" />`,
			want: "1:20: <send-request>: a <set-url> is required in mode new"},
		{name: "timeout expression", doc: `<send-request response-variable-name="r" timeout="@(context.Variables.GetValueOrDefault<int>(&quot;t&quot;, 5))"><set-url>http://x</set-url></send-request>`},
		{name: "long timeout", doc: `<send-request response-variable-name="r" timeout="600"><set-url>http://x</set-url></send-request>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := compileDoc(nil, inbound(tt.doc))
			got := ""
			if err != nil {
				got = err.Error()
			}
			if strings.TrimSpace(got) != tt.want {
				t.Errorf("diagnostics:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}
