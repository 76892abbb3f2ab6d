package builtin

import (
	"encoding/json"
	"testing"
)

// FuzzConvert feeds arbitrary bytes to both converters of json-to-xml
// and xml-to-json: neither panics, each returns output or an error, and
// xml-to-json's output is valid JSON.
func FuzzConvert(f *testing.F) {
	for _, s := range []string{
		`{"id":42,"internal":"secret","name":"Widget","price":9.5}`,
		`{"a":[[1,2],{"@x":"1","#text":"t"}],"b":null,"s:c":{"@xmlns:s":"urn:s"}}`,
		`[{"a":1}]`, `[]`, `"x"`, `{"#cdata-section":"]]>"}`,
		`<?xml version="1.0"?><s:E xmlns:s="urn:s"><s:B a="1">t<c/>u</s:B></s:E>`,
		`<r><i>1</i><i>2</i><![CDATA[x]]><!-- c --></r>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, o := range []jsonXMLOptions{{nsPrefix: "xmlns"}, {nsPrefix: "ns", nsSeparator: "_", attributeBlock: "$a"}} {
			out, err := o.convert(data)
			if err == nil && len(out) == 0 {
				t.Fatalf("json-to-xml(%q): neither output nor error", data)
			}
		}
		for _, s := range []*xmlToJSON{{}, {direct: true, alwaysArray: true}} {
			out, err := s.convert(data)
			if err == nil && !json.Valid(out) {
				t.Fatalf("xml-to-json(%q) = %q: invalid JSON", data, out)
			}
		}
	})
}
