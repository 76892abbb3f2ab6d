package builtin

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/xslt"
)

// xslTransform implements <xsl-transform>: it applies an XSLT 1.0
// stylesheet to the XML request body (inbound) or response body
// (outbound). Each <parameter parameter-name="..."> (APIM's examples
// write name="...") binds the top-level xsl:param of that name to its
// text, a literal or an expression evaluated per request. The
// stylesheet is compiled with the policy, once (see package xslt for the
// supported subset; anything else is refused with its line and column).
// The body is replaced by the result; the Content-Type header is left as
// it is, as APIM does. A request body that is not well-formed XML is
// refused with 400; a response body that is not is an error (on-error
// runs).
type xslTransform struct {
	params   []xslParam
	sheet    *xslt.Stylesheet
	response bool
}

type xslParam struct {
	name  string
	value policy.Value
}

var _ policy.Step = (*xslTransform)(nil)

func compileXSLTransform(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n)
	s := &xslTransform{}
	switch c.Section() {
	case policy.Inbound:
	case policy.Outbound:
		s.response = true
	default:
		c.Errorf(n, "belongs in inbound or outbound")
		return nil
	}
	var sheet *policy.Node
	for _, k := range n.Children {
		switch {
		case k.Name == "parameter" && sheet == nil:
			c.Only(k, "parameter-name", "name")
			name, _, ok := c.Literal(k, "parameter-name", false)
			if !ok {
				name, _, ok = c.Literal(k, "name", false)
			}
			if !ok || name == "" {
				c.Errorf(k, "attribute parameter-name is required")
				continue
			}
			s.params = append(s.params, xslParam{name: name, value: c.Text(k)})
		case (k.Name == "xsl:stylesheet" || k.Name == "xsl:transform") && sheet == nil:
			sheet = k
		default:
			c.Errorf(k, "unexpected element: <xsl-transform> holds <parameter> elements, then one <xsl:stylesheet>")
		}
	}
	if sheet == nil {
		c.Errorf(n, "an <xsl:stylesheet> element is required")
		return nil
	}
	ss, err := xslt.Compile(sheet.Raw())
	if err != nil {
		at := *sheet
		var xe *xslt.Error
		if errors.As(err, &xe) {
			at.Pos = sheet.PosAt(xe.Offset)
			err = errors.New(xe.Msg)
		}
		c.Errorf(&at, "%v", err)
		return nil
	}
	s.sheet = ss
	return s
}

func (s *xslTransform) Do(c *policy.Context) error {
	m := messageOf(c, s.response)
	data, err := m.bytes()
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil // nothing to transform
	}
	var params map[string]string
	if len(s.params) > 0 {
		params = make(map[string]string, len(s.params))
		for _, p := range s.params {
			v, err := p.value.String(c)
			if err != nil {
				return err
			}
			params[p.name] = v
		}
	}
	out, err := s.sheet.Transform(data, params)
	if errors.Is(err, xslt.ErrInput) && !s.response {
		return refuse(http.StatusBadRequest, "XslTransformInvalidInput", err.Error(), "The request body is not well-formed XML.", nil)
	}
	if err != nil {
		return fmt.Errorf("xsl-transform: %w", err)
	}
	m.set(out)
	return nil
}
