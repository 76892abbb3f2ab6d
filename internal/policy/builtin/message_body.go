package builtin

import (
	"bytes"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// message is the body and headers a transformation element works on: the
// request's in inbound, the response's in outbound and on-error.
type message struct {
	body    *expr.Body // nil: the request has no body
	headers http.Header
	set     func(data []byte)
}

// messageOf returns the request (response false) or the response of c.
func messageOf(c *policy.Context, response bool) message {
	if response {
		r := responseOf(c)
		return message{body: r.Body, headers: r.Headers, set: r.Body.Set}
	}
	if c.Request.Headers == nil {
		c.Request.Headers = http.Header{}
	}
	return message{body: c.Request.Body, headers: c.Request.Headers, set: func(data []byte) {
		if c.Request.Body == nil {
			c.Request.Body = expr.BodyOf(data)
			return
		}
		c.Request.Body.Set(data)
	}}
}

// bytes returns the message's body; nil when there is none.
func (m message) bytes() ([]byte, error) {
	if m.body == nil {
		return nil, nil
	}
	return m.body.Bytes()
}

// conversion is what json-to-xml and xml-to-json share: when to convert
// and where the body is.
type conversion struct {
	in, out     string // the media type kinds converted from and to: "json", "xml"
	always      bool   // apply="always"; false: only bodies of kind in
	accept      bool   // consider-accept-header: only when Accept names kind out
	response    bool   // the response's body (outbound, on-error); false: the request's
	contentType string // set on the converted message
}

// compileConversion compiles apply (required; "always" or
// "content-type-"+cv.in) and consider-accept-header (default true) of n,
// and checks that n may be used in this section.
func compileConversion(n *policy.Node, c *policy.Compiler, cv conversion) conversion {
	if s := c.Section(); s != policy.Inbound && s != policy.Outbound && s != policy.OnError {
		c.Errorf(n, "belongs in inbound, outbound or on-error")
	}
	cv.response = c.Section() == policy.Outbound || c.Section() == policy.OnError
	if v, a, ok := c.Literal(n, "apply", true); ok {
		switch v {
		case "always":
			cv.always = true
		case "content-type-" + cv.in:
		default:
			c.AttrErrorf(n, a, "%q: want always or content-type-%s", v, cv.in)
		}
	}
	cv.accept = literalBool(n, c, "consider-accept-header", true)
	return cv
}

// literalBool compiles an optional true/false attribute.
func literalBool(n *policy.Node, c *policy.Compiler, name string, def bool) bool {
	v, a, ok := c.Literal(n, name, false)
	if !ok {
		return def
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true":
		return true
	case "false":
		return false
	}
	c.AttrErrorf(n, a, "%q: want true or false", v)
	return def
}

// mediaTypeIs reports whether the media type of header value v (a
// Content-Type) is one of the kind's types: "json" matches
// application/json, text/json and any +json type; "xml" likewise.
func mediaTypeIs(v, kind string) bool {
	mt, _, err := mime.ParseMediaType(v)
	if err != nil {
		return false
	}
	return mt == "application/"+kind || mt == "text/"+kind || strings.HasSuffix(mt, "+"+kind)
}

// accepts reports whether the Accept headers h ask for kind ("json" or
// "xml") by name: wildcards do not count, nor ranges with q=0.
func accepts(h http.Header, kind string) bool {
	for _, v := range h.Values("Accept") {
		for _, r := range strings.Split(v, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(r))
			if err != nil {
				continue
			}
			if q, err := strconv.ParseFloat(params["q"], 64); err == nil && q == 0 {
				continue
			}
			if mt == "application/"+kind || mt == "text/"+kind || strings.HasSuffix(mt, "+"+kind) {
				return true
			}
		}
	}
	return false
}

// run replaces the message of c with convert's result when the
// conditions hold. An empty body is left alone.
func (cv conversion) run(c *policy.Context, convert func([]byte) ([]byte, error)) error {
	m := messageOf(c, cv.response)
	if !cv.always && !mediaTypeIs(m.headers.Get("Content-Type"), cv.in) {
		return nil
	}
	if cv.accept && !accepts(c.Request.Headers, cv.out) {
		return nil
	}
	data, err := m.bytes()
	if err != nil || len(bytes.TrimSpace(data)) == 0 {
		return err
	}
	res, err := convert(data)
	if err != nil {
		return err
	}
	m.set(res)
	m.headers.Set("Content-Type", cv.contentType)
	return nil
}
