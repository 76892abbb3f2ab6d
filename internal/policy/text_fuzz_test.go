package policy

import (
	"strings"
	"testing"
)

// FuzzSubstitute checks the map from the substituted text back to the
// text as written: every offset maps into the text as written, in order,
// and text outside the substituted values maps to itself.
func FuzzSubstitute(f *testing.F) {
	f.Add(`<policies><inbound><rate-limit calls="{{calls}}" renewal-period="{{ period }}" /></inbound></policies>`, "10")
	f.Add("<a>{{x}}\n{{missing}}{{x}}{{}}{{ {{x}} }}</a>", "<b>\n</b>")
	f.Add(`@("{{x}}" + {{x}})`, "")
	f.Add("{{x}}{{x}}{{x}", `"quoted"`)
	f.Fuzz(func(t *testing.T, src, value string) {
		env := &Env{NamedValues: map[string]string{"x": value, "calls": value, "period": value}, Secrets: map[string]bool{"x": true}}
		tx := substitute(src, env)
		prev := 0
		for o := 0; o <= len(tx.src); o++ {
			w := tx.written(o)
			if w < 0 || w > len(src) {
				t.Fatalf("offset %d maps to %d, outside the %d bytes written", o, w, len(src))
			}
			if w < prev {
				t.Fatalf("offset %d maps to %d, before %d", o, w, prev)
			}
			prev = w
			inValue := false
			for _, r := range tx.refs {
				inValue = inValue || (!r.Opaque && !r.Missing && r.at <= o && o < r.end)
			}
			if !inValue && o < len(tx.src) && (w >= len(src) || src[w] != tx.src[o]) {
				t.Fatalf("offset %d (%q) maps to %d, another byte", o, tx.src[o], w)
			}
			if p := tx.at(o); p.Line < 1 || p.Col < 1 || p.Line > strings.Count(src, "\n")+1 {
				t.Fatalf("offset %d at %v", o, p)
			}
		}
		if _, err := readXML(src, env); err != nil && len(value) > 2 && !strings.Contains(src, value) && strings.Contains(err.Error(), value) {
			t.Fatalf("a reading error shows the secret %q: %v", value, err)
		}
	})
}
