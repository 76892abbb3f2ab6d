package graphql

import (
	"errors"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/openapi"
)

// ImportedFrom marks the operations of a GraphQL API
// (model.Operation.ImportedFrom).
const ImportedFrom = "graphql"

// ErrInvalid marks a schema that Import refuses.
var ErrInvalid = errors.New("invalid GraphQL schema")

// Import checks that schema is non-empty UTF-8 text and returns the
// operations of a pass-through GraphQL API, normalised: "graphql", POST
// on the API's path (queries and mutations in the body), and
// "graphql-get", GET on it (queries in the query string).
func Import(schema []byte) ([]openapi.Operation, error) {
	if len(schema) == 0 || !utf8.Valid(schema) || onlySpace(schema) {
		return nil, errors.Join(ErrInvalid, errors.New("want the schema's non-empty UTF-8 text"))
	}
	return Operations(), nil
}

// Operations returns the operations of a pass-through GraphQL API, with
// or without a schema: "graphql", POST on the API's path, and
// "graphql-get", GET on it. The result is a fresh slice the caller owns.
func Operations() []openapi.Operation {
	post := model.Operation{DisplayName: "GraphQL", Method: "POST", URLTemplate: "/", ImportedFrom: ImportedFrom}
	get := model.Operation{DisplayName: "GraphQL (GET)", Method: "GET", URLTemplate: "/", ImportedFrom: ImportedFrom}
	return []openapi.Operation{{ID: "graphql", Properties: post}, {ID: "graphql-get", Properties: get}}
}

func onlySpace(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}
