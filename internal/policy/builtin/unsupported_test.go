package builtin

import "testing"

func TestUnsupportedAIElements(t *testing.T) {
	var cases []compileErrorCase
	for _, name := range unsupportedElements {
		cases = append(cases, compileErrorCase{name, inbound(`<` + name + ` backend-id="embeddings" />`), "1:20: <" + name + ">: not supported by Gatehouse yet"})
	}
	checkCompileErrors(t, cases)
}
