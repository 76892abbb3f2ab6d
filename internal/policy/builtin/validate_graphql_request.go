package builtin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/graphql/query"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// validateGraphQLRequest implements <validate-graphql-request>: it reads
// the GraphQL request (a JSON body, an application/graphql body or GET's
// query string), refuses it when it is larger than max-size bytes, is not
// a GraphQL request, does not parse, does not validate against the API's
// schema or is deeper than max-depth (default 6), and then applies the
// authorize rules to each field of the operation: for each, the most
// specific rule whose action is not "ignore" decides; "reject" refuses
// the request, "remove" removes the field from the query that is
// forwarded, "allow" keeps it. As APIM says, failures are "request
// errors": the client gets an errors block and no data block; every
// error is also in the GraphQLErrors variable, and in the variable
// error-variable-name names, as the JSON text of the errors list. An API
// without a schema (not a GraphQL API, or one whose schema the gateway
// has not been given) is checked for syntax, size and depth, and its
// rules see the type only of fields at the root.
type validateGraphQLRequest struct {
	schema   *query.Schema // nil: none
	maxSize  policy.Value
	maxDepth policy.Value // unset: 6
	errVar   policy.Value // unset: none
	rules    []gqlRule
}

// gqlRule is an authorize rule: a path /Type/field (or /field for a
// field at the root; either part may end in '*') and an action.
type gqlRule struct {
	typ, field string // field empty: a one-part path, which names a root field
	action     policy.Value
	exact      int // how specific: exact parts count 2, wildcards 1
}

var _ policy.Step = (*validateGraphQLRequest)(nil)

// maxGraphQLSize is APIM's largest max-size: 102,400 bytes.
const maxGraphQLSize = 102400

var gqlActions = map[string]bool{"allow": true, "remove": true, "reject": true, "ignore": true, "deny": true}

func compileValidateGraphQLRequest(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "error-variable-name", "max-size", "max-depth")
	if c.Section() != policy.Inbound {
		c.Errorf(n, "belongs in inbound")
		return nil
	}
	s := &validateGraphQLRequest{}
	if sdl := c.Env().GraphQLSchema; strings.TrimSpace(sdl) != "" {
		schema, err := query.ParseSchema(sdl)
		if err != nil {
			c.Errorf(n, "the API's GraphQL schema: %v", err)
			return nil
		}
		s.schema = schema
	}
	var ok bool
	if s.maxSize, ok = c.Attr(n, "max-size", true); ok {
		checkGQLInt(n, c, "max-size", s.maxSize, maxGraphQLSize)
	}
	if s.maxDepth, ok = c.Attr(n, "max-depth", false); ok {
		checkGQLInt(n, c, "max-depth", s.maxDepth, 0)
	}
	s.errVar, _ = c.Attr(n, "error-variable-name", false)
	for i, k := range n.Children {
		if k.Name != "authorize" || i > 0 {
			c.Errorf(k, "unexpected element: <validate-graphql-request> holds one <authorize>")
			continue
		}
		c.Only(k)
		for _, r := range k.Children {
			if r.Name != "rule" {
				c.Errorf(r, "unexpected element: <authorize> holds <rule> elements")
				continue
			}
			if rule, ok := compileGQLRule(r, c); ok {
				s.rules = append(s.rules, rule)
			}
		}
	}
	return s
}

func checkGQLInt(n *policy.Node, c *policy.Compiler, name string, v policy.Value, most int) {
	lit, ok := v.Literal()
	if !ok {
		return // an expression, checked per request
	}
	a, _ := n.Attr(name)
	i, err := strconv.Atoi(strings.TrimSpace(lit))
	switch {
	case err != nil || i < 1:
		c.AttrErrorf(n, a, "%q is not a positive integer", lit)
	case most > 0 && i > most:
		c.AttrErrorf(n, a, "%d is more than the largest allowed, %d bytes", i, most)
	}
}

func compileGQLRule(r *policy.Node, c *policy.Compiler) (gqlRule, bool) {
	c.Only(r, "path", "action")
	path, a, ok := c.Literal(r, "path", true)
	if !ok {
		return gqlRule{}, false
	}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if !strings.HasPrefix(path, "/") || len(parts) > 2 || parts[0] == "" || len(parts) == 2 && parts[1] == "" {
		c.AttrErrorf(r, a, "%q: want /type/field (or /field, /__* for introspection)", path)
		return gqlRule{}, false
	}
	rule := gqlRule{typ: parts[0]}
	if len(parts) == 2 {
		rule.field = parts[1]
	}
	for _, p := range parts {
		if i := strings.IndexByte(p, '*'); i >= 0 && i != len(p)-1 {
			c.AttrErrorf(r, a, "%q: '*' may only end a part of the path", path)
			return gqlRule{}, false
		}
		if strings.HasSuffix(p, "*") {
			rule.exact++
		} else {
			rule.exact += 2
		}
	}
	if len(parts) == 1 {
		rule.exact-- // a root field's name alone is less specific than its type and name
	}
	if v, ok := c.Attr(r, "action", false); ok {
		if lit, isLit := v.Literal(); isLit && !gqlActions[strings.TrimSpace(lit)] {
			aa, _ := r.Attr("action")
			c.AttrErrorf(r, aa, "%q: want allow, remove, reject or ignore", lit)
			return gqlRule{}, false
		}
		rule.action = v
	}
	return rule, true
}

// globMatch matches s against p, which may end in '*'.
func globMatch(p, s string) bool {
	if prefix, ok := strings.CutSuffix(p, "*"); ok {
		return strings.HasPrefix(s, prefix)
	}
	return p == s
}

// matches reports whether the rule applies to f. A one-part path names a
// field at the root: "/__*" the introspection fields __schema and __type
// (never __typename, which clients add to any selection).
func (r *gqlRule) matches(f *query.Field) bool {
	if r.field == "" {
		return f.Root && f.Name != "__typename" && globMatch(r.typ, f.Name)
	}
	return globMatch(r.typ, f.Type) && globMatch(r.field, f.Name)
}

func (s *validateGraphQLRequest) Do(c *policy.Context) error {
	var errs []*query.Error
	defer func() {
		if len(errs) > 0 {
			s.record(c, errs)
		}
	}()
	maxSize, err := s.intOf(c, s.maxSize, maxGraphQLSize)
	if err != nil {
		return err
	}
	body, err := bodyOf(c)
	if err != nil {
		return err
	}
	size := len(body)
	if c.Request.Method == http.MethodGet && c.Request.URL != nil {
		size = len(c.Request.URL.QueryValues().Encode())
	}
	if size > maxSize {
		errs = []*query.Error{{Message: fmt.Sprintf("The request is larger than %d bytes.", maxSize), Extensions: map[string]string{"code": query.CodeRequestTooBig}}}
		return refuseGraphQL(errs)
	}
	var values map[string][]string
	if c.Request.URL != nil {
		values = c.Request.URL.QueryValues()
	}
	req, gerr := query.ReadRequest(c.Request.Method, c.Request.Headers.Get("Content-Type"), body, values)
	if gerr != nil {
		errs = []*query.Error{gerr}
		return refuseGraphQL(errs)
	}
	doc, perrs := s.schema.Parse(req.Query, req.OperationName)
	if perrs != nil {
		errs = perrs
		return refuseGraphQL(errs)
	}
	maxDepth, err := s.intOf(c, s.maxDepth, 6)
	if err != nil {
		return err
	}
	if d := doc.Depth(maxDepth); d > maxDepth {
		errs = []*query.Error{{Message: fmt.Sprintf("The query is deeper than %d levels.", maxDepth), Extensions: map[string]string{"code": query.CodeTooDeep}}}
		return refuseGraphQL(errs)
	}
	removed, rejected, err := s.authorize(c, doc)
	if err != nil {
		return err
	}
	if rejected != nil {
		errs = []*query.Error{rejected}
		return refuseGraphQL(errs)
	}
	if len(removed) == 0 {
		return nil
	}
	for f := range removed {
		errs = append(errs, fieldError(query.CodeFieldRemoved, "removed", f))
	}
	if !doc.Remove(removed) {
		errs = append(errs, &query.Error{Message: "Every field of the operation was removed.", Extensions: map[string]string{"code": query.CodeUnauthorized}})
		return refuseGraphQL(errs)
	}
	return s.forward(c, req, doc.String())
}

// authorize applies the rules to each field: the fields to remove, or
// the error of the first rejected one.
func (s *validateGraphQLRequest) authorize(c *policy.Context, doc *query.Document) (map[*query.Field]bool, *query.Error, error) {
	if len(s.rules) == 0 {
		return nil, nil, nil
	}
	removed := map[*query.Field]bool{}
	var rejected *query.Error
	var failed error
	doc.Fields(func(f *query.Field) bool {
		action, err := s.actionFor(c, f)
		if err != nil {
			failed = err
			return false
		}
		switch action {
		case "reject", "deny":
			rejected = fieldError(query.CodeUnauthorized, "not authorized", f)
			return false
		case "remove":
			removed[f] = true
		}
		return true
	})
	return removed, rejected, failed
}

// actionFor returns the action of the most specific rule for f whose
// action is not "ignore" (the last written of equally specific ones);
// "allow" when none applies.
func (s *validateGraphQLRequest) actionFor(c *policy.Context, f *query.Field) (string, error) {
	tried := make([]bool, len(s.rules))
	for {
		best := -1
		for i := range s.rules {
			if !tried[i] && s.rules[i].matches(f) && (best < 0 || s.rules[i].exact >= s.rules[best].exact) {
				best = i
			}
		}
		if best < 0 {
			return "allow", nil
		}
		tried[best] = true
		action := "allow"
		if s.rules[best].action.IsSet() {
			v, err := s.rules[best].action.String(c)
			if err != nil {
				return "", err
			}
			action = strings.ToLower(strings.TrimSpace(v))
		}
		if !gqlActions[action] {
			return "", fmt.Errorf("validate-graphql-request: rule action %q: want allow, remove, reject or ignore", action)
		}
		if action != "ignore" {
			return action, nil
		}
	}
}

func fieldError(code, what string, f *query.Field) *query.Error {
	path := "/" + f.Name
	if f.Type != "" {
		path = "/" + f.Type + "/" + f.Name
	}
	e := &query.Error{Message: fmt.Sprintf("The field %s is %s.", path, what), Extensions: map[string]string{"code": code}}
	if f.Pos != nil {
		e.Locations = append(e.Locations, f.Location())
	}
	return e
}

// forward replaces the request's query with the rewritten one.
func (s *validateGraphQLRequest) forward(c *policy.Context, req *query.Request, q string) error {
	if c.Request.Method == http.MethodGet {
		c.Request.URL.QueryValues().Set("query", q)
		return nil
	}
	var data []byte
	if strings.HasPrefix(c.Request.Headers.Get("Content-Type"), "application/graphql") {
		data = []byte(q)
	} else {
		var err error
		if data, err = req.Body(q); err != nil {
			return err
		}
	}
	messageOf(c, false).set(data)
	return nil
}

func (s *validateGraphQLRequest) intOf(c *policy.Context, v policy.Value, def int) (int, error) {
	if !v.IsSet() {
		return def, nil
	}
	str, err := v.String(c)
	if err != nil {
		return 0, err
	}
	i, err := strconv.Atoi(strings.TrimSpace(str))
	if err != nil || i < 1 {
		return 0, fmt.Errorf("validate-graphql-request: %q is not a positive integer", str)
	}
	return i, nil
}

// record puts the errors, as JSON, in GraphQLErrors and the variable
// error-variable-name names.
func (s *validateGraphQLRequest) record(c *policy.Context, errs []*query.Error) {
	data, _ := json.Marshal(errs) // cannot fail: strings and ints
	c.SetVariable("GraphQLErrors", string(data))
	if s.errVar.IsSet() {
		if name, err := s.errVar.String(c); err == nil && name != "" {
			c.SetVariable(name, string(data))
		}
	}
}

func bodyOf(c *policy.Context) ([]byte, error) {
	if c.Request.Body == nil {
		return nil, nil
	}
	return c.Request.Body.Bytes()
}

// refuseGraphQL answers a request error: 400 with an errors block and
// no data block.
func refuseGraphQL(errs []*query.Error) error {
	body, _ := json.Marshal(map[string]any{"errors": errs}) // cannot fail: strings and ints
	resp := &expr.Response{StatusCode: http.StatusBadRequest, StatusReason: http.StatusText(http.StatusBadRequest),
		Headers: http.Header{"Content-Type": {"application/json"}}, Body: expr.BodyOf(body)}
	return &policy.Refusal{Reason: "GraphQLRequestError", Message: errs[0].Message, Response: resp}
}
