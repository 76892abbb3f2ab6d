package query

import (
	"net/url"
	"strings"
	"testing"
)

const testSchema = `
type Query { missions(limit: Int): [Mission!]! ship(id: ID!): Ship secret: String }
type Mission { id: ID! name: String ship: Ship }
type Ship { id: ID! name: String missions: [Mission!]! }
type Mutation { deleteUser(id: ID!): Boolean }
`

func mustSchema(t testing.TB) *Schema {
	t.Helper()
	s, err := ParseSchema(testSchema)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestReadRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, method, ctype, body string
		query                     url.Values
		wantQuery, wantOp         string
		wantErr                   bool
	}{
		{name: "json", method: "POST", ctype: "application/json", body: `{"query":"{ secret }","operationName":"A","variables":{"x":1}}`, wantQuery: "{ secret }", wantOp: "A"},
		{name: "json null operation", method: "POST", ctype: "application/json", body: `{"query":"{ secret }","operationName":null}`, wantQuery: "{ secret }"},
		{name: "graphql body", method: "POST", ctype: "application/graphql; charset=utf-8", body: `{ secret }`, wantQuery: "{ secret }"},
		{name: "get", method: "GET", query: url.Values{"query": {"{ secret }"}, "operationName": {"B"}}, wantQuery: "{ secret }", wantOp: "B"},
		{name: "get without query", method: "GET", query: url.Values{}, wantErr: true},
		{name: "not json", method: "POST", ctype: "application/json", body: `query { x }`, wantErr: true},
		{name: "no query", method: "POST", ctype: "application/json", body: `{"variables":{}}`, wantErr: true},
		{name: "two values", method: "POST", ctype: "application/json", body: `{"query":"{ a }"} {}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := ReadRequest(tt.method, tt.ctype, []byte(tt.body), tt.query)
			if tt.wantErr {
				if err == nil || err.Extensions["code"] != CodeNotGraphQL {
					t.Errorf("ReadRequest = %+v, %+v; want a %s error", r, err, CodeNotGraphQL)
				}
				return
			}
			if err != nil || r.Query != tt.wantQuery || r.OperationName != tt.wantOp {
				t.Errorf("ReadRequest = %+v, %+v; want query %q operation %q", r, err, tt.wantQuery, tt.wantOp)
			}
		})
	}
}

func TestParseAndDepth(t *testing.T) {
	t.Parallel()
	s := mustSchema(t)
	tests := []struct {
		name, query, op string
		schema          bool
		wantCode        string
		wantDepth       int
	}{
		{name: "valid", query: `{ missions { name ship { name } } }`, schema: true, wantDepth: 3},
		{name: "fragment counts its fields", query: `query { ship(id: 1) { ...S } } fragment S on Ship { missions { ship { name } } }`, schema: true, wantDepth: 4},
		{name: "unknown field", query: `{ missions { nope } }`, schema: true, wantCode: CodeValidation},
		{name: "syntax", query: `{ missions { name }`, schema: true, wantCode: CodeParse},
		{name: "without a schema anything parses", query: `{ anything { goes } }`, wantDepth: 2},
		{name: "operation by name", query: `query A { secret } query B { missions { id } }`, op: "B", schema: true, wantDepth: 2},
		{name: "two operations, no name", query: `query A { secret } query B { secret }`, schema: true, wantCode: CodeValidation},
		{name: "unknown operation", query: `query A { secret }`, op: "C", schema: true, wantCode: CodeValidation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sch := s
			if !tt.schema {
				sch = nil
			}
			d, errs := sch.Parse(tt.query, tt.op)
			if tt.wantCode != "" {
				if len(errs) == 0 || errs[0].Extensions["code"] != tt.wantCode {
					t.Fatalf("Parse errors %+v, want %s", errs, tt.wantCode)
				}
				return
			}
			if errs != nil {
				t.Fatalf("Parse: %+v", errs[0])
			}
			if got := d.Depth(10); got != tt.wantDepth {
				t.Errorf("Depth = %d, want %d", got, tt.wantDepth)
			}
		})
	}
	// A syntax error has its line and column.
	_, errs := s.Parse("{\n  missions {", "")
	if len(errs) != 1 || len(errs[0].Locations) != 1 || errs[0].Locations[0].Line != 2 {
		t.Errorf("syntax error %+v, want one at line 2", errs)
	}
}

func TestFieldsAndRemove(t *testing.T) {
	t.Parallel()
	d, errs := mustSchema(t).Parse(`query { secret missions { id name ...M } } fragment M on Mission { ship { name } }`, "")
	if errs != nil {
		t.Fatal(errs[0])
	}
	var seen []string
	gone := map[*Field]bool{}
	d.Fields(func(f *Field) bool {
		seen = append(seen, f.Type+"/"+f.Name)
		if f.Name == "name" && f.Type == "Mission" || f.Name == "secret" || f.Type == "Ship" {
			gone[f] = true
		}
		return true
	})
	if got := strings.Join(seen, " "); got != "Query/secret Query/missions Mission/id Mission/name Mission/ship Ship/name" {
		t.Errorf("fields: %s", got)
	}
	if !d.Remove(gone) {
		t.Fatal("Remove left nothing")
	}
	if got := strings.Join(strings.Fields(d.String()), " "); got != "query { missions { id } }" {
		t.Errorf("after Remove: %q", got)
	}
}

func TestRequestBody(t *testing.T) {
	t.Parallel()
	r, err := ReadRequest("POST", "application/json", []byte(`{"query":"{ a }","variables":{"v":[1,2]}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, e := r.Body("{ b }")
	if e != nil || string(b) != `{"query":"{ b }","variables":{"v":[1,2]}}` {
		t.Errorf("Body = %s, %v", b, e)
	}
}

// FuzzRequest reads, parses, validates, measures and prunes any request
// body: no panic, and either a document or errors.
func FuzzRequest(f *testing.F) {
	s := mustSchema(f)
	f.Add([]byte(`{"query":"{ missions { name ship { name } } }"}`))
	f.Add([]byte(`{"query":"query A { ship(id: 1) { ...S } } fragment S on Ship { missions { ...T } } fragment T on Mission { ship { ...S } }","operationName":"A"}`))
	f.Add([]byte(`{"query":"{ __schema { types { name } } }"}`))
	f.Add([]byte(`{"query":"{"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, rerr := ReadRequest("POST", "application/json", body, nil)
		if rerr != nil {
			return
		}
		for _, sch := range []*Schema{s, nil} {
			d, errs := sch.Parse(r.Query, r.OperationName)
			if d == nil && len(errs) == 0 {
				t.Fatal("Parse returned neither a document nor errors")
			}
			if d == nil {
				continue
			}
			d.Depth(6)
			gone := map[*Field]bool{}
			i := 0
			d.Fields(func(f *Field) bool {
				if i%2 == 0 {
					gone[f] = true
				}
				i++
				return true
			})
			d.Remove(gone)
			_ = d.String()
		}
	})
}
