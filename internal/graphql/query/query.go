package query

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// ErrInvalid marks a schema that ParseSchema refuses.
var ErrInvalid = errors.New("invalid GraphQL schema")

// Schema is a parsed GraphQL schema. It is immutable and safe for
// concurrent use.
type Schema struct {
	s *ast.Schema
}

// ParseSchema parses and checks an SDL schema.
func ParseSchema(sdl string) (*Schema, error) {
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "schema", Input: sdl})
	if err != nil {
		return nil, errors.Join(ErrInvalid, err)
	}
	return &Schema{s: s}, nil
}

// Error is a GraphQL error as a response's "errors" list holds it.
type Error struct {
	Message    string              `json:"message"`
	Locations  []gqlerror.Location `json:"locations,omitempty"`
	Extensions map[string]string   `json:"extensions,omitempty"`
}

// The codes of Error.Extensions["code"] for the ways a request fails.
const (
	CodeNotGraphQL    = "GRAPHQL_REQUEST_INVALID"
	CodeParse         = "GRAPHQL_PARSE_FAILED"
	CodeValidation    = "GRAPHQL_VALIDATION_FAILED"
	CodeTooDeep       = "GRAPHQL_QUERY_TOO_DEEP"
	CodeUnauthorized  = "GRAPHQL_FIELD_UNAUTHORIZED"
	CodeFieldRemoved  = "GRAPHQL_FIELD_REMOVED"
	CodeRequestTooBig = "GRAPHQL_REQUEST_TOO_LARGE"
)

func newError(code, msg string, pos *ast.Position) *Error {
	e := &Error{Message: msg, Extensions: map[string]string{"code": code}}
	if pos != nil {
		e.Locations = []gqlerror.Location{{Line: pos.Line, Column: pos.Column}}
	}
	return e
}

// Request is a GraphQL request as an HTTP request carries it: in a JSON
// body ({"query", "operationName", "variables"}), an application/graphql
// body, or GET's query string.
type Request struct {
	Query         string
	OperationName string
	// body is the JSON body's members, kept to write the body back with
	// another query; nil for other forms.
	body map[string]json.RawMessage
}

// ReadRequest reads the GraphQL request of an HTTP request: its method,
// Content-Type, body and URL query.
func ReadRequest(method, contentType string, body []byte, query url.Values) (*Request, *Error) {
	if method == "GET" {
		q := query.Get("query")
		if q == "" {
			return nil, newError(CodeNotGraphQL, "The request has no query parameter.", nil)
		}
		return &Request{Query: q, OperationName: query.Get("operationName")}, nil
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "application/graphql" {
		return &Request{Query: string(body)}, nil
	}
	var members map[string]json.RawMessage
	d := json.NewDecoder(bytes.NewReader(body))
	if err := d.Decode(&members); err != nil || d.More() {
		return nil, newError(CodeNotGraphQL, "The request body is not a JSON object with a query.", nil)
	}
	r := &Request{body: members}
	if err := json.Unmarshal(members["query"], &r.Query); err != nil || r.Query == "" {
		return nil, newError(CodeNotGraphQL, "The request body has no query string.", nil)
	}
	if raw, ok := members["operationName"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &r.OperationName); err != nil {
			return nil, newError(CodeNotGraphQL, "The request's operationName is not a string.", nil)
		}
	}
	return r, nil
}

// Body returns the JSON body with query in place of the request's.
func (r *Request) Body(query string) ([]byte, error) {
	m := make(map[string]json.RawMessage, len(r.body)+1)
	for k, v := range r.body {
		m[k] = v
	}
	q, err := json.Marshal(query)
	if err != nil {
		return nil, fmt.Errorf("graphql request body: %w", err)
	}
	m["query"] = q
	return json.Marshal(m)
}

// Document is a parsed (and, with a schema, validated) query document
// with the operation a request runs.
type Document struct {
	doc *ast.QueryDocument
	op  *ast.OperationDefinition
}

// maxTokens bounds the tokens of a query read, whatever its size.
const maxTokens = 15000

// Parse parses query and, with a schema (s not nil), validates it
// against s, and picks the operation named operationName (the only one
// when empty).
func (s *Schema) Parse(query, operationName string) (*Document, []*Error) {
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Name: "query", Input: query}, maxTokens)
	if err != nil {
		return nil, fromGQL(CodeParse, err)
	}
	if s != nil {
		if errs := validator.Validate(s.s, doc); len(errs) > 0 {
			out := make([]*Error, len(errs))
			for i, e := range errs {
				out[i] = fromGQLError(CodeValidation, e)
			}
			return nil, out
		}
	}
	d := &Document{doc: doc}
	switch {
	case operationName != "":
		d.op = doc.Operations.ForName(operationName)
		if d.op == nil {
			return nil, []*Error{newError(CodeValidation, fmt.Sprintf("Unknown operation named %q.", operationName), nil)}
		}
	case len(doc.Operations) == 1:
		d.op = doc.Operations[0]
	default:
		return nil, []*Error{newError(CodeValidation, "The document has no operation, or more than one and no operationName.", nil)}
	}
	return d, nil
}

func fromGQL(code string, err error) []*Error {
	var ge *gqlerror.Error
	if errors.As(err, &ge) {
		return []*Error{fromGQLError(code, ge)}
	}
	return []*Error{newError(code, err.Error(), nil)}
}

func fromGQLError(code string, ge *gqlerror.Error) *Error {
	return &Error{Message: ge.Message, Locations: ge.Locations, Extensions: map[string]string{"code": code}}
}

// Depth returns the depth of the operation: 1 for fields at its root,
// and one more for each level of selection below; fragments count as the
// fields they hold. It stops counting past limit.
func (d *Document) Depth(limit int) int {
	return d.depth(d.op.SelectionSet, 1, limit)
}

func (d *Document) depth(set ast.SelectionSet, level, limit int) int {
	if len(set) == 0 {
		return level - 1
	}
	if level > limit {
		return level
	}
	most := level
	for _, sel := range set {
		var sub ast.SelectionSet
		lv := level
		switch s := sel.(type) {
		case *ast.Field:
			sub, lv = s.SelectionSet, level+1
		case *ast.InlineFragment:
			sub = s.SelectionSet
		case *ast.FragmentSpread:
			if f := d.doc.Fragments.ForName(s.Name); f != nil {
				sub = f.SelectionSet
			}
		}
		if len(sub) > 0 {
			most = max(most, d.depth(sub, lv, limit))
		}
	}
	return most
}

// Field is a field of the operation, as authorization rules see it.
type Field struct {
	// Type is the name of the type the field belongs to (from the schema;
	// without one, "Query", "Mutation" or "Subscription" at the root and
	// empty below); Name is the field's name.
	Type, Name string
	// Root reports whether the field is at the root of the operation.
	Root bool
	Pos  *ast.Position
	f    *ast.Field
}

// Fields calls fn for every field of the operation, fragments included
// (a fragment's fields once per spread), depth first; fn returns false
// to stop.
func (d *Document) Fields(fn func(f *Field) bool) {
	root := map[ast.Operation]string{ast.Query: "Query", ast.Mutation: "Mutation", ast.Subscription: "Subscription"}[d.op.Operation]
	d.fields(d.op.SelectionSet, root, true, fn, 0)
}

func (d *Document) fields(set ast.SelectionSet, rootType string, root bool, fn func(*Field) bool, depth int) bool {
	if depth > 64 {
		return true // fragments that spread each other: validation refuses them with a schema
	}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			t := ""
			if s.ObjectDefinition != nil {
				t = s.ObjectDefinition.Name
			} else if root {
				t = rootType
			}
			if !fn(&Field{Type: t, Name: s.Name, Root: root, Pos: s.Position, f: s}) {
				return false
			}
			if !d.fields(s.SelectionSet, rootType, false, fn, depth+1) {
				return false
			}
		case *ast.InlineFragment:
			if !d.fields(s.SelectionSet, rootType, root, fn, depth+1) {
				return false
			}
		case *ast.FragmentSpread:
			if f := d.doc.Fragments.ForName(s.Name); f != nil && !d.fields(f.SelectionSet, rootType, root, fn, depth+1) {
				return false
			}
		}
	}
	return true
}

// Remove removes the fields in gone from the document, and then the
// selections they leave empty. It reports whether the operation still
// selects anything.
func (d *Document) Remove(gone map[*Field]bool) bool {
	fields := map[*ast.Field]bool{}
	for f := range gone {
		fields[f.f] = true
	}
	var prune func(set ast.SelectionSet, depth int) ast.SelectionSet
	prune = func(set ast.SelectionSet, depth int) ast.SelectionSet {
		if depth > 64 {
			return set
		}
		out := set[:0]
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if fields[s] {
					continue
				}
				if len(s.SelectionSet) > 0 {
					if s.SelectionSet = prune(s.SelectionSet, depth+1); len(s.SelectionSet) == 0 {
						continue
					}
				}
			case *ast.InlineFragment:
				if s.SelectionSet = prune(s.SelectionSet, depth+1); len(s.SelectionSet) == 0 {
					continue
				}
			}
			out = append(out, sel)
		}
		return out
	}
	for _, f := range d.doc.Fragments {
		f.SelectionSet = prune(f.SelectionSet, 0)
	}
	// A spread of a fragment left empty is dropped, and so is the fragment.
	empty := map[string]bool{}
	frags := d.doc.Fragments[:0]
	for _, f := range d.doc.Fragments {
		if len(f.SelectionSet) == 0 {
			empty[f.Name] = true
			continue
		}
		frags = append(frags, f)
	}
	d.doc.Fragments = frags
	var dropSpreads func(set ast.SelectionSet) ast.SelectionSet
	dropSpreads = func(set ast.SelectionSet) ast.SelectionSet {
		out := set[:0]
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.FragmentSpread:
				if empty[s.Name] {
					continue
				}
			case *ast.Field:
				s.SelectionSet = dropSpreads(s.SelectionSet)
			case *ast.InlineFragment:
				s.SelectionSet = dropSpreads(s.SelectionSet)
			}
			out = append(out, sel)
		}
		return out
	}
	for _, op := range d.doc.Operations {
		op.SelectionSet = prune(dropSpreads(op.SelectionSet), 0)
	}
	return len(d.op.SelectionSet) > 0
}

// String formats the document as GraphQL text.
func (d *Document) String() string {
	var b strings.Builder
	formatter.NewFormatter(&b, formatter.WithIndent("  ")).FormatQueryDocument(d.doc)
	return b.String()
}

// Location returns where f is written in the query.
func (f *Field) Location() gqlerror.Location {
	if f.Pos == nil {
		return gqlerror.Location{}
	}
	return gqlerror.Location{Line: f.Pos.Line, Column: f.Pos.Column}
}
