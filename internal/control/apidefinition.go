package control

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/openapi"
	"github.com/gatehouse/gatehouse/internal/wsdl"
)

// Kinds of document operations are imported from (model.Operation.ImportedFrom)
// besides OpenAPI's.
const (
	importedFromWSDL    = "wsdl"
	importedFromGraphQL = "graphql"
)

// readDefinition turns an imported document into the API's operations,
// filling a's empty fields from it; a WSDL or GraphQL schema is kept in
// a.Definition so that export writes it back.
func readDefinition(data []byte, base string, a *model.API) ([]openapi.Operation, error) {
	switch {
	case model.IsWSDLFormat(a.Format):
		a.Definition = string(data)
		return soapOperations(data, a)
	case model.IsGraphQLFormat(a.Format):
		a.Definition = string(data)
		return graphQLOperations(data)
	}
	def, err := openapi.Import(data, openapi.ImportOptions{BaseURL: base})
	if err != nil {
		return nil, err
	}
	def.Fill(a)
	a.Definition = ""
	return def.Operations, nil
}

// soapOperations reads a WSDL as Azure API Management imports a
// pass-through SOAP API: one operation per operation of the first SOAP
// port's binding, a POST whose URL template names its SOAP action
// ("/?soapAction=urn:GetOrder"), which the gateway matches with the
// request's SOAPAction header (SOAP 1.1) or Content-Type action (SOAP
// 1.2). The service's name and the port's address fill displayName and
// serviceUrl where a leaves them out.
func soapOperations(data []byte, a *model.API) ([]openapi.Operation, error) {
	d, err := wsdl.Read(data)
	if err != nil {
		return nil, fmt.Errorf("read WSDL: %w", err)
	}
	svc := d.Services[0]
	port := svc.Ports[0]
	if (a.DisplayName == "" || a.DisplayName == a.Path) && svc.Name != "" {
		a.DisplayName = svc.Name
	}
	if a.ServiceURL == "" {
		a.ServiceURL = port.Address
	}
	ops := make([]openapi.Operation, 0, len(port.Operations))
	seen := map[string]string{}
	for _, o := range port.Operations {
		id := operationID(o.Name)
		if other, dup := seen[strings.ToLower(id)]; dup {
			return nil, fmt.Errorf("WSDL operations %q and %q have the same id %q", other, o.Name, id)
		}
		seen[strings.ToLower(id)] = o.Name
		p := model.Operation{DisplayName: o.Name, Method: "POST", URLTemplate: "/?soapAction=" + url.QueryEscape(o.SOAPAction), ImportedFrom: importedFromWSDL}
		p.Normalize()
		ops = append(ops, openapi.Operation{ID: id, Properties: p})
	}
	return ops, nil
}

// graphQLOperations checks that a GraphQL schema is plain text and
// returns the operations of a pass-through GraphQL API: "graphql", POST
// on the API's path (queries and mutations), and "graphql-get", GET on it
// (queries in the query string). The schema is kept, not parsed: the
// gateway forwards requests as they are.
func graphQLOperations(data []byte) ([]openapi.Operation, error) {
	s := string(data)
	if strings.TrimSpace(s) == "" || strings.ContainsRune(s, 0) {
		return nil, fmt.Errorf("a GraphQL schema must be non-empty text")
	}
	post := model.Operation{DisplayName: "GraphQL", Method: "POST", URLTemplate: "/", ImportedFrom: importedFromGraphQL}
	get := model.Operation{DisplayName: "GraphQL (GET)", Method: "GET", URLTemplate: "/", ImportedFrom: importedFromGraphQL}
	return []openapi.Operation{{ID: "graphql", Properties: post}, {ID: "graphql-get", Properties: get}}, nil
}

// operationID makes an operation id of a WSDL operation name: characters
// other than letters, digits, '-' and '_' become '-', and it is cut to 80
// characters.
func operationID(name string) string {
	b := []byte(name)
	for i, c := range b {
		if !(c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b[i] = '-'
		}
	}
	if len(b) > 80 {
		b = b[:80]
	}
	return string(b)
}
