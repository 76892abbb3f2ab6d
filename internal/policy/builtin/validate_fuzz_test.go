package builtin

import (
	"strings"
	"testing"
)

// FuzzValidateSchema feeds arbitrary stored schemas and bodies to what
// validate-content parses: compiling a schema (with each override) either
// fails or gives a schema that validates any JSON body without panicking,
// and a problem's position is always inside the body.
func FuzzValidateSchema(f *testing.F) {
	for _, s := range [][2]string{
		{`{"type":"object","required":["a"],"properties":{"a":{"type":"integer","minimum":1}}}`, `{"a":0}`},
		{`{"type":"array","items":{"$ref":"#/$defs/x"},"$defs":{"x":{"type":"string","nullable":true}}}`, `["x",null,1]`},
		{`{"allOf":[{"properties":{"B":{"pattern":"^[a-z]+$"}}}],"additionalProperties":false}`, "{\n \"b\": \"X\",\n \"c\": [1, {\"d\": \"\\\"\"}]\n}"},
		{`true`, `null`}, {`{"$ref":"file:///etc/passwd"}`, `{}`}, {`{"items":[{"type":"string"}]}`, `[1]`},
		{`{"properties":{"a":{"properties":{"b":{"type":"string"}}}}}`, `{"a":{"b":1}}`},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, schema, body string) {
		yes, no := true, false
		for _, opts := range []schemaOptions{{}, {additional: &yes}, {additional: &no, fold: true}} {
			s, err := compileJSONSchema([]byte(schema), "", opts)
			if err != nil {
				continue
			}
			ns := &namedSchema{schema: s, name: "T"}
			f, bad := ns.check([]byte(body), opts.fold, "RequestBody", "request", "application/json")
			if bad && !strings.Contains(f.Details, " Line: ") {
				t.Fatalf("details without a position: %s", f.Details)
			}
		}
		line, col := jsonPosition([]byte(body), strings.Split(body, "/"))
		if line < 1 || col < 1 || line > strings.Count(body, "\n")+1 || col > len(body)+1 {
			t.Fatalf("position %d:%d outside %q", line, col, body)
		}
	})
}
