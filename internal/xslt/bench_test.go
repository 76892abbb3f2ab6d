package xslt

import (
	"fmt"
	"strings"
	"testing"
)

// benchInput is an order of 200 items, about 14 KB.
func benchInput() []byte {
	var b strings.Builder
	b.WriteString(`<order id="7">`)
	for i := range 200 {
		fmt.Fprintf(&b, `<item sku="s%03d" qty="%d"><name>Item %d</name><price>%d.50</price></item>`, i, i%7, i, i)
	}
	b.WriteString(`</order>`)
	return []byte(b.String())
}

// BenchmarkTransform measures the request path: parse, transform and
// serialize, for APIM's copy-everything example and for a reshaping
// stylesheet with a sort, variables and attribute value templates.
func BenchmarkTransform(b *testing.B) {
	in := benchInput()
	sheets := map[string]string{
		"identity": `<xsl:template match="node()| @*|*"><xsl:copy><xsl:apply-templates select="@* | node()|*" /></xsl:copy></xsl:template>`,
		"reshape": `<xsl:template match="/order"><lines n="{count(item)}"><xsl:for-each select="item"><xsl:sort select="price" data-type="number" order="descending"/>` +
			`<xsl:variable name="q" select="@qty"/><line sku="{@sku}" total="{price * $q}"><xsl:value-of select="name"/></line></xsl:for-each></lines></xsl:template>`,
	}
	for name, body := range sheets {
		ss, err := Compile(sheet(body))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ss.Transform(in, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
