package builtin

import (
	"strings"
	"testing"
)

func TestSafetyText(t *testing.T) {
	for body, want := range map[string]string{
		`{"messages":[{"role":"system","content":"Be kind."},{"role":"user","content":[{"type":"text","text":"Hi"},{"type":"text","text":"you"}]}]}`: "Be kind.\nHi you",
		`{"prompt":"Once"}`:   "Once",
		`{"input":["a","b"]}`: "a b",
		`{"model":"x"}`:       "",
		`not json`:            "",
	} {
		if got := safetyText([]byte(body)); got != want {
			t.Errorf("safetyText(%s) = %q, want %q", body, got, want)
		}
	}
}

func TestContentSafetyCompileErrors(t *testing.T) {
	cats := `<categories><category name="Hate" threshold="4" /></categories>`
	checkCompileErrors(t, []compileErrorCase{
		{"backend required", inbound(`<llm-content-safety>` + cats + `</llm-content-safety>`), "attribute backend-id is required"},
		{"unknown backend", inbound(`<llm-content-safety backend-id="nope">` + cats + `</llm-content-safety>`), `there is no backend "nope"`},
		{"nothing to check", inbound(`<llm-content-safety backend-id="orders" />`), "nothing to check"},
		{"bad shield", inbound(`<llm-content-safety backend-id="orders" shield-prompt="yes" />`), `shield-prompt: "yes": want true or false`},
		{"bad category", inbound(`<llm-content-safety backend-id="orders"><categories><category name="Spam" threshold="4" /></categories></llm-content-safety>`), `"Spam": want Hate, SelfHarm, Sexual or Violence`},
		{"bad threshold", inbound(`<llm-content-safety backend-id="orders"><categories><category name="Hate" threshold="8" /></categories></llm-content-safety>`), `threshold "8": want a whole number from 0 to 7`},
		{"bad output type", inbound(`<llm-content-safety backend-id="orders"><categories output-type="Two">` + strings.TrimPrefix(cats, "<categories>") + `</llm-content-safety>`), `"Two": want FourSeverityLevels or EightSeverityLevels`},
		{"empty categories", inbound(`<llm-content-safety backend-id="orders"><categories /></llm-content-safety>`), "at least one <category> is required"},
		{"empty blocklists", inbound(`<llm-content-safety backend-id="orders"><blocklists /></llm-content-safety>`), "at least one <id> is required"},
		{"unknown child", inbound(`<llm-content-safety backend-id="orders" shield-prompt="true"><prompt /></llm-content-safety>`), "only <categories> and <blocklists>"},
		{"outbound", `<policies><inbound /><outbound><llm-content-safety backend-id="orders" shield-prompt="true" /></outbound></policies>`, "belongs in the inbound section"},
	})
}
