package builtin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// paramKind is where a parameter is: the names APIM's errors use.
type paramKind struct {
	typ    string // the error's Type: PathParameter, QueryParameter, RequestHeader, ResponseHeader
	phrase string // "path parameter", "query parameter", "header"
	fold   bool   // names compare case-insensitively (headers)
}

var (
	pathKind     = paramKind{"PathParameter", "path parameter", false}
	queryKind    = paramKind{"QueryParameter", "query parameter", false}
	headerKind   = paramKind{"RequestHeader", "header", true}
	responseKind = paramKind{"ResponseHeader", "header", true}
)

// paramCheck is a documented parameter with its definition compiled.
type paramCheck struct {
	name     string
	typ      string // the JSON type a value is read as: string, integer, number, boolean, array
	itemType string // for arrays
	required bool
	schema   *jsonschema.Schema
}

// compileParam compiles p's schema, or the schema its type and values
// make.
func compileParam(p policy.Parameter, sc *schemaCache) (*paramCheck, error) {
	pc := &paramCheck{name: p.Name, required: p.Required, typ: strings.ToLower(p.Type)}
	raw := bytes.TrimSpace(p.Schema)
	if len(raw) == 0 {
		s := map[string]any{}
		if pc.typ != "" {
			s["type"] = pc.typ
		}
		if len(p.Values) > 0 {
			s["enum"] = p.Values
		}
		raw, _ = json.Marshal(s) // cannot fail: strings
	} else {
		var head struct {
			Type  any `json:"type"`
			Items struct {
				Type any `json:"type"`
			} `json:"items"`
		}
		if err := json.Unmarshal(raw, &head); err == nil {
			pc.typ, pc.itemType = jsonType(head.Type), jsonType(head.Items.Type)
		}
	}
	s, err := sc.compile(raw, "", schemaOptions{})
	if err != nil {
		return nil, err
	}
	pc.schema = s
	return pc, nil
}

// jsonType returns the first type other than null that a schema's type
// keyword names.
func jsonType(t any) string {
	switch v := t.(type) {
	case string:
		return v
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok && s != "null" {
				return s
			}
		}
	}
	return ""
}

// Decimal numbers as a parameter's text may write them: an optional sign,
// digits with an optional fraction, an optional exponent.
var (
	paramIntegerText = regexp.MustCompile(`^[+-]?[0-9]+$`)
	paramNumberText  = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)
)

// readParam reads a parameter's text as the JSON value its type says.
// Numbers are kept exact, whatever their size.
func readParam(typ, s string) (any, error) {
	t := strings.TrimSpace(s)
	switch typ {
	case "integer":
		if !paramIntegerText.MatchString(t) {
			return nil, fmt.Errorf("%q is not an integer", s)
		}
		return jsonNumber(t), nil
	case "number":
		if !paramNumberText.MatchString(t) {
			return nil, fmt.Errorf("%q is not a number", s)
		}
		return jsonNumber(t), nil
	case "boolean":
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("%q is not a boolean", s)
	}
	return s, nil
}

// jsonNumber writes t, a number paramNumberText matches, as JSON does: no
// plus sign, no leading zeros, digits on both sides of a point.
func jsonNumber(t string) json.Number {
	neg := strings.HasPrefix(t, "-")
	t = strings.TrimLeft(t, "+-")
	mant, exp, hasExp := strings.Cut(strings.ToLower(t), "e")
	whole, frac, hasPoint := strings.Cut(mant, ".")
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	out := whole
	if hasPoint && frac != "" {
		out += "." + frac
	}
	if hasExp {
		out += "e" + exp
	}
	if neg {
		out = "-" + out
	}
	return json.Number(out)
}

// check returns the finding of values (the parameter's, one or more)
// against pc; ok when they conform.
func (pc *paramCheck) check(k paramKind, values []string, response bool) (f finding, ok bool) {
	msgOf := "Request"
	if response {
		msgOf = "Response"
	}
	bad := func(details, public string) (finding, bool) {
		return finding{validationError: validationError{Name: pc.name, Type: k.typ, ValidationRule: "IncorrectMessage", Details: details},
			public: public}, false
	}
	var inst any
	var err error
	if pc.typ == "array" {
		var items []any
		for _, v := range values {
			for _, part := range strings.Split(v, ",") {
				item, perr := readParam(pc.itemType, part)
				if perr != nil {
					err = perr
					break
				}
				items = append(items, item)
			}
		}
		inst = items
	} else {
		if len(values) > 1 {
			d := fmt.Sprintf("%s cannot contain multiple values for the %s %s.", msgOf, k.phrase, pc.name)
			return bad(d, d)
		}
		inst, err = readParam(pc.typ, values[0])
	}
	if err != nil {
		return bad(fmt.Sprintf("Value of the %s %s cannot be parsed according to the definition. %v", k.phrase, pc.name, err),
			fmt.Sprintf("Value of the %s %s couldn't be parsed according to the definition. %v", k.phrase, pc.name, err))
	}
	if verr := pc.schema.Validate(inst); verr != nil {
		msg, _ := schemaProblem(verr)
		return bad(fmt.Sprintf("Value of the %s %s does not conform to the definition. %s Line: 1, Position: 1", k.phrase, pc.name, msg),
			fmt.Sprintf("The value of the %s %s does not conform to the definition. %s Line: 1, Position: 1", k.phrase, pc.name, msg))
	}
	return finding{}, true
}

// paramGroup is one kind of parameter of validate-parameters (headers,
// query, path) or validate-headers: the documented ones, the actions, and
// the per-name overrides.
type paramGroup struct {
	kind        paramKind
	documented  map[string]*paramCheck // by name (canonical for headers)
	specified   actionValue
	unspecified actionValue
	hasUnspec   bool                   // path parameters have no unspecified action
	overrides   map[string]actionValue // by name (canonical for headers)
	exempt      map[string]bool        // headers never reported as unspecified
}

// key returns name as the group compares it.
func (g *paramGroup) key(name string) string {
	if g.kind.fold {
		return http.CanonicalHeaderKey(name)
	}
	return name
}

// document compiles ps into g; problems are reported against n.
func (g *paramGroup) document(n *policy.Node, c *policy.Compiler, sc *schemaCache, ps []policy.Parameter) {
	if g.documented == nil {
		g.documented = map[string]*paramCheck{}
	}
	for _, p := range ps {
		pc, err := compileParam(p, sc)
		if err != nil {
			c.Errorf(n, "the definition of the %s %s: %v", g.kind.phrase, p.Name, err)
			continue
		}
		g.documented[g.key(p.Name)] = pc
	}
}

// compileOverrides reads <parameter name action> (or <header>) children.
func (g *paramGroup) compileOverrides(nodes []*policy.Node, c *policy.Compiler, child string) {
	for _, p := range nodes {
		if p.Name != child {
			c.Errorf(p, "only <%s> elements belong here", child)
			continue
		}
		c.Only(p, "name", "action")
		name, _, ok := c.Literal(p, "name", true)
		act, aok := compileAction(p, c, "action", true, true)
		if ok && aok {
			if g.overrides == nil {
				g.overrides = map[string]actionValue{}
			}
			g.overrides[g.key(strings.TrimSpace(name))] = act
		}
	}
}

// actionFor returns the action for parameter name, documented or not.
func (g *paramGroup) actionFor(c *policy.Context, name string, documented bool) (action, error) {
	if o, ok := g.overrides[g.key(name)]; ok {
		return o.get(c)
	}
	if documented {
		return g.specified.get(c)
	}
	if !g.hasUnspec {
		return actIgnore, nil
	}
	return g.unspecified.get(c)
}

// check validates the parameters present (values by name) and reports
// missing required ones.
func (g *paramGroup) check(c *policy.Context, present map[string][]string, response bool) ([]finding, error) {
	var fs []finding
	for _, name := range slices.Sorted(maps.Keys(present)) {
		values := present[name]
		pc := g.documented[g.key(name)]
		if pc == nil && g.exempt[g.key(name)] {
			continue
		}
		act, err := g.actionFor(c, name, pc != nil)
		if err != nil || act == actIgnore {
			if err != nil {
				return nil, err
			}
			continue
		}
		if pc == nil {
			d := fmt.Sprintf("Unspecified %s %s is not allowed.", g.kind.phrase, name)
			fs = append(fs, finding{validationError: validationError{Name: name, Type: g.kind.typ, ValidationRule: "Unspecified", Details: d},
				act: act, public: d})
			continue
		}
		if f, ok := pc.check(g.kind, values, response); !ok {
			f.act = act
			fs = append(fs, f)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(g.documented)) {
		pc := g.documented[key]
		if !pc.required || hasParam(present, key, g) {
			continue
		}
		act, err := g.actionFor(c, pc.name, true)
		if err != nil {
			return nil, err
		}
		d := fmt.Sprintf("Required %s %s is missing.", g.kind.phrase, pc.name)
		fs = append(fs, finding{validationError: validationError{Name: pc.name, Type: g.kind.typ, ValidationRule: "IncorrectMessage", Details: d},
			act: act, public: d})
	}
	return fs, nil
}

func hasParam(present map[string][]string, key string, g *paramGroup) bool {
	if _, ok := present[key]; ok || !g.kind.fold {
		return ok
	}
	for name := range present {
		if g.key(name) == key {
			return true
		}
	}
	return false
}
