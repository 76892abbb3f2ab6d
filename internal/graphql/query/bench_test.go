package query

import "testing"

// BenchmarkParse measures validate-graphql-request's per-request work
// on a query of 3 levels with a fragment: read, parse, validate against
// the schema, depth, and a walk of the fields.
func BenchmarkParse(b *testing.B) {
	s := mustSchema(b)
	body := []byte(`{"query":"query Q($n: Int) { missions(limit: $n) { id name ship { ...S } } secret } fragment S on Ship { id name }","variables":{"n":3}}`)
	b.ReportAllocs()
	for b.Loop() {
		r, err := ReadRequest("POST", "application/json", body, nil)
		if err != nil {
			b.Fatal(err)
		}
		d, errs := s.Parse(r.Query, r.OperationName)
		if errs != nil {
			b.Fatal(errs[0])
		}
		d.Depth(6)
		d.Fields(func(*Field) bool { return true })
	}
}
