package builtin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// validateContent implements <validate-content>: the size of the request
// body (inbound) or the response body (outbound, on-error), whether its
// content type is one the operation documents, and, for <content>
// elements with validate-as="json", the body against the documented JSON
// Schema. Schemas are compiled with the policy; a message parses only its
// own body.
type validateContent struct {
	validator
	unspecified action
	maxSize     int64
	sizeAction  action
	typeMap     *contentTypeMap
	contents    []*contentRule
	// documented holds the documented content types (lower case) by
	// status code; the request's under 0.
	documented map[int][]string
}

var _ policy.Step = (*validateContent)(nil)

// contentRule is one <content> element with its schemas compiled.
type contentRule struct {
	typ  string // lower case; empty: every documented content type
	act  action
	fold bool
	// schemas holds the compiled schema of each documented content type
	// the rule applies to, by status code (0: the request) and content
	// type; nil when the representation has no schema.
	schemas map[schemaKey]*namedSchema
	// global is the schema schema-id names, used instead of schemas;
	// its schema is nil when the document is only checked and the
	// schema is not known.
	global *namedSchema
}

type schemaKey struct {
	status int
	typ    string
}

type namedSchema struct {
	schema *jsonschema.Schema
	name   string // the definition's name, for messages
}

// contentTypeMap is <content-type-map>.
type contentTypeMap struct {
	any, missing string // media types, lower case; empty: not given
	types        []typeMapping
}

type typeMapping struct {
	from string       // lower case; empty: when decides
	when policy.Value // a condition
	to   string       // lower case
}

func compileValidateContent(n *policy.Node, c *policy.Compiler, sc *schemaCache) policy.Step {
	c.Only(n, "unspecified-content-type-action", "max-size", "size-exceeded-action", "errors-variable-name")
	if s := c.Section(); s != policy.Inbound && s != policy.Outbound && s != policy.OnError {
		c.Errorf(n, "belongs in inbound, outbound or on-error")
	}
	v := &validateContent{validator: compileValidator(n, c)}
	v.unspecified, _ = compileActionLiteral(n, c, "unspecified-content-type-action")
	v.sizeAction, _ = compileActionLiteral(n, c, "size-exceeded-action")
	if s, a, ok := c.Literal(n, "max-size", true); ok {
		size, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || size < 0 || size > maxValidateSize {
			c.AttrErrorf(n, a, "%q: want a size in bytes from 0 to %d", s, int64(maxValidateSize))
		}
		v.maxSize = size
	}
	v.documented = documentedTypes(c.Operation(), v.response)
	for i, ch := range n.Children {
		switch ch.Name {
		case "content-type-map":
			if v.typeMap != nil || i != 0 {
				c.Errorf(ch, "one <content-type-map> may come first in <validate-content>")
			}
			v.typeMap = compileContentTypeMap(ch, c)
		case "content":
			if r := compileContentRule(ch, c, sc, v.response); r != nil {
				v.contents = append(v.contents, r)
			}
		default:
			c.Errorf(ch, "only <content-type-map> and <content> elements belong in <validate-content>")
		}
	}
	return v
}

// maxValidateSize bounds max-size: a body up to max-size is held in memory
// to be validated.
const maxValidateSize = 1 << 30

// compileActionLiteral compiles a required action attribute that may not
// be an expression.
func compileActionLiteral(n *policy.Node, c *policy.Compiler, name string) (action, bool) {
	av, ok := compileAction(n, c, name, true, false)
	return av.lit, ok
}

// documentedTypes returns the documented content types of the request
// (response false) or of each response, by status code.
func documentedTypes(op *policy.Operation, response bool) map[int][]string {
	out := map[int][]string{}
	if op == nil {
		return out
	}
	add := func(code int, reps []policy.Representation) {
		for _, r := range reps {
			out[code] = append(out[code], mediaType(r.ContentType))
		}
	}
	if !response {
		add(0, op.Request)
		return out
	}
	for _, r := range op.Responses {
		add(r.StatusCode, r.Representations)
	}
	return out
}

// mediaType returns the lower-case media type of a Content-Type value,
// without parameters; the trimmed value when it does not parse.
func mediaType(v string) string {
	if mt, _, err := mime.ParseMediaType(v); err == nil {
		return mt
	}
	return strings.ToLower(strings.TrimSpace(v))
}

func compileContentTypeMap(n *policy.Node, c *policy.Compiler) *contentTypeMap {
	c.Only(n, "any-content-type-value", "missing-content-type-value")
	m := &contentTypeMap{}
	if v, _, ok := c.Literal(n, "any-content-type-value", false); ok {
		m.any = mediaType(v)
	}
	if v, _, ok := c.Literal(n, "missing-content-type-value", false); ok {
		m.missing = mediaType(v)
	}
	for _, t := range n.Children {
		if t.Name != "type" {
			c.Errorf(t, "only <type> elements belong in <content-type-map>")
			continue
		}
		c.Only(t, "from", "when", "to")
		var tm typeMapping
		from, fa, hasFrom := c.Literal(t, "from", false)
		when, hasWhen := c.Condition(t, "when", false)
		switch {
		case hasFrom && hasWhen:
			c.AttrErrorf(t, fa, "give from or when, not both")
		case hasFrom:
			tm.from = mediaType(from)
		case hasWhen:
			tm.when = when
		default:
			c.Errorf(t, "attribute from or when is required")
		}
		to, _, _ := c.Literal(t, "to", true)
		tm.to = mediaType(to)
		m.types = append(m.types, tm)
	}
	return m
}

func compileContentRule(n *policy.Node, c *policy.Compiler, sc *schemaCache, response bool) *contentRule {
	c.Only(n, "type", "validate-as", "schema-id", "schema-ref", "action", "allow-additional-properties", "case-insensitive-property-names")
	r := &contentRule{}
	typ, _, _ := c.Literal(n, "type", false)
	r.typ = mediaType(typ)
	if as, a, ok := c.Literal(n, "validate-as", true); ok {
		switch strings.ToLower(strings.TrimSpace(as)) {
		case "json":
		case "xml", "soap":
			c.AttrErrorf(n, a, "validate-as=%q is not supported yet: Gatehouse validates JSON bodies only", as)
		default:
			c.AttrErrorf(n, a, "%q: want json, xml or soap", as)
		}
	}
	r.act, _ = compileActionLiteral(n, c, "action")
	var opts schemaOptions
	if _, ok := n.Attr("allow-additional-properties"); ok {
		b := compileBool(n, c, "allow-additional-properties", false)
		opts.additional = &b
	}
	r.fold = compileBool(n, c, "case-insensitive-property-names", false)
	opts.fold = r.fold
	r.schemas = map[schemaKey]*namedSchema{}
	if id, a, ok := c.Literal(n, "schema-id", false); ok {
		r.global = compileGlobalSchema(n, c, sc, a, strings.TrimSpace(id), opts)
		return r
	} else if _, a, ok := c.Literal(n, "schema-ref", false); ok {
		c.AttrErrorf(n, a, "schema-ref points into the schema that schema-id names; give schema-id too")
	}
	op := c.Operation()
	if op == nil || r.act == actIgnore {
		return r
	}
	compileReps := func(status int, reps []policy.Representation) {
		for _, rep := range reps {
			mt := mediaType(rep.ContentType)
			if r.typ != "" && r.typ != mt {
				continue
			}
			key := schemaKey{status, mt}
			if len(bytes.TrimSpace(rep.Schema)) == 0 {
				r.schemas[key] = nil
				continue
			}
			s, err := sc.compile(rep.Schema, "", opts)
			if err != nil {
				c.Errorf(n, "the %s schema of %s %s for %s: %v", where(status), op.Method, op.URLTemplate, rep.ContentType, err)
				continue
			}
			r.schemas[key] = &namedSchema{schema: s, name: rep.TypeName}
		}
	}
	if !response {
		compileReps(0, op.Request)
		return r
	}
	for _, resp := range op.Responses {
		compileReps(resp.StatusCode, resp.Representations)
	}
	return r
}

// where names the message a schema describes.
func where(status int) string {
	if status == 0 {
		return "request"
	}
	return "response " + strconv.Itoa(status)
}

func (v *validateContent) Do(c *policy.Context) error {
	headers, body := v.message(c)
	kind, who := "RequestBody", "request"
	status := 0
	if v.response {
		kind, who, status = "ResponseBody", "response", c.Response.StatusCode
	}
	// The size, from Content-Length or by reading at most max-size+1 bytes.
	var data []byte
	whole := false
	if v.sizeAction != actIgnore {
		size, known := int64(-1), false
		if body != nil && body.Loaded() { // read, or set by a policy: its own length counts
			if data, err := body.Bytes(); err == nil {
				size, known = int64(len(data)), true
			}
		} else if cl := headers.Get("Content-Length"); cl != "" {
			if n, err := strconv.ParseInt(strings.TrimSpace(cl), 10, 64); err == nil {
				size, known = n, true
			}
		}
		if !known || size <= v.maxSize {
			var err error
			if body != nil {
				if data, whole, err = body.Prefix(int(v.maxSize) + 1); err != nil {
					return fmt.Errorf("reading the %s body: %w", who, err)
				}
			} else {
				whole = true
			}
			if int64(len(data)) > v.maxSize {
				return v.finish(c, []finding{v.tooLarge(kind, fmt.Sprintf("more than %d bytes long", v.maxSize))})
			}
		}
		if size > v.maxSize {
			return v.finish(c, []finding{v.tooLarge(kind, fmt.Sprintf("%d bytes long", size))})
		}
	}
	// The content type, mapped.
	ct := ""
	if raw := headers.Get("Content-Type"); raw != "" {
		ct = mediaType(raw)
	}
	if ct == "" && !whole && body != nil {
		var err error
		if data, whole, err = body.Prefix(1); err != nil {
			return fmt.Errorf("reading the %s body: %w", who, err)
		}
	}
	if ct == "" && whole && len(data) == 0 && (v.typeMap == nil || v.typeMap.missing == "" && v.typeMap.any == "") {
		return nil // no body, no content type: nothing to check
	}
	mapped, err := v.typeMap.apply(c, ct)
	if err != nil {
		return err
	}
	doc := v.documentedAs(status, mapped)
	if doc == "" {
		return v.finish(c, []finding{{validationError: validationError{Name: mapped, Type: kind, ValidationRule: "Unspecified",
			Details: "Unspecified content type " + mapped + " is not allowed."}, act: v.unspecified,
			public: "Unspecified content type " + mapped + " is not allowed."}})
	}
	rule := v.rule(mapped)
	if rule == nil || rule.act == actIgnore {
		return nil
	}
	ns, ok := rule.schemas[schemaKey{status, doc}]
	if rule.global != nil {
		ns, ok = rule.global, rule.global.schema != nil
	}
	if !ok || ns == nil {
		return v.finish(c, []finding{{validationError: validationError{Type: "ApiSchema",
			Details: "API's schema does not exist or it could not be resolved."}, act: rule.act}})
	}
	if !whole && body != nil {
		if data, err = body.Bytes(); err != nil {
			return fmt.Errorf("reading the %s body: %w", who, err)
		}
	}
	if f, bad := ns.check(data, rule.fold, kind, who, mapped); bad {
		f.act = rule.act
		return v.finish(c, []finding{f})
	}
	return nil
}

// tooLarge is the finding of a body larger than max-size; long says by
// how much ("12 bytes long", or "more than 10 bytes long" when the body
// has no Content-Length and reading stopped past max-size).
func (v *validateContent) tooLarge(kind, long string) finding {
	who := "Request's"
	if v.response {
		who = "Response's"
	}
	return finding{validationError: validationError{Type: kind, ValidationRule: "SizeLimit",
		Details: fmt.Sprintf("%s body is %s and it exceeds the configured limit of %d bytes.", who, long, v.maxSize)},
		act: v.sizeAction, status: http.StatusRequestEntityTooLarge,
		public: fmt.Sprintf("%s body is %s and it exceeds the limit of %d bytes.", who, long, v.maxSize)}
}

// apply maps a message's content type (lower case, "" when missing) as
// <content-type-map> says: a matching <type> first, then
// any-content-type-value, then missing-content-type-value.
func (m *contentTypeMap) apply(c *policy.Context, ct string) (string, error) {
	if m == nil {
		return ct, nil
	}
	for _, t := range m.types {
		if t.from != "" {
			if t.from == ct {
				return t.to, nil
			}
			continue
		}
		ok, err := t.when.Bool(c)
		if err != nil {
			return "", err
		}
		if ok {
			return t.to, nil
		}
	}
	if m.any != "" {
		return m.any, nil
	}
	if ct == "" && m.missing != "" {
		return m.missing, nil
	}
	return ct, nil
}

// documentedAs returns the documented content type that ct (lower case)
// is, allowing documented ranges such as application/* and */*; "" when
// the operation does not document it for this message.
func (v *validateContent) documentedAs(status int, ct string) string {
	if ct == "" {
		return ""
	}
	for _, d := range v.documented[status] {
		if d == ct {
			return d
		}
	}
	for _, d := range v.documented[status] {
		if d == "*/*" || strings.HasSuffix(d, "/*") && strings.HasPrefix(ct, strings.TrimSuffix(d, "*")) {
			return d
		}
	}
	return ""
}

// rule returns the <content> for ct: the one naming it, else one without
// a type; nil when none applies.
func (v *validateContent) rule(ct string) *contentRule {
	var any *contentRule
	for _, r := range v.contents {
		if r.typ == ct {
			return r
		}
		if r.typ == "" && any == nil {
			any = r
		}
	}
	return any
}

// check validates data against ns; bad is false when it conforms.
func (ns *namedSchema) check(data []byte, fold bool, kind, who, ct string) (f finding, bad bool) {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	var msg string
	var line, col int
	switch {
	case err != nil:
		msg, line, col = jsonSyntaxProblem(data, err)
	default:
		if fold {
			inst = foldKeys(inst)
		}
		verr := ns.schema.Validate(inst)
		if verr == nil {
			return finding{}, false
		}
		var at []string
		msg, at = schemaProblem(verr)
		if fold {
			at = nil // the message's own names differ in case
		}
		line, col = jsonPosition(data, at)
	}
	def := "the definition"
	if ns.name != "" {
		def += " " + ns.name
	}
	details := fmt.Sprintf("Body of the %s does not conform to %s, which is associated with the content type %s. %s Line: %d, Position: %d",
		who, def, ct, msg, line, col)
	return finding{validationError: validationError{Name: ct, Type: kind, ValidationRule: "IncorrectMessage", Details: details},
		public: details}, true
}

// jsonSyntaxProblem describes why data is not JSON, and where.
func jsonSyntaxProblem(data []byte, err error) (msg string, line, col int) {
	var se *json.SyntaxError
	off := int64(len(data))
	if errors.As(err, &se) {
		off = se.Offset
	}
	line, col = 1, 1
	for _, b := range data[:min(int(off), len(data))] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return "The body is not JSON: " + err.Error() + ".", line, col
}

// compileGlobalSchema compiles the global schema id (schema-id, written
// at a), and the part of it that schema-ref points to.
func compileGlobalSchema(n *policy.Node, c *policy.Compiler, sc *schemaCache, a policy.Attr, id string, opts schemaOptions) *namedSchema {
	c.Refer(n, a.Pos, "schemas", id)
	ref, refAttr, hasRef := c.Literal(n, "schema-ref", false)
	ref = strings.TrimSpace(ref)
	env := c.Env()
	stored := env.Schemas[strings.ToLower(id)]
	switch {
	case stored == nil && env.AnySchema:
		return &namedSchema{name: id} // checked offline: not known here
	case stored == nil:
		c.AttrErrorf(n, a, "schema %q does not exist", id)
		return nil
	case stored.Type != "json":
		c.AttrErrorf(n, a, "schema %q is an XML schema: only JSON schemas are supported yet", id)
		return nil
	}
	s, err := sc.compile(stored.Document, ref, opts)
	if err != nil {
		if hasRef {
			c.AttrErrorf(n, refAttr, "schema %q: %v", id, err)
		} else {
			c.AttrErrorf(n, a, "schema %q: %v", id, err)
		}
		return nil
	}
	name := id
	if ref != "" {
		name = ref[strings.LastIndexByte(ref, '/')+1:]
	}
	return &namedSchema{schema: s, name: name}
}
